import { useEffect, useState } from 'react';
import type { ClientConfig } from '@loadline/contracts';

/** The server's map settings: its tiles, and whether routes can follow the roads. */
export type MapSettings = ClientConfig['map'] & Pick<ClientConfig, 'routing'>;

/** What maps use when the server's settings cannot be read: the offline grid, straight routes. */
const OFFLINE: MapSettings = { tileUrl: null, attribution: '', maxZoom: 19, routing: false };

function isTiles(value: unknown): value is ClientConfig['map'] {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const map = value as Record<string, unknown>;
  return (
    (map.tileUrl === null || typeof map.tileUrl === 'string') &&
    typeof map.attribution === 'string' &&
    typeof map.maxZoom === 'number'
  );
}

let pending: Promise<MapSettings> | null = null;

/**
 * The tile server every map uses, read once per page load from `GET /v1/config/client`
 * (the server's MAP_TILE_* settings), so operators change tiles without rebuilding the app.
 * Unreadable settings leave maps on the offline grid.
 */
export function loadMapSettings(): Promise<MapSettings> {
  pending ??= fetch('/v1/config/client', { headers: { accept: 'application/json' } })
    .then(async (response) => {
      const body: unknown = response.ok ? await response.json() : null;
      const config = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
      return isTiles(config.map) ? { ...config.map, routing: config.routing === true } : OFFLINE;
    })
    .catch(() => OFFLINE);
  return pending;
}

/** The map settings; null until they are read. */
export function useMapSettings(): MapSettings | null {
  const [settings, setSettings] = useState<MapSettings | null>(null);
  useEffect(() => {
    let live = true;
    void loadMapSettings().then((loaded) => {
      if (live) {
        setSettings(loaded);
      }
    });
    return () => {
      live = false;
    };
  }, []);
  return settings;
}
