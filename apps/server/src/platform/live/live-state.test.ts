import { afterAll, describe, expect, it } from 'vitest';
import { startThrowawayRedis } from '../../../test/support/throwaway-services';
import { deleteKeysByPrefix } from '../../../test/support/redis-keys';
import { isCluster, redisClusterVariant, redisUrl, uniquePrefix } from '../../../test/support/tier';
import { MemoryGeoIndex } from '../geo/memory-geo-index';
import { RedisGeoIndex } from '../geo/redis-geo-index';
import { closeRedis, connectRedis, createRedis } from '../redis';
import { commandsDuring } from '../../../test/support/redis-monitor';
import type { LivePing } from './live-state.port';
import { describeLiveStateContract } from './live-state.contract';
import { MemoryLiveState } from './memory-live-state';
import { RedisLiveState } from './redis-live-state';

describeLiveStateContract('memory', () => {
  const geo = new MemoryGeoIndex();
  const store = new MemoryLiveState(geo);
  return Promise.resolve({ store, geo, close: () => store.close() });
});

describe.runIf(isCluster)('redis', () => {
  const redis = createRedis(redisUrl, 'live-state-test');
  const prefixes: string[] = [];
  describeLiveStateContract('redis', () => {
    const prefix = uniquePrefix('live');
    prefixes.push(prefix);
    const store = new RedisLiveState(redis, prefix);
    return Promise.resolve({ store, geo: new RedisGeoIndex(redis, prefix), close: () => store.close() });
  });
  afterAll(async () => {
    for (const prefix of prefixes) {
      await deleteKeysByPrefix(redis, prefix);
    }
    await closeRedis(redis);
  });
});

describe.runIf(isCluster)('redis: the ping script', () => {
  it('runs again after Redis lost its script cache (EVAL on NOSCRIPT)', async () => {
    // A private Redis: the shared one's script cache is not ours to flush.
    const server = await startThrowawayRedis();
    const redis = await connectRedis(server.url, 'live-state-noscript-test');
    try {
      const store = new RedisLiveState(redis, 'noscript:');
      const facts = { doc: '{}', set: 'available:van', indexed: true };
      const ping = (at: number) =>
        store.ping({
          member: '1',
          at,
          position: `{"at":${at}}`,
          point: { lat: 12.97, lng: 77.59 },
          sets: ['available:van'],
          rate: { limit: 10, windowMs: 1000 },
          positionTtlMs: 60_000,
        });
      await store.writeFacts('1', facts, 60_000);
      expect(await ping(1000)).toEqual({ outcome: 'accepted', facts: '{}' });
      await redis.script('FLUSH');
      expect(await ping(2000)).toEqual({ outcome: 'accepted', facts: '{}' });
      expect(await store.readPositions(['1'])).toEqual(['{"at":2000}']);
    } finally {
      await closeRedis(redis);
      await server.dispose();
    }
  });
});

describe.runIf(isCluster && !redisClusterVariant)('redis: pings gathered into one script call', () => {
  const redis = createRedis(redisUrl, 'live-state-batch-test');
  const monitorClient = createRedis(redisUrl, 'live-state-batch-monitor');
  const prefixes: string[] = [];

  afterAll(async () => {
    for (const prefix of prefixes) {
      await deleteKeysByPrefix(redis, prefix);
    }
    await closeRedis(monitorClient);
    await closeRedis(redis);
  });

  const storeUnder = (label: string) => {
    const prefix = uniquePrefix(label);
    prefixes.push(prefix);
    return { prefix, store: new RedisLiveState(redis, prefix), geo: new RedisGeoIndex(redis, prefix) };
  };

  const ping = (member: string, at: number): LivePing => ({
    member,
    at,
    position: `{"at":${at}}`,
    point: { lat: 12.97, lng: 77.59 },
    sets: ['available:van', 'available:bike'],
    rate: { limit: 10, windowMs: 1000 },
    positionTtlMs: 60_000,
  });

  /** The ping scripts `work` sent under `prefix`, each as its command and the facts keys of its pings. */
  async function scriptCalls(prefix: string, work: () => Promise<void>): Promise<string[][]> {
    const calls = await commandsDuring(
      monitorClient,
      (args) => args.some((arg) => arg.startsWith(prefix)),
      work,
    );
    return calls.map(([command, ...args]) => [
      command ?? '?',
      ...args.filter((arg) => arg.endsWith(':facts')),
    ]);
  }

  it('the pings of one turn of the event loop are one command, each answered as if alone', async () => {
    const { prefix, store, geo } = storeUnder('livebatch');
    const members = Array.from({ length: 50 }, (_, i) => String(1000 + i));
    // Members 1000..1039 have facts (the even ones available vans), the last ten none.
    for (const [i, member] of members.slice(0, 40).entries()) {
      await store.writeFacts(
        member,
        { doc: `{"n":${i}}`, set: 'available:van', indexed: i % 2 === 0 },
        60_000,
      );
    }
    await store.ping(ping('1001', 5000));

    let replies: Awaited<ReturnType<RedisLiveState['ping']>>[] = [];
    const calls = await scriptCalls(prefix, async () => {
      // 1001 again, with an older position: refused as stale inside the same batch.
      replies = await Promise.all([
        ...members.map((member) => store.ping(ping(member, 6000))),
        store.ping(ping('1001', 4000)),
      ]);
    });

    expect(calls.map(([command]) => command)).toEqual(['evalsha']);
    expect(replies.slice(0, 40)).toEqual(
      members.slice(0, 40).map((_, i) => ({ outcome: 'accepted', facts: `{"n":${i}}` })),
    );
    expect(replies.slice(40, 50)).toEqual(Array.from({ length: 10 }, () => ({ outcome: 'no_facts' })));
    expect(replies[50]).toEqual({ outcome: 'stale', facts: '{"n":1}' });
    expect(
      (await geo.nearby('available:van', { lat: 12.97, lng: 77.59 }, 1, 100)).map((hit) => hit.member).sort(),
    ).toEqual(members.slice(0, 40).filter((_, i) => i % 2 === 0));
  });

  it('a turn with more pings than one script takes sends them in full batches of 200', async () => {
    const { prefix, store } = storeUnder('livebatchsize');
    await store.ping(ping('1', 1000));
    let outcomes = new Set<string>();
    const calls = await scriptCalls(prefix, async () => {
      const replies = await Promise.all(
        Array.from({ length: 450 }, (_, i) => store.ping(ping(String(2000 + i), 1000))),
      );
      outcomes = new Set(replies.map((reply) => reply.outcome));
    });

    expect(calls.map((call) => [call[0], call.length - 1])).toEqual([
      ['evalsha', 200],
      ['evalsha', 200],
      ['evalsha', 50],
    ]);
    expect(outcomes).toEqual(new Set(['no_facts']));
  });

  it('a ping that fails in the script fails alone: the rest of its batch is stored', async () => {
    const { prefix, store } = storeUnder('livebatchfail');
    for (const member of ['1', '2', '3']) {
      await store.writeFacts(member, { doc: '{}', set: 'available:van', indexed: true }, 60_000);
    }
    // Member 2's position key holds a string: its HGET fails with WRONGTYPE.
    await redis.set(`${prefix}live:{2}:position`, 'not a hash');
    const results = await Promise.allSettled(['1', '2', '3'].map((member) => store.ping(ping(member, 7000))));

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/WRONGTYPE/);
    expect(await store.readPositions(['1', '3'])).toEqual(['{"at":7000}', '{"at":7000}']);
  });
});
