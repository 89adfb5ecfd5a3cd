import L from 'leaflet';
import { Glide } from './marker-motion';
import type { LatLng } from './map-view';

const RADIUS = 7;
const SELECTED_RADIUS = 11;
/** How far past the view the canvas reaches (a fraction of its size), so a short pan shows no gap. */
const PADDING = 0.3;

interface PointState {
  glide: Glide;
  color: string;
  title: string | undefined;
}

export interface PointSpec {
  id: string;
  position: LatLng;
  color: string;
  title?: string;
}

/**
 * Many dots on one canvas, drawn in a single pass per colour: thousands stay
 * smooth where one Leaflet layer per dot would redraw and reproject each on
 * every move. Dots glide between updates (the caller runs `draw` each frame
 * while `moving`); a click or tap selects the nearest dot under the pointer,
 * and hovering shows its title.
 */
export class PointsLayer extends L.Layer {
  private readonly points = new Map<string, PointState>();
  private canvas: HTMLCanvasElement | null = null;
  /** Layer point of the canvas's top-left corner, set on each reset. */
  private origin = L.point(0, 0);
  private selected: string | null = null;
  private lastNow = 0;

  constructor(private readonly onSelect: (id: string) => void) {
    super();
  }

  override onAdd(map: L.Map): this {
    const canvas = L.DomUtil.create('canvas', 'map-points');
    map.getPane('overlayPane')?.appendChild(canvas);
    this.canvas = canvas;
    map.on('moveend resize zoomend viewreset', this.reset, this);
    map.on('zoomstart', this.hide, this);
    map.on('click', this.click, this);
    map.on('mousemove', this.hover, this);
    this.reset();
    return this;
  }

  override onRemove(map: L.Map): this {
    map.off('moveend resize zoomend viewreset', this.reset, this);
    map.off('zoomstart', this.hide, this);
    map.off('click', this.click, this);
    map.off('mousemove', this.hover, this);
    this.canvas?.remove();
    this.canvas = null;
    return this;
  }

  get size(): number {
    return this.points.size;
  }

  /** Takes the newest list: new dots appear, moved ones glide from where they are drawn, missing ones go. */
  update(specs: readonly PointSpec[], now: number): void {
    const seen = new Set<string>();
    for (const spec of specs) {
      seen.add(spec.id);
      const existing = this.points.get(spec.id);
      if (existing === undefined) {
        this.points.set(spec.id, {
          glide: new Glide(spec.position, now),
          color: spec.color,
          title: spec.title,
        });
        continue;
      }
      const target = existing.glide.target;
      if (target.lat !== spec.position.lat || target.lng !== spec.position.lng) {
        existing.glide.retarget(spec.position, now);
      }
      existing.color = spec.color;
      existing.title = spec.title;
    }
    for (const id of this.points.keys()) {
      if (!seen.has(id)) {
        this.points.delete(id);
      }
    }
  }

  select(id: string | null): void {
    this.selected = id;
  }

  /** Where a dot is drawn now; undefined when there is no such dot. */
  positionOf(id: string): LatLng | undefined {
    return this.points.get(id)?.glide.positionAt(this.lastNow);
  }

  /** True while any dot is still on its way. */
  moving(now: number): boolean {
    for (const point of this.points.values()) {
      if (point.glide.movingAt(now)) {
        return true;
      }
    }
    return false;
  }

  /** Draws every dot where it is at `now`: one path per colour, the selected dot last and larger. */
  draw(now: number): void {
    this.lastNow = now;
    const canvas = this.canvas;
    const map = this._map as L.Map | undefined;
    const context = canvas?.getContext('2d');
    if (canvas === null || map === undefined || context === null || context === undefined) {
      return;
    }
    const ratio = window.devicePixelRatio || 1;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, canvas.width / ratio, canvas.height / ratio);
    const byColor = new Map<string, L.Point[]>();
    let chosen: { at: L.Point; color: string } | null = null;
    for (const [id, point] of this.points) {
      const at = map.latLngToLayerPoint(point.glide.positionAt(now)).subtract(this.origin);
      if (id === this.selected) {
        chosen = { at, color: point.color };
        continue;
      }
      const group = byColor.get(point.color);
      if (group === undefined) {
        byColor.set(point.color, [at]);
      } else {
        group.push(at);
      }
    }
    context.lineWidth = 2;
    context.strokeStyle = '#ffffff';
    for (const [color, group] of byColor) {
      context.beginPath();
      for (const at of group) {
        context.moveTo(at.x + RADIUS, at.y);
        context.arc(at.x, at.y, RADIUS, 0, Math.PI * 2);
      }
      context.globalAlpha = 0.9;
      context.fillStyle = color;
      context.fill();
      context.globalAlpha = 1;
      context.stroke();
    }
    if (chosen !== null) {
      context.beginPath();
      context.arc(chosen.at.x, chosen.at.y, SELECTED_RADIUS, 0, Math.PI * 2);
      context.fillStyle = chosen.color;
      context.fill();
      context.lineWidth = 3;
      context.strokeStyle = '#0f172a';
      context.stroke();
    }
  }

  private hide(): void {
    if (this.canvas !== null) {
      this.canvas.style.visibility = 'hidden';
    }
  }

  /** Covers the view (and a margin) again after a pan, zoom or resize, and redraws. */
  private reset(): void {
    const canvas = this.canvas;
    const map = this._map as L.Map | undefined;
    if (canvas === null || map === undefined) {
      return;
    }
    const size = map.getSize();
    const margin = size.multiplyBy(PADDING).round();
    const full = size.add(margin.multiplyBy(2));
    const ratio = window.devicePixelRatio || 1;
    this.origin = map.containerPointToLayerPoint(margin.multiplyBy(-1)).round();
    L.DomUtil.setPosition(canvas, this.origin);
    canvas.width = full.x * ratio;
    canvas.height = full.y * ratio;
    canvas.style.width = `${full.x}px`;
    canvas.style.height = `${full.y}px`;
    canvas.style.visibility = '';
    this.draw(this.lastNow === 0 ? performance.now() : this.lastNow);
  }

  /** The dot under a container point, the nearest within reach of a finger; null when none is. */
  private hit(containerPoint: L.Point): string | null {
    const map = this._map as L.Map | undefined;
    if (map === undefined) {
      return null;
    }
    const reach = RADIUS + 6;
    let best: { id: string; distance: number } | null = null;
    for (const [id, point] of this.points) {
      const at = map.latLngToContainerPoint(point.glide.positionAt(this.lastNow));
      const distance = at.distanceTo(containerPoint);
      if (distance <= reach && (best === null || distance < best.distance)) {
        best = { id, distance };
      }
    }
    return best?.id ?? null;
  }

  private click(event: L.LeafletMouseEvent): void {
    const id = this.hit(event.containerPoint);
    if (id !== null) {
      this.onSelect(id);
    }
  }

  private hover(event: L.LeafletMouseEvent): void {
    const map = this._map as L.Map | undefined;
    if (map === undefined) {
      return;
    }
    const id = this.hit(event.containerPoint);
    const container = map.getContainer();
    container.style.cursor = id === null ? '' : 'pointer';
    const title = id === null ? undefined : this.points.get(id)?.title;
    if (title === undefined) {
      container.removeAttribute('title');
    } else {
      container.setAttribute('title', title);
    }
  }
}
