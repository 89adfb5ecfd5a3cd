import { redisKey, type RedisClient } from '../redis';
import type { GeoHit, GeoIndex, GeoPoint } from './geo-index.port';

/** The Redis key of a geo set (the live state's ping script writes these sets too). */
export function geoSetKey(prefix: string, set: string): string {
  return redisKey(prefix, 'geo', set);
}

/**
 * The cluster-mode geo index: one Redis GEO sorted set per set, at
 * `<prefix>geo:<set>`. The Redis client belongs to the caller; `close()` leaves it open.
 */
export class RedisGeoIndex implements GeoIndex {
  private closed = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async upsert(set: string, member: string, point: GeoPoint): Promise<void> {
    this.assertOpen();
    await this.redis.geoadd(this.key(set), point.lng, point.lat, member);
  }

  async remove(set: string, member: string): Promise<void> {
    this.assertOpen();
    await this.redis.zrem(this.key(set), member);
  }

  async nearby(set: string, center: GeoPoint, radiusKm: number, limit: number): Promise<GeoHit[]> {
    this.assertOpen();
    if (!Number.isFinite(radiusKm) || radiusKm < 0) {
      throw new RangeError(`radiusKm must be a non-negative number, got ${radiusKm}`);
    }
    // COUNT must be positive, and no hits were asked for anyway.
    if (limit < 1) {
      return [];
    }
    const reply = await this.redis.geosearch(
      this.key(set),
      'FROMLONLAT',
      center.lng,
      center.lat,
      'BYRADIUS',
      radiusKm,
      'km',
      'ASC',
      'COUNT',
      Math.floor(limit),
      'WITHCOORD',
      'WITHDIST',
    );
    return reply.map(parseHit);
  }

  async position(set: string, member: string): Promise<GeoPoint | null> {
    this.assertOpen();
    const [coordinates] = await this.redis.geopos(this.key(set), member);
    if (coordinates === undefined || coordinates === null) {
      return null;
    }
    const [lng, lat] = coordinates;
    return { lat: Number(lat), lng: Number(lng) };
  }

  async count(set: string): Promise<number> {
    this.assertOpen();
    return this.redis.zcard(this.key(set));
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private key(set: string): string {
    return geoSetKey(this.prefix, set);
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new Error('geo index is closed');
    }
  }
}

/** One GEOSEARCH ... WITHDIST WITHCOORD item: [member, "distance", ["lng", "lat"]]. */
function parseHit(item: unknown): GeoHit {
  if (Array.isArray(item)) {
    const parts: unknown[] = item;
    const [member, distance, coordinates] = parts;
    if (typeof member === 'string' && typeof distance === 'string' && Array.isArray(coordinates)) {
      const pair: unknown[] = coordinates;
      const [lng, lat] = pair;
      if (typeof lng === 'string' && typeof lat === 'string') {
        return { member, lat: Number(lat), lng: Number(lng), distanceKm: Number(distance) };
      }
    }
  }
  throw new Error(`unexpected GEOSEARCH reply item: ${JSON.stringify(item)}`);
}
