import type { GeoPoint } from '../../platform/geo/geo-index.port';
import { haversineKm, KM_PER_DEGREE_LAT } from '@loadline/contracts';
import { maxIndexableLat } from '../../platform/geo/memory-geo-index';

/** Every point within `radiusKm` (great-circle) of `center`. */
export interface CircleArea {
  readonly kind: 'circle';
  readonly center: GeoPoint;
  readonly radiusKm: number;
}

/**
 * A simple polygon, corners in order (clockwise or anticlockwise alike), the
 * last joined back to the first. Edges are straight in latitude/longitude,
 * which for a city or a state is within metres of the great-circle edge.
 */
export interface PolygonArea {
  readonly kind: 'polygon';
  readonly points: readonly GeoPoint[];
}

/** Where a pricing region takes pickups and drop-offs. */
export type ServiceArea = CircleArea | PolygonArea;

/** Points this close to a boundary, in degrees (~0.1 mm) or kilometres, count as on it. */
const EPSILON = 1e-9;

/** True when the point is inside the area or on its boundary. */
export function areaContains(area: ServiceArea, point: GeoPoint): boolean {
  if (area.kind === 'circle') {
    return haversineKm(area.center, point) <= area.radiusKm + EPSILON;
  }
  return polygonContains(area.points, point);
}

function polygonContains(points: readonly GeoPoint[], point: GeoPoint): boolean {
  let inside = false;
  for (let index = 0; index < points.length; index += 1) {
    const a = points[index];
    const b = points[(index + 1) % points.length];
    if (a === undefined || b === undefined) {
      continue;
    }
    if (onSegment(a, b, point)) {
      return true;
    }
    // Even-odd rule with a ray towards growing longitude; the half-open
    // comparison counts a ray through a corner once, not twice.
    if (a.lat > point.lat !== b.lat > point.lat) {
      const crossingLng = a.lng + ((point.lat - a.lat) * (b.lng - a.lng)) / (b.lat - a.lat);
      if (point.lng < crossingLng) {
        inside = !inside;
      }
    }
  }
  return inside;
}

/** z of (b - a) × (p - a), with longitude as x and latitude as y. */
function cross(a: GeoPoint, b: GeoPoint, p: GeoPoint): number {
  return (b.lng - a.lng) * (p.lat - a.lat) - (b.lat - a.lat) * (p.lng - a.lng);
}

function withinBox(a: GeoPoint, b: GeoPoint, p: GeoPoint, slack: number): boolean {
  return (
    p.lat >= Math.min(a.lat, b.lat) - slack &&
    p.lat <= Math.max(a.lat, b.lat) + slack &&
    p.lng >= Math.min(a.lng, b.lng) - slack &&
    p.lng <= Math.max(a.lng, b.lng) + slack
  );
}

function onSegment(a: GeoPoint, b: GeoPoint, p: GeoPoint): boolean {
  const length = Math.hypot(b.lng - a.lng, b.lat - a.lat);
  if (length === 0) {
    return Math.hypot(p.lng - a.lng, p.lat - a.lat) <= EPSILON;
  }
  return Math.abs(cross(a, b, p)) / length <= EPSILON && withinBox(a, b, p, EPSILON);
}

/** True when the closed segments ab and cd share a point. */
function segmentsMeet(a: GeoPoint, b: GeoPoint, c: GeoPoint, d: GeoPoint): boolean {
  const d1 = cross(c, d, a);
  const d2 = cross(c, d, b);
  const d3 = cross(a, b, c);
  const d4 = cross(a, b, d);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) {
    return true;
  }
  return (
    (d1 === 0 && withinBox(c, d, a, 0)) ||
    (d2 === 0 && withinBox(c, d, b, 0)) ||
    (d3 === 0 && withinBox(a, b, c, 0)) ||
    (d4 === 0 && withinBox(a, b, d, 0))
  );
}

/**
 * Why an area cannot be served, or null when it can. Beyond the shape rules a
 * schema checks (corner count, coordinate ranges): no point of the area may lie
 * beyond the latitudes the geo index holds (Redis GEO stops at ±85.05112878°),
 * so nothing a region serves can fail to be indexed.
 */
export function areaProblem(area: ServiceArea): string | null {
  if (area.kind === 'circle') {
    const reach = Math.abs(area.center.lat) + area.radiusKm / KM_PER_DEGREE_LAT;
    return reach > maxIndexableLat
      ? `reaches beyond latitude ±${maxIndexableLat}, which the geo index cannot hold`
      : null;
  }
  const { points } = area;
  const lngs = points.map((point) => point.lng);
  if (Math.max(...lngs) - Math.min(...lngs) >= 180) {
    return 'spans 180° of longitude or more; a polygon may not cross the antimeridian (split it into two regions)';
  }
  const count = points.length;
  for (let i = 0; i < count; i += 1) {
    for (let j = i + 2; j < count; j += 1) {
      // The first and the last edge share the first corner.
      if (i === 0 && j === count - 1) {
        continue;
      }
      const a = points[i];
      const b = points[(i + 1) % count];
      const c = points[j];
      const d = points[(j + 1) % count];
      if (
        a !== undefined &&
        b !== undefined &&
        c !== undefined &&
        d !== undefined &&
        segmentsMeet(a, b, c, d)
      ) {
        return `has edges that cross (edges ${i + 1} and ${j + 1}); list the corners in order`;
      }
    }
  }
  let twiceArea = 0;
  for (let index = 0; index < count; index += 1) {
    const a = points[index];
    const b = points[(index + 1) % count];
    if (a !== undefined && b !== undefined) {
      twiceArea += a.lng * b.lat - b.lng * a.lat;
    }
  }
  return Math.abs(twiceArea) < EPSILON ? 'encloses no area' : null;
}
