import { describe, expect, it } from 'vitest';
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import type { BookingStatus, Coordinates } from '@loadline/contracts';
import { ManualClock } from '../../lib/clock';
import { createLogger } from '../../lib/logger';
import { MemoryCache } from '../../platform/cache/memory-cache';
import type { Database } from '../../platform/db/schema';
import type { Shard } from '../../platform/db/shard-pool';
import { RecordingSink } from '../../platform/realtime/realtime-sink.port';
import { knownMinutes, legOf, LiveEta, type EtaBooking, type EtaStop } from './live-eta';

const PICKUP: Coordinates = { lat: 12.97, lng: 77.59 };
const DROPOFF: Coordinates = { lat: 13.05, lng: 77.65 };

function booking(status: BookingStatus): EtaBooking {
  return {
    id: '4200000000000001',
    customer_id: '4200000000000002',
    status,
    vehicle_type: 'van',
    pickup_lat: PICKUP.lat,
    pickup_lng: PICKUP.lng,
    dropoff_lat: DROPOFF.lat,
    dropoff_lng: DROPOFF.lng,
  };
}

/**
 * A LiveEta on an in-memory cache whose routing service answers only when the
 * test says so.
 */
function harness() {
  const answers: ((minutes: number) => void)[] = [];
  const travel = {
    routeMinutes: () => new Promise<number>((resolve) => answers.push(resolve)),
  };
  const shard: Shard = {
    index: 0,
    label: 'shard_0',
    dialect: 'sqlite',
    // Never queried: the booking reads below are answered in memory.
    db: new Kysely<Database>({
      dialect: {
        createAdapter: () => new SqliteAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (db) => new SqliteIntrospector(db),
        createQueryCompiler: () => new SqliteQueryCompiler(),
      },
    }),
  };
  const cache = new MemoryCache();
  const sink = new RecordingSink();
  const bookingReads: string[] = [];
  const eta = new LiveEta({
    cache,
    router: { forId: () => shard },
    // Every booking read finds no active trip: only a status change (the trip ended) reads one.
    bookings: {
      findById: (_db, id) => {
        bookingReads.push(id);
        return Promise.resolve(undefined);
      },
    },
    stops: { forBooking: () => Promise.resolve([]) },
    travel,
    sink,
    clock: new ManualClock(),
    logger: createLogger('silent'),
  });
  /** The next routing request: a function that answers it. */
  const request = async (): Promise<(minutes: number) => void> => {
    await waitUntil(() => answers.length > 0);
    const answer = answers.shift();
    if (answer === undefined) {
      throw new Error('no routing request');
    }
    return answer;
  };
  const pushes = () =>
    sink.delivered.flatMap((delivery) =>
      delivery.event === 'etaUpdated' ? [[delivery.data.toStop, delivery.data.etaMinutes]] : [],
    );
  return { eta, request, pushes, bookingReads };
}

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let turn = 0; !condition(); turn += 1) {
    if (turn > 1000) {
      throw new Error('condition never held');
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Lets every promise chain started so far run to its end (the memory cache sets no timers). */
function settled(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('live ETA', () => {
  it('a recomputation that the trip outran (it moved to its next leg meanwhile) is dropped, not written back', async () => {
    const { eta, request, pushes } = harness();
    const published = eta.current(booking('driver_assigned'), PICKUP);
    (await request())(12);
    expect(await published).toBe(12);

    // A ping recomputes the pickup leg; the routing service is slow to answer.
    eta.observe(booking('driver_assigned').id, { lat: 12.9, lng: 77.5 });
    const slow = await request();
    // Meanwhile the goods are collected: the drop-off leg is published.
    const nextLeg = eta.current(booking('goods_collected'), PICKUP);
    (await request())(25);
    expect(await nextLeg).toBe(25);
    // The pickup leg's answer comes last, and changes nothing.
    slow(3);
    await settled();

    expect(pushes()).toEqual([
      [0, 12],
      [1, 25],
    ]);
    expect(await eta.current(booking('goods_collected'), PICKUP)).toBe(25);
  });

  it('a recomputation that the trip outran (it ended meanwhile) brings back no ETA and pushes nothing', async () => {
    const { eta, request, pushes } = harness();
    const published = eta.current(booking('in_transit'), PICKUP);
    (await request())(20);
    expect(await published).toBe(20);

    const id = booking('in_transit').id;
    eta.observe(id, { lat: 13.0, lng: 77.6 });
    const slow = await request();
    // Delivered while the routing service thinks (the booking read finds no active trip): the ETA is dropped.
    await eta.statusChanged(id);
    slow(2);
    await settled();
    expect(pushes()).toEqual([[1, 20]]);

    // Nothing was written back: a read computes afresh.
    const after = eta.current(booking('in_transit'), PICKUP);
    (await request())(19);
    expect(await after).toBe(19);
    expect(pushes()).toEqual([
      [1, 20],
      [1, 19],
    ]);
  });

  it('a status change of a booking without an ETA reads nothing from SQL; one with an ETA drops it when the trip ended', async () => {
    const { eta, request, bookingReads } = harness();
    await eta.statusChanged('4200000000000009');
    expect(bookingReads).toEqual([]);

    const published = eta.current(booking('in_transit'), PICKUP);
    (await request())(20);
    expect(await published).toBe(20);
    await eta.statusChanged(booking('in_transit').id);
    expect(bookingReads).toEqual([booking('in_transit').id]);
    // Dropped: the next status change finds no ETA and reads nothing.
    await eta.statusChanged(booking('in_transit').id);
    expect(bookingReads).toEqual([booking('in_transit').id]);
  });

  it('knows an ETA only for the status it was worked out for, without asking the routing service', async () => {
    const { eta, request } = harness();
    const id = booking('in_transit').id;
    expect(await eta.knownFor(id)).toBeNull();
    const published = eta.current(booking('in_transit'), PICKUP);
    (await request())(20);
    expect(await published).toBe(20);
    const known = await eta.knownFor(id);
    expect(known).toEqual({ status: 'in_transit', etaMinutes: 20 });
    expect(knownMinutes(known, 'in_transit')).toBe(20);
    expect(knownMinutes(known, 'goods_collected')).toBeNull();
  });

  it('a leg heads for the pickup, then for the first stop not yet delivered or failed', () => {
    const stops: EtaStop[] = [
      { seq: 1, lat: 13.0, lng: 77.6, status: 'delivered' },
      { seq: 2, lat: 13.01, lng: 77.61, status: 'failed' },
      { seq: 3, lat: 13.02, lng: 77.62, status: 'arrived' },
      { seq: 4, lat: 13.03, lng: 77.63, status: 'pending' },
    ];
    const leg = (status: BookingStatus, of: EtaStop[]) => {
      const { target, toStop } = legOf(booking(status), of);
      return { target, toStop };
    };
    expect(leg('en_route_to_pickup', stops)).toEqual({ target: PICKUP, toStop: 0 });
    expect(leg('arrived_at_pickup', stops)).toEqual({ target: PICKUP, toStop: 0 });
    expect(leg('in_transit', stops)).toEqual({ target: { lat: 13.02, lng: 77.62 }, toStop: 3 });
    expect(leg('in_transit', stops.slice(3))).toEqual({ target: { lat: 13.03, lng: 77.63 }, toStop: 4 });
    // Every stop settled (the delivery is being committed): the last one.
    expect(leg('in_transit', stops.slice(0, 2))).toEqual({ target: { lat: 13.01, lng: 77.61 }, toStop: 2 });
    // A booking made before stops were stored heads for its drop-off.
    expect(leg('goods_collected', [])).toEqual({ target: DROPOFF, toStop: 1 });
  });
});
