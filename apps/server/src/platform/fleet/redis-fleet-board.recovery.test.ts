import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetDriver } from '@loadline/contracts';
import { createLogger } from '../../lib/logger';
import { isCluster } from '../../../test/support/tier';
import { startThrowawayRedis } from '../../../test/support/throwaway-services';
import { waitFor } from '../../../test/support/wait';
import { closeRedis, createRedis, waitForRedis, type RedisClient } from '../redis';
import { RedisFleetBoard } from './redis-fleet-board';

type Throwaway = Awaited<ReturnType<typeof startThrowawayRedis>>;

function driver(id: string, lat: number): FleetDriver {
  return { id, lat, lng: 77.59, status: 'available', vehicleType: 'van' };
}

async function ids(board: RedisFleetBoard): Promise<string[]> {
  return (await board.all()).map((entry) => entry.id).sort();
}

// Takes its own Redis down and brings it back empty, so it needs the cluster tier.
describe.runIf(isCluster)('Redis fleet board across a Redis restart (cluster)', () => {
  let server: Throwaway;
  let redis: RedisClient;
  let board: RedisFleetBoard;

  beforeAll(async () => {
    server = await startThrowawayRedis();
    redis = createRedis(server.url, 'fleet-recovery', { logger: createLogger('silent') });
    await waitForRedis(redis);
    board = new RedisFleetBoard(redis, 'fleet-recovery:', 20);
  }, 30_000);

  afterAll(async () => {
    await board.close();
    await closeRedis(redis);
    await server.dispose();
  });

  it('a failed write does not poison later ones: after Redis comes back empty the map takes writes again, the failed batch included', async () => {
    await board.upsert(driver('1', 1));
    expect(await ids(board)).toEqual(['1']);

    await server.kill();
    await board.upsert(driver('2', 2));
    await expect(board.flush()).rejects.toMatchObject({ status: 503, code: 'unavailable' });

    await server.restart();
    await waitForRedis(redis, 10_000);
    await board.upsert(driver('3', 3));
    // Driver 1 went with Redis's data; 2 was written while Redis was down and is sent again.
    await waitFor(async () => (await ids(board).catch(() => [])).join() === '2,3', 10_000);
    expect((await board.takeChanges()).changed.map((entry) => entry.id).sort()).toEqual(['2', '3']);
  });

  it('takes the map for whole at its first look, asks for one refill after Redis lost it, and none once refilled', async () => {
    const fresh = new RedisFleetBoard(redis, 'fleet-recovery-fresh:', 20);
    expect(await fresh.claimRefill(60_000)).toBeNull();
    expect(await fresh.claimRefill(60_000)).toBeNull();
    await fresh.close();
    // A process that boots later finds the map whole, as the first one marked it.
    expect(await board.claimRefill(60_000)).toBeNull();

    await server.restart();
    await waitForRedis(redis, 10_000);
    const first = await board.claimRefill(60_000);
    expect(first).not.toBeNull();
    expect(await board.claimRefill(60_000)).toBeNull();
    await board.completeRefill(first ?? '');
    expect(await board.claimRefill(60_000)).toBeNull();

    await server.restart();
    await waitForRedis(redis, 10_000);
    const again = await board.claimRefill(60_000);
    expect(again).not.toBeNull();
    await board.completeRefill(again ?? '');
    expect(await board.claimRefill(60_000)).toBeNull();
  });

  it('a refill claim that lapsed, or outlived a loss, does not mark the map whole', async () => {
    await server.restart();
    await waitForRedis(redis, 10_000);
    const lapsed = await board.claimRefill(1);
    expect(lapsed).not.toBeNull();
    await waitFor(async () => (await redis.exists('fleet-recovery:{fleet}:refill')) === 0);
    await board.completeRefill(lapsed ?? '');
    const retried = await board.claimRefill(60_000);
    expect(retried).not.toBeNull();

    await server.restart();
    await waitForRedis(redis, 10_000);
    await board.completeRefill(retried ?? '');
    expect(await board.claimRefill(60_000)).not.toBeNull();
  });
});
