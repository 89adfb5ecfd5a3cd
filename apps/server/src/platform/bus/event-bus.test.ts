import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysByPrefix } from '../../../test/support/redis-keys';
import { isCluster, redisUrl, uniquePrefix } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';
import { createLogger } from '../../lib/logger';
import { closeRedis, connectRedis, isClusterUrl, isRedisCluster, type RedisClient } from '../redis';
import { describeEventBusContract } from './event-bus.contract';
import { MemoryEventBus } from './memory-event-bus';
import { RedisEventBus } from './redis-event-bus';

// Handler failures are expected in the contract; keep them out of the test output.
const logger = createLogger('silent');

describeEventBusContract('MemoryEventBus', () => new MemoryEventBus({ logger }));

describe('MemoryEventBus', () => {
  it('delivers nothing that was published before a subscribe', async () => {
    const bus = new MemoryEventBus({ logger });
    const received: unknown[] = [];
    await bus.publish('orders', 'early');
    await bus.subscribe('orders', (message) => received.push(message));
    await bus.publish('orders', 'late');
    await waitFor(() => received.length === 1);
    expect(received).toEqual(['late']);
    await bus.close();
  });
});

describe.runIf(isCluster)('RedisEventBus', () => {
  const prefix = uniquePrefix('bus');
  const buses: RedisEventBus[] = [];
  let redis: RedisClient;
  let opened = 0;

  function openBus(busPrefix: string): RedisEventBus {
    const bus = new RedisEventBus(redisUrl, busPrefix, { logger });
    buses.push(bus);
    return bus;
  }

  beforeAll(async () => {
    // Unreachable Redis fails here: the cluster tier never skips.
    redis = await connectRedis(redisUrl, 'bus-test');
  });

  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
    await deleteKeysByPrefix(redis, prefix);
    await closeRedis(redis);
  });

  describeEventBusContract('RedisEventBus', () => {
    opened += 1;
    return openBus(`${prefix}${opened}:`);
  });

  it('two buses on one prefix reach each other, as two processes would', async () => {
    const publisher = openBus(`${prefix}pair:`);
    const subscriber = openBus(`${prefix}pair:`);
    const received: unknown[] = [];
    await subscriber.subscribe('orders', (message) => received.push(message));
    // No wait between: subscribe resolved only once Redis had confirmed it.
    await publisher.publish('orders', { id: 1 });
    await waitFor(() => received.length === 1);
    expect(received).toEqual([{ id: 1 }]);
  });

  it('publishes JSON on <prefix><channel>', async () => {
    const bus = openBus(`${prefix}raw:`);
    // On a Redis Cluster the bus uses sharded pub/sub.
    const sharded = isClusterUrl(redisUrl);
    const listener = await connectRedis(redisUrl, 'bus-test-listener', { shardedSubscribers: sharded });
    const received: [string, string][] = [];
    listener.on(sharded ? 'smessage' : 'message', (channel: string, payload: string) =>
      received.push([channel, payload]),
    );
    await (sharded ? listener.ssubscribe(`${prefix}raw:orders`) : listener.subscribe(`${prefix}raw:orders`));
    await bus.publish('orders', { id: 1 });
    await waitFor(() => received.length === 1);
    expect(received).toEqual([[`${prefix}raw:orders`, '{"id":1}']]);
    await closeRedis(listener);
  });

  it('buses with different prefixes do not hear each other', async () => {
    const one = openBus(`${prefix}one:`);
    const two = openBus(`${prefix}two:`);
    const onOne: unknown[] = [];
    const onTwo: unknown[] = [];
    await one.subscribe('orders', (message) => onOne.push(message));
    await two.subscribe('orders', (message) => onTwo.push(message));
    await two.publish('orders', 'for two');
    await waitFor(() => onTwo.length === 1);
    expect(onOne).toEqual([]);
  });

  it('handlers of a channel share one Redis subscription, dropped with the last handler', async () => {
    const bus = openBus(`${prefix}shared:`);
    const channel = `${prefix}shared:orders`;
    const subscribers = async (): Promise<unknown> => {
      if (!isRedisCluster(redis)) {
        return (await redis.pubsub('NUMSUB', channel))[1];
      }
      // Sharded channels, counted on the node that owns each (the others answer 0).
      const counts = await Promise.all(
        redis.nodes('master').map(async (node) => Number((await node.pubsub('SHARDNUMSUB', channel))[1])),
      );
      return counts.reduce((sum, count) => sum + count, 0);
    };
    const [first, second] = await Promise.all([
      bus.subscribe('orders', () => undefined),
      bus.subscribe('orders', () => undefined),
    ]);
    expect(await subscribers()).toBe(1);
    await first();
    expect(await subscribers()).toBe(1);
    await second();
    expect(await subscribers()).toBe(0);
  });

  it('subscribe fails when Redis cannot be reached', async () => {
    const bus = new RedisEventBus('redis://127.0.0.1:1', `${prefix}down:`, { logger });
    await expect(bus.subscribe('orders', () => undefined)).rejects.toThrow();
    await bus.close();
  });
});
