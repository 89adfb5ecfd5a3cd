import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysByPrefix } from '../../../test/support/redis-keys';
import { isCluster, redisUrl, uniquePrefix } from '../../../test/support/tier';
import { ManualClock } from '../../lib/clock';
import { closeRedis, connectRedis, type RedisClient } from '../redis';
import { describeCacheContract } from './cache.contract';
import { MemoryCache } from './memory-cache';
import { RedisCache } from './redis-cache';

describeCacheContract('MemoryCache', () => new MemoryCache());

describe('MemoryCache', () => {
  it('expires a value exactly at its ttl', async () => {
    const clock = new ManualClock();
    const cache = new MemoryCache({ clock });
    await cache.set('a', '1', 10);
    clock.advance(9_999);
    expect(await cache.get('a')).toBe('1');
    clock.advance(1);
    expect(await cache.get('a')).toBeNull();
  });

  it('increment reports the exact remaining ttl', async () => {
    const clock = new ManualClock();
    const cache = new MemoryCache({ clock });
    expect(await cache.increment('hits', 60)).toEqual({ value: 1, ttlMs: 60_000 });
    clock.advance(1_500);
    expect(await cache.increment('hits', 60)).toEqual({ value: 2, ttlMs: 58_500 });
    clock.advance(58_500);
    expect(await cache.increment('hits', 60)).toEqual({ value: 1, ttlMs: 60_000 });
  });

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const cache = new MemoryCache({ maxEntries: 2 });
    await cache.set('a', '1', 60);
    await cache.set('b', '2', 60);
    // Reading a makes b the least recently used.
    expect(await cache.get('a')).toBe('1');
    await cache.set('c', '3', 60);
    expect(await cache.getMany(['a', 'b', 'c'])).toEqual(['1', null, '3']);
  });

  it('refuses a maxEntries below one', () => {
    expect(() => new MemoryCache({ maxEntries: 0 })).toThrow(RangeError);
  });
});

describe.runIf(isCluster)('RedisCache', () => {
  const prefix = uniquePrefix('cache');
  let redis: RedisClient;
  let opened = 0;

  beforeAll(async () => {
    // Unreachable Redis fails here: the cluster tier never skips.
    redis = await connectRedis(redisUrl, 'cache-test');
  });

  afterAll(async () => {
    await deleteKeysByPrefix(redis, prefix);
    await closeRedis(redis);
  });

  describeCacheContract('RedisCache', () => {
    opened += 1;
    return new RedisCache(redis, `${prefix}${opened}:`);
  });

  it('keeps its keys under <prefix>cache: with a PX expiry', async () => {
    const cache = new RedisCache(redis, `${prefix}layout:`);
    await cache.set('a', '1', 60);
    expect(await redis.get(`${prefix}layout:cache:a`)).toBe('1');
    const ttl = await redis.pttl(`${prefix}layout:cache:a`);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('caches with different prefixes do not see each other', async () => {
    const one = new RedisCache(redis, `${prefix}one:`);
    const two = new RedisCache(redis, `${prefix}two:`);
    await one.set('a', '1', 60);
    expect(await two.get('a')).toBeNull();
  });

  it('increment gives a counter without expiry one', async () => {
    // A key written by something else without a ttl must not become an immortal counter.
    await redis.set(`${prefix}heal:cache:hits`, '5');
    const cache = new RedisCache(redis, `${prefix}heal:`);
    const result = await cache.increment('hits', 60);
    expect(result.value).toBe(6);
    expect(result.ttlMs).toBeGreaterThan(55_000);
    expect(result.ttlMs).toBeLessThanOrEqual(60_000);
  });

  it('increment works after Redis forgot its script', async () => {
    const cache = new RedisCache(redis, `${prefix}noscript:`);
    await cache.increment('hits', 60);
    await redis.script('FLUSH');
    expect((await cache.increment('hits', 60)).value).toBe(2);
  });
});
