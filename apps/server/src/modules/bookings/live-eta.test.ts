import { describe, expect, it } from 'vitest';
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import type { BookingStatus, Coordinates } from '@loadline/contracts';
import { ManualClock } from '../../lib/clock';
import { createLogger } from '../../lib/logger';
import { MemoryCache } from '../../platform/cache/memory-cache';
import type { Database } from '../../platform/db/schema';
import type { Shard } from '../../platform/db/shard-pool';
import { RecordingSink } from '../../platform/realtime/realtime-sink.port';
import { LiveEta, type EtaBooking } from './live-eta';

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
  const eta = new LiveEta({
    cache,
    router: { forId: () => shard },
    // Every booking read finds no active trip: only a status change (the trip ended) reads one.
    bookings: { findById: () => Promise.resolve(undefined) },
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
  return { eta, request, pushes };
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
});
