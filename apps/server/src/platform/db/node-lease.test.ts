import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../lib/logger';
import { isCluster } from '../../../test/support/tier';
import { startThrowawayRedis } from '../../../test/support/throwaway-services';
import { waitFor } from '../../../test/support/wait';
import { closeRedis, createRedis, waitForRedis, type RedisClient } from '../redis';
import { GENERATED_ID_NODE } from './ids';
import { NodeLease } from './node-lease';

type Throwaway = Awaited<ReturnType<typeof startThrowawayRedis>>;

const PREFIX = 'lease-test:';
const logger = createLogger('silent');

/**
 * Samples which node every lease would mint with, between the test's own
 * steps, and records any moment two of them would mint with the same one.
 */
function watchOverlaps(leases: () => readonly NodeLease[]): { overlaps: string[]; stop: () => void } {
  const overlaps: string[] = [];
  const timer = setInterval(() => {
    const nodes = leases()
      .map((lease) => lease.node)
      .filter((node): node is number => node !== null);
    if (new Set(nodes).size !== nodes.length) {
      overlaps.push(nodes.join(','));
    }
  }, 2);
  return { overlaps, stop: () => clearInterval(timer) };
}

/** Holds every node number but `free` with a key no process renews, as other processes would. */
async function occupyAllBut(redis: RedisClient, free: readonly number[]): Promise<void> {
  const batch = redis.multi();
  for (let node = 0; node < GENERATED_ID_NODE; node += 1) {
    if (!free.includes(node)) {
      batch.set(`${PREFIX}idnode:${node}`, 'someone-else', 'PX', 120_000);
    }
  }
  await batch.exec();
}

// Restarts its own Redis empty, so it needs the cluster tier.
describe.runIf(isCluster)('ID node leases when Redis loses them (cluster)', () => {
  let server: Throwaway;
  let redis: RedisClient;
  const leases: NodeLease[] = [];

  async function lease(): Promise<NodeLease> {
    const acquired = await NodeLease.acquire(redis, PREFIX, logger);
    leases.push(acquired);
    return acquired;
  }

  beforeAll(async () => {
    server = await startThrowawayRedis();
    redis = createRedis(server.url, 'lease-test', { commandTimeoutMs: 1_000, logger });
    await waitForRedis(redis);
  }, 30_000);

  afterAll(async () => {
    await Promise.all(leases.map((held) => held.release()));
    await closeRedis(redis);
    await server.dispose();
  });

  it('a lease whose key was deleted is taken again, and minting never stops for long', async () => {
    const first = await lease();
    const node = first.current();
    await redis.del(`${PREFIX}idnode:${node}`);
    await waitFor(async () => (await redis.exists(`${PREFIX}idnode:${node}`)) === 1, 5_000);
    await waitFor(() => first.node !== null, 5_000);
    expect(first.current()).toBe(node);
  });

  it('two processes never mint with one node, across a Redis restart with a newcomer racing for their nodes', async () => {
    const [a, b] = [leases[0] ?? (await lease()), await lease()];
    const nodes = [a.current(), b.current()];
    expect(new Set(nodes).size).toBe(2);
    const watch = watchOverlaps(() => leases);
    try {
      await server.restart();
      await waitForRedis(redis, 10_000);
      // Only a's and b's nodes are free: the newcomer must take one that a or b minted with a moment ago.
      await occupyAllBut(redis, nodes);
      const newcomer = await lease();
      expect(nodes).toContain(newcomer.current());
      // The one of a and b that lost its node to the newcomer mints nothing until a node frees up.
      await waitFor(() => a.node === null || b.node === null, 5_000);
      const spare = Array.from({ length: GENERATED_ID_NODE }, (_, node) => node).filter(
        (node) => !nodes.includes(node),
      );
      await redis.del(...spare.slice(0, 2).map((node) => `${PREFIX}idnode:${node}`));
      await waitFor(() => a.node !== null && b.node !== null, 10_000);
      expect(new Set([a.current(), b.current(), newcomer.current()]).size).toBe(3);
    } finally {
      watch.stop();
    }
    expect(watch.overlaps).toEqual([]);
  });

  it('a lease whose renewal timer is held up is renewed by a mint, so a loop busy with I/O keeps minting', async () => {
    // The loop runs no timers (as while it works round after round of ready sockets): the interval never fires.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const clock = vi.spyOn(performance, 'now');
    const held = await NodeLease.acquire(redis, PREFIX, logger);
    try {
      const node = held.current();
      const start = performance.now();
      // No renewal for 2.5 s: this mint sends one.
      clock.mockReturnValue(start + 2_500);
      expect(held.current()).toBe(node);
      // Past the three seconds the last timer's renewal counted for, the mint's renewal holds.
      clock.mockReturnValue(start + 4_000);
      await waitFor(() => held.node !== null, 2_000);
      expect(held.current()).toBe(node);
    } finally {
      clock.mockRestore();
      await held.release();
      vi.useRealTimers();
    }
  });

  it('answers 503 unavailable while no lease is confirmed, and mints again once Redis answers', async () => {
    const held = leases[0] ?? (await lease());
    server.pause();
    try {
      await waitFor(() => held.node === null, 10_000);
      let refused: unknown = null;
      try {
        held.current();
      } catch (error) {
        refused = error;
      }
      expect(refused).toMatchObject({ status: 503, code: 'unavailable', details: { dependency: 'id_node' } });
    } finally {
      server.resume();
    }
    await waitFor(() => held.node !== null, 10_000);
  });
});
