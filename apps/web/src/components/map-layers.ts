import L from 'leaflet';
import type { MapSettings } from './map-settings';

/** Tile errors, with no tile loaded in between, after which the map gives up on tiles for the grid. */
const FAILURES_BEFORE_GRID = 4;

/**
 * The offline map: a grid drawn on canvas tiles, so it pans and zooms with the
 * map (each zoom step halves the spacing it stands for; the scale bar says how
 * far a cell is). Tiles take the theme's colours when drawn, and are drawn again
 * when the system switches between light and dark.
 */
class OfflineGrid extends L.GridLayer {
  private readonly darkScheme = window.matchMedia('(prefers-color-scheme: dark)');
  private readonly repaint = (): void => {
    this.redraw();
  };

  override onAdd(map: L.Map): this {
    super.onAdd(map);
    this.darkScheme.addEventListener('change', this.repaint);
    return this;
  }

  override onRemove(map: L.Map): this {
    this.darkScheme.removeEventListener('change', this.repaint);
    super.onRemove(map);
    return this;
  }

  override createTile(): HTMLElement {
    const tile = document.createElement('canvas');
    const size = this.getTileSize();
    tile.width = size.x;
    tile.height = size.y;
    const context = tile.getContext('2d');
    if (context !== null) {
      const styles = getComputedStyle(document.documentElement);
      context.fillStyle = styles.getPropertyValue('--map-grid-bg').trim() || '#e8edf3';
      context.fillRect(0, 0, size.x, size.y);
      context.strokeStyle = styles.getPropertyValue('--map-grid-line').trim() || '#cfd8e3';
      context.lineWidth = 1;
      const step = size.x / 4;
      context.beginPath();
      for (let offset = 0.5; offset < size.x; offset += step) {
        context.moveTo(offset, 0);
        context.lineTo(offset, size.y);
        context.moveTo(0, offset);
        context.lineTo(size.x, offset);
      }
      context.stroke();
      context.strokeStyle = styles.getPropertyValue('--map-grid-major').trim() || '#b6c2d1';
      context.strokeRect(0.5, 0.5, size.x, size.y);
    }
    return tile;
  }
}

export type TileState = 'loading' | 'loaded' | 'failed' | 'off';

/**
 * Puts the configured tiles on `map`, with the offline grid beneath them: a
 * missing tile shows the grid, and when tiles keep failing with none loading in
 * between (offline, a wrong URL, a refusing server) the tile layer is dropped
 * and the grid is the map until the page is loaded again. `onState` hears each change, for the map's data-tiles
 * attribute. Returns a function that takes the layers off again.
 */
export function addBaseLayers(
  map: L.Map,
  settings: MapSettings,
  onState: (state: TileState) => void,
): () => void {
  const grid = new OfflineGrid({ zIndex: 0 });
  grid.addTo(map);
  if (settings.tileUrl === null) {
    onState('off');
    return () => grid.remove();
  }
  const tiles = L.tileLayer(settings.tileUrl, {
    maxZoom: settings.maxZoom,
    attribution: settings.attribution,
    zIndex: 1,
    crossOrigin: false,
  });
  let failuresInARow = 0;
  let state: TileState = 'loading';
  const set = (next: TileState) => {
    if (state !== next) {
      state = next;
      onState(next);
    }
  };
  onState(state);
  tiles.on('tileload', () => {
    failuresInARow = 0;
    if (state !== 'failed') {
      set('loaded');
    }
  });
  tiles.on('tileerror', () => {
    failuresInARow += 1;
    if (failuresInARow >= FAILURES_BEFORE_GRID && state !== 'failed') {
      tiles.remove();
      set('failed');
    }
  });
  tiles.addTo(map);
  return () => {
    tiles.remove();
    grid.remove();
  };
}
