import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GeoHit, GeoIndex } from './geo-index.port';

// One degree of latitude on the sphere Redis measures with (radius 6372.797560856 km).
const kmPerDegreeLat = 111.226_34;
const berlin = { lat: 52.52, lng: 13.405 };

function summary(hits: GeoHit[]): { member: string; distanceKm: number }[] {
  return hits.map(({ member, distanceKm }) => ({ member, distanceKm: Math.round(distanceKm * 100) / 100 }));
}

/**
 * The behaviour every GeoIndex adapter shares. `open` returns a fresh, empty
 * index for each test; the suite closes it afterwards.
 */
export function describeGeoIndexContract(name: string, open: () => GeoIndex | Promise<GeoIndex>): void {
  describe(`GeoIndex contract: ${name}`, () => {
    let geo: GeoIndex;

    beforeEach(async () => {
      geo = await open();
    });

    afterEach(async () => {
      await geo.close();
    });

    it('position returns the point a member was upserted at', async () => {
      await geo.upsert('van', 'd1', berlin);
      const position = await geo.position('van', 'd1');
      expect(position?.lat).toBeCloseTo(berlin.lat, 5);
      expect(position?.lng).toBeCloseTo(berlin.lng, 5);
    });

    it('position of an unknown member or set is null', async () => {
      await geo.upsert('van', 'd1', berlin);
      expect(await geo.position('van', 'd2')).toBeNull();
      expect(await geo.position('truck', 'd1')).toBeNull();
    });

    it('upsert moves an existing member instead of adding another', async () => {
      await geo.upsert('van', 'd1', berlin);
      await geo.upsert('van', 'd1', { lat: 48.137, lng: 11.575 });
      expect(await geo.count('van')).toBe(1);
      const position = await geo.position('van', 'd1');
      expect(position?.lat).toBeCloseTo(48.137, 5);
      expect(position?.lng).toBeCloseTo(11.575, 5);
      expect(await geo.nearby('van', berlin, 50, 10)).toEqual([]);
    });

    it('remove deletes a member and count drops', async () => {
      await geo.upsert('van', 'd1', berlin);
      await geo.upsert('van', 'd2', berlin);
      expect(await geo.count('van')).toBe(2);
      await geo.remove('van', 'd1');
      await geo.remove('van', 'unknown');
      expect(await geo.count('van')).toBe(1);
      expect(await geo.position('van', 'd1')).toBeNull();
      expect((await geo.nearby('van', berlin, 1, 10)).map((hit) => hit.member)).toEqual(['d2']);
    });

    it('count of an unknown set is zero', async () => {
      expect(await geo.count('nothing')).toBe(0);
    });

    it('nearby returns members inside the radius nearest first and respects limit', async () => {
      await geo.upsert('van', 'far', { lat: berlin.lat + 0.5, lng: berlin.lng });
      await geo.upsert('van', 'third', { lat: berlin.lat + 0.03, lng: berlin.lng });
      await geo.upsert('van', 'first', { lat: berlin.lat + 0.01, lng: berlin.lng });
      await geo.upsert('van', 'second', { lat: berlin.lat - 0.02, lng: berlin.lng });

      expect(summary(await geo.nearby('van', berlin, 10, 10))).toEqual([
        { member: 'first', distanceKm: Math.round(kmPerDegreeLat * 0.01 * 100) / 100 },
        { member: 'second', distanceKm: Math.round(kmPerDegreeLat * 0.02 * 100) / 100 },
        { member: 'third', distanceKm: Math.round(kmPerDegreeLat * 0.03 * 100) / 100 },
      ]);
      expect((await geo.nearby('van', berlin, 10, 2)).map((hit) => hit.member)).toEqual(['first', 'second']);
    });

    it('nearby hits carry the member position and exact distance', async () => {
      await geo.upsert('van', 'd1', { lat: berlin.lat + 0.01, lng: berlin.lng });
      const [hit] = await geo.nearby('van', berlin, 5, 1);
      expect(hit?.member).toBe('d1');
      expect(hit?.lat).toBeCloseTo(berlin.lat + 0.01, 5);
      expect(hit?.lng).toBeCloseTo(berlin.lng, 5);
      expect(hit?.distanceKm).toBeCloseTo(kmPerDegreeLat * 0.01, 2);
    });

    it('nearby finds members in neighbouring grid cells around a cell corner', async () => {
      // 52.55 / 13.45 is a corner of 0.05° cells; each member sits in a different cell.
      const corner = { lat: 52.549, lng: 13.449 };
      await geo.upsert('van', 'same', { lat: 52.5491, lng: 13.4491 });
      await geo.upsert('van', 'north', { lat: 52.5512, lng: 13.449 });
      await geo.upsert('van', 'east', { lat: 52.549, lng: 13.4525 });
      await geo.upsert('van', 'diagonal', { lat: 52.5525, lng: 13.454 });
      for (let index = 0; index < 12; index += 1) {
        await geo.upsert('van', `elsewhere-${index}`, { lat: 48 + index * 0.1, lng: 11 });
      }
      expect((await geo.nearby('van', corner, 1, 10)).map((hit) => hit.member)).toEqual([
        'same',
        'east',
        'north',
        'diagonal',
      ]);
    });

    it('nearby finds members across the antimeridian', async () => {
      const center = { lat: 10, lng: 179.999 };
      await geo.upsert('van', 'west', { lat: 10, lng: 179.99 });
      await geo.upsert('van', 'east', { lat: 10, lng: -179.999 });
      for (let index = 0; index < 12; index += 1) {
        await geo.upsert('van', `elsewhere-${index}`, { lat: 40 + index * 0.1, lng: 0 });
      }
      expect(summary(await geo.nearby('van', center, 5, 10))).toEqual([
        { member: 'east', distanceKm: 0.22 },
        { member: 'west', distanceKm: 0.99 },
      ]);
    });

    it('nearby of an unknown set or with a zero limit is empty', async () => {
      await geo.upsert('van', 'd1', berlin);
      expect(await geo.nearby('truck', berlin, 10, 10)).toEqual([]);
      expect(await geo.nearby('van', berlin, 10, 0)).toEqual([]);
    });

    it('sets are independent of each other', async () => {
      await geo.upsert('van', 'd1', berlin);
      await geo.upsert('truck', 'd1', { lat: 48.137, lng: 11.575 });
      await geo.remove('truck', 'd1');
      expect(await geo.count('van')).toBe(1);
      expect(await geo.count('truck')).toBe(0);
    });

    it('upsert refuses a position Redis cannot index', async () => {
      await expect(geo.upsert('van', 'd1', { lat: 86, lng: 0 })).rejects.toThrow();
      await expect(geo.upsert('van', 'd1', { lat: 0, lng: 181 })).rejects.toThrow();
      expect(await geo.count('van')).toBe(0);
    });

    it('nearby refuses a negative radius', async () => {
      await expect(geo.nearby('van', berlin, -1, 10)).rejects.toThrow(RangeError);
    });

    it('close can be called twice and later calls are refused', async () => {
      await geo.close();
      await geo.close();
      await expect(geo.count('van')).rejects.toThrow(/closed/);
    });
  });
}
