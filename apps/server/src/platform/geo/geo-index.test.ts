import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysByPrefix } from '../../../test/support/redis-keys';
import { isCluster, redisUrl, uniquePrefix } from '../../../test/support/tier';
import { closeRedis, connectRedis, type RedisClient } from '../redis';
import { describeGeoIndexContract } from './geo-index.contract';
import { haversineKm } from './haversine';
import { MemoryGeoIndex } from './memory-geo-index';
import { RedisGeoIndex } from './redis-geo-index';

describeGeoIndexContract('MemoryGeoIndex', () => new MemoryGeoIndex());

describe('haversineKm', () => {
  it('measures on the sphere Redis uses', () => {
    expect(haversineKm({ lat: 0, lng: 0 }, { lat: 1, lng: 0 })).toBeCloseTo(111.22634, 4);
    expect(haversineKm({ lat: 0, lng: 0 }, { lat: 0, lng: 180 })).toBeCloseTo(Math.PI * 6372.797560856, 6);
  });

  it('is zero for the same point and symmetric', () => {
    const berlin = { lat: 52.52, lng: 13.405 };
    const paris = { lat: 48.8566, lng: 2.3522 };
    expect(haversineKm(berlin, berlin)).toBe(0);
    expect(haversineKm(berlin, paris)).toBe(haversineKm(paris, berlin));
    expect(haversineKm(berlin, paris)).toBeCloseTo(877.5, 0);
  });
});

describe('MemoryGeoIndex', () => {
  it('the grid search finds exactly what a scan of every member finds', async () => {
    const geo = new MemoryGeoIndex();
    // A fixed pseudo-random spread, so a failure can be reproduced.
    let seed = 42;
    const random = (): number => {
      seed = (seed * 16_807) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    const points = new Map<string, { lat: number; lng: number }>();
    for (let index = 0; index < 2000; index += 1) {
      const point = { lat: 52 + random(), lng: 13 + random() * 1.5 };
      points.set(`d${index}`, point);
      await geo.upsert('van', `d${index}`, point);
    }
    for (const [center, radiusKm] of [
      [{ lat: 52.5, lng: 13.7 }, 5],
      [{ lat: 52.05, lng: 13.01 }, 8],
      [{ lat: 52.9, lng: 14.4 }, 15],
    ] as const) {
      const expected = [...points]
        .map(([member, point]) => ({ member, distanceKm: haversineKm(center, point) }))
        .filter((hit) => hit.distanceKm <= radiusKm)
        .sort((a, b) => a.distanceKm - b.distanceKm)
        .map((hit) => hit.member);
      const found = (await geo.nearby('van', center, radiusKm, 5000)).map((hit) => hit.member);
      expect(expected.length).toBeGreaterThan(5);
      expect(found).toEqual(expected);
    }
  });

  it('breaks distance ties by member', async () => {
    const geo = new MemoryGeoIndex();
    const point = { lat: 1, lng: 1 };
    await geo.upsert('van', 'b', point);
    await geo.upsert('van', 'a', point);
    expect((await geo.nearby('van', point, 1, 10)).map((hit) => hit.member)).toEqual(['a', 'b']);
  });
});

describe.runIf(isCluster)('RedisGeoIndex', () => {
  const prefix = uniquePrefix('geo');
  let redis: RedisClient;
  let opened = 0;

  beforeAll(async () => {
    // Unreachable Redis fails here: the cluster tier never skips.
    redis = await connectRedis(redisUrl, 'geo-test');
  });

  afterAll(async () => {
    await deleteKeysByPrefix(redis, prefix);
    await closeRedis(redis);
  });

  describeGeoIndexContract('RedisGeoIndex', () => {
    opened += 1;
    return new RedisGeoIndex(redis, `${prefix}${opened}:`);
  });

  it('keeps a set at <prefix>geo:<set>', async () => {
    const geo = new RedisGeoIndex(redis, `${prefix}layout:`);
    await geo.upsert('van', 'd1', { lat: 52.52, lng: 13.405 });
    expect(await redis.zcard(`${prefix}layout:geo:van`)).toBe(1);
  });

  it('agrees with the in-process index on who is inside a radius', async () => {
    const redisGeo = new RedisGeoIndex(redis, `${prefix}agree:`);
    const memoryGeo = new MemoryGeoIndex();
    const center = { lat: 52.52, lng: 13.405 };
    for (let index = 0; index < 40; index += 1) {
      const point = { lat: center.lat + (index - 20) * 0.004, lng: center.lng + ((index * 7) % 40) * 0.003 };
      await redisGeo.upsert('van', `d${index}`, point);
      await memoryGeo.upsert('van', `d${index}`, point);
    }
    const fromRedis = (await redisGeo.nearby('van', center, 3, 100)).map((hit) => hit.member);
    const fromMemory = (await memoryGeo.nearby('van', center, 3, 100)).map((hit) => hit.member);
    expect(fromRedis.length).toBeGreaterThan(3);
    expect(fromRedis).toEqual(fromMemory);
  });
});
