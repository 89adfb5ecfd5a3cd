import { haversineKm, KM_PER_DEGREE_LAT } from '@loadline/contracts';
import type { GeoHit, GeoIndex, GeoPoint } from './geo-index.port';

/** Redis GEO cannot index latitudes beyond the Web Mercator limit; refuse them here too. */
export const maxIndexableLat = 85.05112878;

// ~5.5 km of latitude: a dispatch radius of a few km touches a handful of cells.
const cellDegrees = 0.05;
const rows = Math.round(180 / cellDegrees);
const columns = Math.round(360 / cellDegrees);

interface GeoSet {
  members: Map<string, { point: GeoPoint; cell: number }>;
  cells: Map<number, Set<string>>;
}

/**
 * The embedded-mode geo index: each set buckets its members in a grid of
 * 0.05° cells, so `nearby` measures only members of cells that overlap the
 * search circle (or every member, when that is fewer).
 */
export class MemoryGeoIndex implements GeoIndex {
  private readonly sets = new Map<string, GeoSet>();
  private closed = false;

  upsert(set: string, member: string, point: GeoPoint): Promise<void> {
    return this.run(() => {
      assertIndexable(point);
      let geoSet = this.sets.get(set);
      if (geoSet === undefined) {
        geoSet = { members: new Map(), cells: new Map() };
        this.sets.set(set, geoSet);
      }
      removeMember(geoSet, member);
      const cell = cellOf(point);
      geoSet.members.set(member, { point: { lat: point.lat, lng: point.lng }, cell });
      let bucket = geoSet.cells.get(cell);
      if (bucket === undefined) {
        bucket = new Set();
        geoSet.cells.set(cell, bucket);
      }
      bucket.add(member);
    });
  }

  remove(set: string, member: string): Promise<void> {
    return this.run(() => {
      const geoSet = this.sets.get(set);
      if (geoSet === undefined) {
        return;
      }
      removeMember(geoSet, member);
      if (geoSet.members.size === 0) {
        this.sets.delete(set);
      }
    });
  }

  nearby(set: string, center: GeoPoint, radiusKm: number, limit: number): Promise<GeoHit[]> {
    return this.run(() => {
      assertIndexable(center);
      if (!Number.isFinite(radiusKm) || radiusKm < 0) {
        throw new RangeError(`radiusKm must be a non-negative number, got ${radiusKm}`);
      }
      const geoSet = this.sets.get(set);
      if (geoSet === undefined || limit < 1) {
        return [];
      }
      const hits: GeoHit[] = [];
      for (const [member, { point }] of candidates(geoSet, center, radiusKm)) {
        const distanceKm = haversineKm(center, point);
        if (distanceKm <= radiusKm) {
          hits.push({ member, lat: point.lat, lng: point.lng, distanceKm });
        }
      }
      // Ties break by member so results are stable from call to call.
      hits.sort(
        (a, b) => a.distanceKm - b.distanceKm || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0),
      );
      return hits.slice(0, Math.floor(limit));
    });
  }

  position(set: string, member: string): Promise<GeoPoint | null> {
    return this.run(() => {
      const entry = this.sets.get(set)?.members.get(member);
      return entry === undefined ? null : { lat: entry.point.lat, lng: entry.point.lng };
    });
  }

  count(set: string): Promise<number> {
    return this.run(() => this.sets.get(set)?.members.size ?? 0);
  }

  close(): Promise<void> {
    this.closed = true;
    this.sets.clear();
    return Promise.resolve();
  }

  /** Runs a synchronous operation with the rejection semantics of an async adapter. */
  private run<T>(operation: () => T): Promise<T> {
    if (this.closed) {
      return Promise.reject(new Error('geo index is closed'));
    }
    try {
      return Promise.resolve(operation());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

function assertIndexable(point: GeoPoint): void {
  if (!(Math.abs(point.lat) <= maxIndexableLat) || !(Math.abs(point.lng) <= 180)) {
    throw new RangeError(`invalid position lat=${point.lat} lng=${point.lng}`);
  }
}

function rowOf(lat: number): number {
  return Math.min(rows - 1, Math.max(0, Math.floor((lat + 90) / cellDegrees)));
}

function columnOf(lng: number): number {
  // Wraps, so lng 180 and -180 share a column and searches can cross the antimeridian.
  const column = Math.floor((lng + 180) / cellDegrees) % columns;
  return column < 0 ? column + columns : column;
}

function cellOf(point: GeoPoint): number {
  return rowOf(point.lat) * columns + columnOf(point.lng);
}

function removeMember(geoSet: GeoSet, member: string): void {
  const existing = geoSet.members.get(member);
  if (existing === undefined) {
    return;
  }
  geoSet.members.delete(member);
  const bucket = geoSet.cells.get(existing.cell);
  bucket?.delete(member);
  if (bucket?.size === 0) {
    geoSet.cells.delete(existing.cell);
  }
}

/** Members that may lie within `radiusKm` of `center`: those of the overlapping cells. */
function* candidates(
  geoSet: GeoSet,
  center: GeoPoint,
  radiusKm: number,
): Generator<[string, { point: GeoPoint; cell: number }]> {
  const dLat = radiusKm / KM_PER_DEGREE_LAT;
  const south = center.lat - dLat;
  const north = center.lat + dLat;
  // The circle is widest in longitude at its edge nearest a pole; near a pole it spans all.
  const widestLat = Math.max(Math.abs(south), Math.abs(north));
  const dLng = widestLat >= 90 ? 360 : dLat / Math.cos((widestLat * Math.PI) / 180);
  const rowSpan = rowOf(north) - rowOf(south) + 1;
  const firstColumn = Math.floor((center.lng - dLng + 180) / cellDegrees);
  const columnSpan = Math.min(columns, Math.floor((center.lng + dLng + 180) / cellDegrees) - firstColumn + 1);
  if (rowSpan * columnSpan >= geoSet.members.size) {
    yield* geoSet.members;
    return;
  }
  for (let row = rowOf(south); row <= rowOf(north); row += 1) {
    for (let offset = 0; offset < columnSpan; offset += 1) {
      const column = (((firstColumn + offset) % columns) + columns) % columns;
      const bucket = geoSet.cells.get(row * columns + column);
      if (bucket === undefined) {
        continue;
      }
      for (const member of bucket) {
        const entry = geoSet.members.get(member);
        if (entry !== undefined) {
          yield [member, entry];
        }
      }
    }
  }
}
