export interface GeoPoint {
  lat: number;
  lng: number;
}

export interface GeoHit extends GeoPoint {
  member: string;
  distanceKm: number;
}

/**
 * Sets of members with positions, searchable by distance. A set is e.g. the
 * available drivers of one vehicle type.
 */
export interface GeoIndex {
  upsert(set: string, member: string, point: GeoPoint): Promise<void>;
  remove(set: string, member: string): Promise<void>;
  /** Members within `radiusKm` of `center`, nearest first, at most `limit`. */
  nearby(set: string, center: GeoPoint, radiusKm: number, limit: number): Promise<GeoHit[]>;
  position(set: string, member: string): Promise<GeoPoint | null>;
  count(set: string): Promise<number>;
  close(): Promise<void>;
}
