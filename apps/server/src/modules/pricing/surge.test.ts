import fc from 'fast-check';
import { haversineKm } from '@loadline/contracts';
import { cellToBoundary, cellToLatLng, gridDisk, gridRing, latLngToCell } from 'h3-js';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../lib/clock';
import { MemoryCache } from '../../platform/cache/memory-cache';
import { MemoryGeoIndex } from '../../platform/geo/memory-geo-index';
import type { GeoPoint } from '../../platform/geo/geo-index.port';
import { availableDriversSet } from '../drivers/available-drivers';
import { searchingBookingsSet } from '../bookings/searching-bookings';
import { SURGE_REUSE_MS, SURGE_TAU_MS, SurgeEstimator, rawSurge, smoothSurge } from './surge';

const count = fc.integer({ min: 0, max: 10_000 });
const sensitivity = fc.double({ min: 0.01, max: 5, noNaN: true });
const cap = fc.double({ min: 1, max: 10, noNaN: true });
const multiplier = fc.double({ min: 1, max: 10, noNaN: true });
const elapsed = fc.integer({ min: 0, max: 24 * 3600 * 1000 });

describe('rawSurge', () => {
  it('is 1 while drivers keep up, rises with excess demand per driver, and stops at the cap', () => {
    expect(rawSurge(0, 0, 0.25, 2.5)).toBe(1);
    expect(rawSurge(5, 5, 0.25, 2.5)).toBe(1);
    expect(rawSurge(3, 1, 0.25, 2.5)).toBe(1.5);
    expect(rawSurge(2, 0, 0.25, 2.5)).toBe(1.5);
    expect(rawSurge(12, 4, 0.25, 2.5)).toBe(1.5);
    expect(rawSurge(100, 1, 0.25, 2.5)).toBe(2.5);
  });

  it('stays within [1, cap]', () => {
    fc.assert(
      fc.property(count, count, sensitivity, cap, (demand, supply, s, c) => {
        const value = rawSurge(demand, supply, s, c);
        expect(value).toBeGreaterThanOrEqual(1);
        expect(value).toBeLessThanOrEqual(c);
      }),
    );
  });

  it('is non-decreasing in demand', () => {
    fc.assert(
      fc.property(count, count, count, sensitivity, cap, (a, b, supply, s, c) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(rawSurge(low, supply, s, c)).toBeLessThanOrEqual(rawSurge(high, supply, s, c));
      }),
    );
  });

  it('is non-increasing in supply', () => {
    fc.assert(
      fc.property(count, count, count, sensitivity, cap, (demand, a, b, s, c) => {
        const [few, many] = a <= b ? [a, b] : [b, a];
        expect(rawSurge(demand, many, s, c)).toBeLessThanOrEqual(rawSurge(demand, few, s, c));
      }),
    );
  });
});

describe('smoothSurge', () => {
  it('moves by 1 - exp(-Δt/τ) of the gap: nothing at once, 63 % after one time constant', () => {
    expect(smoothSurge(1, 2, 0, SURGE_TAU_MS)).toBe(1);
    expect(smoothSurge(1, 2, SURGE_TAU_MS, SURGE_TAU_MS)).toBe(1 + (1 - Math.exp(-1)));
    expect(smoothSurge(2, 1, -5000, SURGE_TAU_MS)).toBe(2);
  });

  it('stays between the previous value and the raw one', () => {
    fc.assert(
      fc.property(multiplier, multiplier, elapsed, (previous, raw, ms) => {
        const value = smoothSurge(previous, raw, ms, SURGE_TAU_MS);
        expect(value).toBeGreaterThanOrEqual(Math.min(previous, raw));
        expect(value).toBeLessThanOrEqual(Math.max(previous, raw));
      }),
    );
  });

  it('gets no further from the raw value as elapsed time grows, and reaches it in the end', () => {
    fc.assert(
      fc.property(multiplier, multiplier, elapsed, elapsed, (previous, raw, a, b) => {
        const [sooner, later] = a <= b ? [a, b] : [b, a];
        const gapSooner = Math.abs(smoothSurge(previous, raw, sooner, SURGE_TAU_MS) - raw);
        const gapLater = Math.abs(smoothSurge(previous, raw, later, SURGE_TAU_MS) - raw);
        expect(gapLater).toBeLessThanOrEqual(gapSooner);
        expect(Math.abs(smoothSurge(previous, raw, 50 * SURGE_TAU_MS, SURGE_TAU_MS) - raw)).toBeLessThan(
          1e-9,
        );
      }),
    );
  });
});

