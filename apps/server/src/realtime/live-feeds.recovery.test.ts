import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetDriver } from '@loadline/contracts';
import { ManualClock } from '../lib/clock';
import { createLogger } from '../lib/logger';
import { MemoryCache } from '../platform/cache/memory-cache';
import { RedisFleetBoard } from '../platform/fleet/redis-fleet-board';
import { RecordingSink } from '../platform/realtime/realtime-sink.port';
import { closeRedis, createRedis, waitForRedis, type RedisClient } from '../platform/redis';
import { isCluster } from '../../test/support/tier';
import { startThrowawayRedis } from '../../test/support/throwaway-services';
import { LiveFeeds } from './live-feeds';

type Throwaway = Awaited<ReturnType<typeof startThrowawayRedis>>;

/** What SQL says is online: the refill puts these back. */
const ONLINE: FleetDriver[] = [
  { id: '11', lat: 12.97, lng: 77.59, status: 'available', vehicleType: 'van' },
  { id: '12', lat: 12.98, lng: 77.6, status: 'busy', vehicleType: 'truck' },
];

// Restarts its own Redis empty, so it needs the cluster tier.
describe.runIf(isCluster)('admin live map after Redis comes back empty (cluster)', () => {
  let server: Throwaway;
  let redis: RedisClient;
  let board: RedisFleetBoard;
  const sink = new RecordingSink();
  let refills = 0;
  let live: LiveFeeds;

  beforeAll(async () => {
    server = await startThrowawayRedis();
    redis = createRedis(server.url, 'live-feeds-recovery', { logger: createLogger('silent') });
    await waitForRedis(redis);
    board = new RedisFleetBoard(redis, 'live-feeds-recovery:', 20);
    live = new LiveFeeds({
      board,
      cache: new MemoryCache(),
      sink,
      clock: new ManualClock(),
      overview: () => Promise.reject(new Error('not used')),
      adminsPresent: () => Promise.resolve(true),
      refill: async () => {
        refills += 1;
        await Promise.all(ONLINE.map((entry) => board.upsert(entry)));
        return ONLINE.length;
      },
      logger: createLogger('silent'),
    });
  }, 30_000);

  afterAll(async () => {
    await board.close();
    await closeRedis(redis);
    await server.dispose();
  });

  it('one refill puts every online driver back and sends admins the whole map', async () => {
    // Just booted: the boot's own rebuild filled the map, so there is nothing to refill.
    expect(await live.refillIfLost()).toBe(false);
    await server.restart();
    await waitForRedis(redis, 10_000);
    expect((await live.snapshot()).drivers).toEqual([]);
    sink.delivered.length = 0;

    expect(await live.refillIfLost()).toBe(true);
    expect(await live.refillIfLost()).toBe(false);
    expect(refills).toBe(1);
    const byId = (a: FleetDriver, b: FleetDriver) => a.id.localeCompare(b.id);
    expect((await live.snapshot()).drivers.sort(byId)).toEqual(ONLINE);
    expect(sink.delivered).toHaveLength(1);
    const [delivery] = sink.delivered;
    if (delivery?.event !== 'fleetUpdate') {
      throw new Error('a fleetUpdate was expected');
    }
    expect(delivery.rooms).toEqual(['fleet']);
    expect(delivery.data.full).toBe(true);
    expect(delivery.data.drivers.sort(byId)).toEqual(ONLINE);
  });
});
