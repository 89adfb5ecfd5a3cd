import { useEffect, useMemo, useRef, useState } from 'react';
import type { RouteShape } from '@loadline/contracts';
import { getStoredToken } from '../api/client';
import type { LatLng } from './map-view';

/** The routing service is asked at most this often for one map, however fast its first point moves. */
const MIN_GAP_MS = 10_000;
/** `GET /v1/route` takes 2 to 5 waypoints. */
const MAX_WAYPOINTS = 5;

export interface DrawnRoute {
  points: LatLng[];
  source: RouteShape['source'];
}

function waypointsOf(route: readonly LatLng[]): string {
  return route.map((p) => `${p.lat.toFixed(5)},${p.lng.toFixed(5)}`).join(';');
}

/** The stops after the first point (which may be a moving driver), rounded to about 100 m. */
function stopsKey(route: readonly LatLng[]): string {
  return route
    .slice(1)
    .map((p) => `${p.lat.toFixed(3)},${p.lng.toFixed(3)}`)
    .join(';');
}

function isRouteShape(value: unknown): value is RouteShape {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const shape = value as Record<string, unknown>;
  return (shape.source === 'road' || shape.source === 'straight') && Array.isArray(shape.points);
}

async function fetchShape(route: readonly LatLng[]): Promise<RouteShape | null> {
  const token = getStoredToken();
  const response = await fetch(`/v1/route?points=${encodeURIComponent(waypointsOf(route))}`, {
    headers: { accept: 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    credentials: 'same-origin',
  });
  const body: unknown = response.ok ? await response.json() : null;
  return isRouteShape(body) ? body : null;
}

/**
 * The line a map draws for `route`: along the roads when the server has a
 * routing service (`routing`), else straight between the waypoints. A road
 * shape is kept while the route's stops stay the same (its first point, a
 * driver, may move on); new stops are asked for at once, a moved first point
 * at most every ten seconds.
 */
export function useRoadRoute(route: LatLng[] | undefined, routing: boolean): DrawnRoute | undefined {
  const [road, setRoad] = useState<{ stops: string; points: LatLng[] } | null>(null);
  const lastAsk = useRef({ at: 0, stops: '' });
  const latest = useRef(route);
  const usable = routing && route !== undefined && route.length >= 2 && route.length <= MAX_WAYPOINTS;
  const key = usable ? waypointsOf(route) : null;

  const mounted = useRef(true);
  useEffect(() => {
    latest.current = route;
  });
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  useEffect(() => {
    if (key === null) {
      return;
    }
    // A moving first point changes the key every fix: the timer moves with it, an answer on its way is kept.
    const ask = () => {
      const current = latest.current;
      if (current === undefined || current.length < 2) {
        return;
      }
      lastAsk.current = { at: Date.now(), stops: stopsKey(current) };
      fetchShape(current)
        .then((shape) => {
          if (mounted.current && shape !== null && shape.source === 'road') {
            setRoad({ stops: stopsKey(current), points: shape.points });
          }
        })
        .catch(() => undefined);
    };
    // New stops are asked for at once; a moved first point waits out the gap.
    const sameStops = latest.current !== undefined && stopsKey(latest.current) === lastAsk.current.stops;
    const wait = sameStops ? Math.max(0, lastAsk.current.at + MIN_GAP_MS - Date.now()) : 0;
    const timer = window.setTimeout(ask, wait);
    return () => window.clearTimeout(timer);
  }, [key]);

  return useMemo((): DrawnRoute | undefined => {
    if (route === undefined || route.length < 2) {
      return undefined;
    }
    if (usable && road !== null && road.stops === stopsKey(route)) {
      return { points: road.points, source: 'road' };
    }
    return { points: route, source: 'straight' };
  }, [route, usable, road]);
}