describe('SurgeEstimator', () => {
  const resolution = 7;
  const surgeMax = 2.5;
  // MG Road, Bengaluru.
  const pickup: GeoPoint = { lat: 12.9716, lng: 77.5946 };
  const pickupCell = latLngToCell(pickup.lat, pickup.lng, resolution);

  let geo: MemoryGeoIndex;
  let clock: ManualClock;
  let surge: SurgeEstimator;

  beforeEach(() => {
    geo = new MemoryGeoIndex();
    clock = new ManualClock();
    surge = new SurgeEstimator({ geo, cache: new MemoryCache({ clock }), clock, resolution, cap: surgeMax });
  });

  /** Members a few hundred metres around a point: all inside its cell or a neighbour. */
  async function place(
    set: string,
    prefix: string,
    howMany: number,
    around: GeoPoint = pickup,
  ): Promise<void> {
    for (let index = 0; index < howMany; index += 1) {
      await geo.upsert(set, `${prefix}-${index}`, {
        lat: around.lat + index * 0.0003,
        lng: around.lng - index * 0.0002,
      });
    }
  }

  async function removeAll(set: string, prefix: string, howMany: number): Promise<void> {
    for (let index = 0; index < howMany; index += 1) {
      await geo.remove(set, `${prefix}-${index}`);
    }
  }

  it('is 1.0 with no demand', async () => {
    await place(availableDriversSet('van'), 'driver', 3);
    expect(await surge.multiplier('van', pickup)).toEqual({
      multiplier: 1,
      demand: 0,
      supply: 3,
      cell: pickupCell,
    });
  });

  it('rises above 1, up to the cap, with many searching bookings around the pickup and one driver', async () => {
    await surge.multiplier('van', pickup);
    await place(searchingBookingsSet('van'), 'booking', 9);
    await place(availableDriversSet('van'), 'driver', 1);
    clock.advance(20 * 60_000);
    // raw = 1 + (9 - 1) / 1 × 0.25 = 3, capped at 2.5; twenty minutes of smoothing reach the cap.
    expect(await surge.multiplier('van', pickup)).toEqual({
      multiplier: 2.5,
      demand: 9,
      supply: 1,
      cell: pickupCell,
    });
  });

  it('counts demand only for its own vehicle type', async () => {
    await surge.multiplier('van', pickup);
    await place(searchingBookingsSet('truck'), 'booking', 9);
    clock.advance(20 * 60_000);
    expect(await surge.multiplier('van', pickup)).toMatchObject({ multiplier: 1, demand: 0, supply: 0 });
  });

  it('ignores bookings in a far-away cell', async () => {
    await surge.multiplier('bike', pickup);
    // Whitefield, some 17 km east.
    await place(searchingBookingsSet('bike'), 'far', 20, { lat: 12.9698, lng: 77.75 });
    clock.advance(20 * 60_000);
    expect(await surge.multiplier('bike', pickup)).toEqual({
      multiplier: 1,
      demand: 0,
      supply: 0,
      cell: pickupCell,
    });
  });

  it('ignores bookings just beyond the ring around the pickup cell, though within the search circle', async () => {
    const [centerLat, centerLng] = cellToLatLng(pickupCell);
    const center = { lat: centerLat, lng: centerLng };
    const outside = gridRing(pickupCell, 2)[0];
    if (outside === undefined) {
      throw new Error('no ring-2 cell');
    }
    // A point of the ring-2 cell close to its corner nearest the pickup cell.
    const [cellLat, cellLng] = cellToLatLng(outside);
    const corner = cellToBoundary(outside)
      .map(([lat, lng]) => ({ lat, lng }))
      .sort((a, b) => haversineKm(center, a) - haversineKm(center, b))[0];
    if (corner === undefined) {
      throw new Error('no corner');
    }
    const nearEdge = {
      lat: corner.lat + (cellLat - corner.lat) * 0.05,
      lng: corner.lng + (cellLng - corner.lng) * 0.05,
    };
    expect(latLngToCell(nearEdge.lat, nearEdge.lng, resolution)).toBe(outside);
    expect(gridDisk(pickupCell, 1)).not.toContain(outside);
    const diskReach = Math.max(
      ...gridDisk(pickupCell, 1).flatMap((cell) =>
        cellToBoundary(cell).map(([lat, lng]) => haversineKm(center, { lat, lng })),
      ),
    );
    expect(haversineKm(center, nearEdge)).toBeLessThan(diskReach);

    await surge.multiplier('van', pickup);
    await geo.upsert(searchingBookingsSet('van'), 'edge-booking', nearEdge);
    await place(searchingBookingsSet('van'), 'near', 2);
    clock.advance(20 * 60_000);
    expect(await surge.multiplier('van', pickup)).toMatchObject({ demand: 2, supply: 0 });
  });

  it('a cell with no history starts calm at 1.0, even in a burst', async () => {
    await place(searchingBookingsSet('van'), 'booking', 9);
    expect(await surge.multiplier('van', pickup)).toEqual({
      multiplier: 1,
      demand: 9,
      supply: 0,
      cell: pickupCell,
    });
  });

  it('smooths: a burst moves the multiplier only partly, a lull lowers it gradually', async () => {
    expect((await surge.multiplier('van', pickup)).multiplier).toBe(1);

    await place(searchingBookingsSet('van'), 'booking', 5);
    await place(availableDriversSet('van'), 'driver', 1);
    // raw = 1 + 4 × 0.25 = 2. After 30 s: 1 + (1 - e^-0.25) × 1 = 1.2212.
    clock.advance(30_000);
    expect(await surge.multiplier('van', pickup)).toEqual({
      multiplier: 1.22,
      demand: 5,
      supply: 1,
      cell: pickupCell,
    });

    // Ten more minutes of the same demand: 1.2212 + (1 - e^-5) × 0.7788 = 1.9948.
    clock.advance(10 * 60_000);
    expect((await surge.multiplier('van', pickup)).multiplier).toBe(1.99);

    // Demand vanishes; 30 s later the multiplier has come down only part of the way.
    await removeAll(searchingBookingsSet('van'), 'booking', 5);
    clock.advance(30_000);
    expect(await surge.multiplier('van', pickup)).toEqual({
      multiplier: 1.77,
      demand: 0,
      supply: 1,
      cell: pickupCell,
    });
  });

  it('reuses a reading for a second per vehicle type and cell: a burst of quotes costs one search', async () => {
    await place(searchingBookingsSet('van'), 'booking', 2);
    const searches = vi.spyOn(geo, 'nearby');
    const burst = await Promise.all([surge.multiplier('van', pickup), surge.multiplier('van', pickup)]);
    expect(burst[1]).toEqual(burst[0]);
    expect(searches).toHaveBeenCalledTimes(2);

    // Demand that arrives within the second shows from the next reading on.
    await place(searchingBookingsSet('van'), 'more', 3, { lat: pickup.lat + 0.0001, lng: pickup.lng });
    clock.advance(SURGE_REUSE_MS - 1);
    expect(await surge.multiplier('van', pickup)).toMatchObject({ demand: 2 });
    expect(await surge.multiplier('bike', pickup)).toMatchObject({ demand: 0 });
    clock.advance(1);
    expect(await surge.multiplier('van', pickup)).toMatchObject({ demand: 5 });
    expect(searches).toHaveBeenCalledTimes(6);
  });

  it('does not reuse a reading that failed', async () => {
    const searches = vi.spyOn(geo, 'nearby').mockRejectedValueOnce(new Error('geo index down'));
    await expect(surge.multiplier('van', pickup)).rejects.toThrow('geo index down');
    expect(await surge.multiplier('van', pickup)).toMatchObject({ multiplier: 1, demand: 0 });
    expect(searches.mock.calls.length).toBeGreaterThanOrEqual(3);
  });
});
