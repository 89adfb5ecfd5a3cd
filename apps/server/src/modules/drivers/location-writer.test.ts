import { describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { createLogger } from '../../lib/logger';
import type { Database } from '../../platform/db/schema';
import type { Shard } from '../../platform/db/shard-pool';
import type { StoredPosition } from './drivers.repository';
import { LocationWriter } from './location-writer';

interface Write {
  shard: number;
  driverId: string;
  position: StoredPosition;
}

/** Drivers whose ID starts with "1" live on shard 1, the rest on shard 0. */
function fakes(options: { failFor?: string } = {}) {
  const writes: Write[] = [];
  let failures = 0;
  const shards = [0, 1].map((index): Shard => ({
    index,
    label: `shard_${index}`,
    dialect: 'sqlite',
    db: { index } as unknown as Kysely<Database>,
  }));
  const router = { forId: (id: string): Shard => shards[id.startsWith('1') ? 1 : 0] as Shard };
  const drivers = {
    updateLastPosition: (db: unknown, driverId: string, position: StoredPosition): Promise<void> => {
      if (driverId === options.failFor && failures === 0) {
        failures += 1;
        return Promise.reject(new Error('shard down'));
      }
      writes.push({ shard: (db as { index: number }).index, driverId, position });
      return Promise.resolve();
    },
  };
  const writer = new LocationWriter({ router, drivers, logger: createLogger('silent') });
  return { writer, writes };
}

const at = (lat: number, time: number): StoredPosition => ({ lat, lng: 77.5, heading: null, at: time });

describe('LocationWriter', () => {
  it('writes one UPDATE per driver with the newest of its queued positions, on the driver shard', async () => {
    const { writer, writes } = fakes();
    writer.enqueue('100', at(12.1, 1000));
    writer.enqueue('100', at(12.3, 3000));
    writer.enqueue('100', at(12.2, 2000));
    writer.enqueue('200', at(13.0, 1500));

    expect(await writer.flush()).toBe(2);
    expect(writes.sort((a, b) => a.driverId.localeCompare(b.driverId))).toEqual([
      { shard: 1, driverId: '100', position: at(12.3, 3000) },
      { shard: 0, driverId: '200', position: at(13.0, 1500) },
    ]);
    expect(writer.size).toBe(0);
    expect(await writer.flush()).toBe(0);
  });

  it('keeps a position whose write failed for the next flush, unless a newer one arrived', async () => {
    const { writer, writes } = fakes({ failFor: '200' });
    writer.enqueue('200', at(13.0, 1000));
    expect(await writer.flush()).toBe(0);
    expect(writer.size).toBe(1);

    expect(await writer.flush()).toBe(1);
    expect(writes).toEqual([{ shard: 0, driverId: '200', position: at(13.0, 1000) }]);
  });

  it('stop() writes what is still queued', async () => {
    const { writer, writes } = fakes();
    writer.start();
    writer.enqueue('100', at(12.5, 5000));
    await writer.stop();
    expect(writes).toEqual([{ shard: 1, driverId: '100', position: at(12.5, 5000) }]);
  });
});
