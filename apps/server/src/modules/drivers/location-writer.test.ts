import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Kysely } from 'kysely';
import { createLogger } from '../../lib/logger';
import type { Database } from '../../platform/db/schema';
import type { Shard } from '../../platform/db/shard-pool';
import type { BreadcrumbRow } from '../tracking/breadcrumbs.repository';
import type { StoredPosition } from './drivers.repository';
import { LocationWriter } from './location-writer';

interface Call {
  shard: number;
  rows: number;
}

/** Drivers and bookings whose ID starts with "1" live on shard 1, the rest on shard 0. */
function fakes(
  options: { failPositionsOnce?: boolean; intervalMs?: number; positionsIntervalMs?: number } = {},
) {
  const positionCalls: Call[] = [];
  const crumbCalls: Call[] = [];
  const stored = new Map<string, StoredPosition>();
  const crumbs: BreadcrumbRow[] = [];
  let fail = options.failPositionsOnce === true;
  const shards = [0, 1].map((index): Shard => ({
    index,
    label: `shard_${index}`,
    dialect: 'sqlite',
    db: { index } as unknown as Kysely<Database>,
  }));
  const router = { shards, forId: (id: string): Shard => shards[id.startsWith('1') ? 1 : 0] as Shard };
  const drivers = {
    updateLastPositions: (
      db: unknown,
      entries: readonly (readonly [string, StoredPosition])[],
    ): Promise<void> => {
      if (fail) {
        fail = false;
        return Promise.reject(new Error('shard down'));
      }
      positionCalls.push({ shard: (db as { index: number }).index, rows: entries.length });
      for (const [driverId, position] of entries) {
        stored.set(driverId, position);
      }
      return Promise.resolve();
    },
  };
  const breadcrumbs = {
    insertMany: (db: unknown, _dialect: string, rows: readonly BreadcrumbRow[]): Promise<void> => {
      crumbCalls.push({ shard: (db as { index: number }).index, rows: rows.length });
      crumbs.push(...rows);
      return Promise.resolve();
    },
  };
  const writer = new LocationWriter({
    router,
    drivers,
    breadcrumbs,
    logger: createLogger('silent'),
    ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
    ...(options.positionsIntervalMs === undefined
      ? {}
      : { positionsIntervalMs: options.positionsIntervalMs }),
  });
  return { writer, positionCalls, crumbCalls, stored, crumbs };
}

const at = (lat: number, time: number): StoredPosition => ({ lat, lng: 77.5, heading: null, at: time });

describe('LocationWriter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps the newest position per driver and writes each shard in one statement', async () => {
    const { writer, positionCalls, stored } = fakes();
    writer.enqueue('100', at(12.1, 1000));
    writer.enqueue('100', at(12.3, 3000));
    writer.enqueue('100', at(12.2, 2000));
    writer.enqueue('200', at(13.0, 1500));
    writer.enqueue('201', at(13.1, 1500));

    expect(await writer.flush()).toBe(3);
    expect(positionCalls.sort((a, b) => a.shard - b.shard)).toEqual([
      { shard: 0, rows: 2 },
      { shard: 1, rows: 1 },
    ]);
    expect(stored.get('100')).toEqual(at(12.3, 3000));
    expect(writer.size).toBe(0);
    expect(await writer.flush()).toBe(0);
  });

  it('writes as many statements for 20,000 pings as for 200: SQL writes do not grow with the ping rate', async () => {
    const statements = async (pingsPerDriver: number) => {
      const { writer, positionCalls, crumbCalls, crumbs } = fakes();
      for (let ping = 0; ping < pingsPerDriver; ping += 1) {
        for (let driver = 0; driver < 100; driver += 1) {
          const driverId = `${driver % 2 === 0 ? 1 : 2}${String(driver).padStart(3, '0')}`;
          // Drivers 0..9 are on a trip: their pings are breadcrumbs of booking 1xxx / 2xxx.
          const bookingId = driver < 10 ? `${driverId}9` : null;
          writer.enqueue(driverId, { ...at(12 + ping / 1000, 1000 + ping * 1000), speedKmh: 30 }, bookingId);
        }
      }
      await writer.flush();
      return { statements: positionCalls.length + crumbCalls.length, crumbs: crumbs.length };
    };
    const few = await statements(2);
    const many = await statements(200);
    expect(few.statements).toBe(4);
    expect(many.statements).toBe(4);
    // Every breadcrumb is kept: 10 drivers on trips x pings.
    expect(few.crumbs).toBe(20);
    expect(many.crumbs).toBe(2000);
  });

  it('keeps positions whose write failed for the next flush, unless a newer one arrived', async () => {
    const { writer, stored } = fakes({ failPositionsOnce: true });
    writer.enqueue('200', at(13.0, 1000));
    expect(await writer.flush()).toBe(0);
    expect(writer.size).toBe(1);
    writer.enqueue('200', at(13.5, 500));
    expect(await writer.flush()).toBe(1);
    expect(stored.get('200')).toEqual(at(13.0, 1000));
  });

  it('stop() writes what is still queued', async () => {
    const { writer, stored, crumbs } = fakes();
    writer.start();
    writer.enqueue('100', at(12.9, 9000), '1555');
    await writer.stop();
    expect(stored.get('100')).toEqual(at(12.9, 9000));
    expect(crumbs).toHaveLength(1);
  });

  it('writes breadcrumbs every interval and last positions every positions interval', async () => {
    vi.useFakeTimers();
    const { writer, positionCalls, crumbCalls, stored, crumbs } = fakes({
      intervalMs: 1000,
      positionsIntervalMs: 5000,
    });
    writer.start();
    writer.enqueue('100', at(12.1, 1000), '1555');
    await vi.advanceTimersByTimeAsync(1000);
    expect(crumbs).toHaveLength(1);
    expect(positionCalls).toHaveLength(0);
    expect(writer.size).toBe(1);

    writer.enqueue('100', at(12.2, 2000), '1555');
    await vi.advanceTimersByTimeAsync(3000);
    expect(crumbs).toHaveLength(2);
    expect(positionCalls).toHaveLength(0);

    await vi.advanceTimersByTimeAsync(1000);
    expect(positionCalls).toEqual([{ shard: 1, rows: 1 }]);
    expect(stored.get('100')).toEqual(at(12.2, 2000));
    expect(crumbCalls).toHaveLength(2);
    await writer.stop();
  });
});
