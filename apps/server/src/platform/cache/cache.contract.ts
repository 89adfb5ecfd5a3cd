import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/support/wait';
import type { Cache } from './cache.port';

/**
 * The behaviour every Cache adapter shares. `open` returns a fresh, empty cache
 * for each test; the suite closes it afterwards.
 */
export function describeCacheContract(name: string, open: () => Cache | Promise<Cache>): void {
  describe(`Cache contract: ${name}`, () => {
    let cache: Cache;

    beforeEach(async () => {
      cache = await open();
    });

    afterEach(async () => {
      await cache.close();
    });

    it('get returns null for a missing key', async () => {
      expect(await cache.get('missing')).toBeNull();
    });

    it('set stores a value that get returns', async () => {
      await cache.set('greeting', 'hello', 60);
      expect(await cache.get('greeting')).toBe('hello');
    });

    it('set replaces an existing value', async () => {
      await cache.set('greeting', 'hello', 60);
      await cache.set('greeting', 'bye', 60);
      expect(await cache.get('greeting')).toBe('bye');
    });

    it('a value is gone after its ttl', async () => {
      await cache.set('short', 'lived', 0.05);
      await cache.set('long', 'lived', 60);
      await waitFor(async () => (await cache.get('short')) === null, 2000);
      expect(await cache.get('long')).toBe('lived');
    });

    it('getMany returns values in key order with null for missing keys', async () => {
      await cache.set('a', '1', 60);
      await cache.set('c', '3', 60);
      expect(await cache.getMany(['c', 'b', 'a'])).toEqual(['3', null, '1']);
    });

    it('getMany of no keys returns an empty list', async () => {
      expect(await cache.getMany([])).toEqual([]);
    });

    it('setIfAbsent sets only when the key is absent', async () => {
      expect(await cache.setIfAbsent('lock', 'first', 60)).toBe(true);
      expect(await cache.setIfAbsent('lock', 'second', 60)).toBe(false);
      expect(await cache.get('lock')).toBe('first');
    });

    it('setIfAbsent succeeds again once the key has expired', async () => {
      expect(await cache.setIfAbsent('lock', 'first', 0.05)).toBe(true);
      await waitFor(async () => (await cache.get('lock')) === null, 2000);
      expect(await cache.setIfAbsent('lock', 'second', 60)).toBe(true);
      expect(await cache.get('lock')).toBe('second');
    });

    it('delete removes every given key and ignores missing ones', async () => {
      await cache.set('a', '1', 60);
      await cache.set('b', '2', 60);
      await cache.set('c', '3', 60);
      await cache.delete('a', 'b', 'missing');
      expect(await cache.getMany(['a', 'b', 'c'])).toEqual([null, null, '3']);
    });

    it('delete of no keys does nothing', async () => {
      await cache.set('a', '1', 60);
      await cache.delete();
      expect(await cache.get('a')).toBe('1');
    });

    it('increment creates the counter with its ttl and counts up', async () => {
      const first = await cache.increment('hits', 60);
      expect(first.value).toBe(1);
      expect(first.ttlMs).toBeGreaterThan(55_000);
      expect(first.ttlMs).toBeLessThanOrEqual(60_000);

      const second = await cache.increment('hits', 60);
      expect(second.value).toBe(2);
      // The window is fixed when the counter is created; counting does not extend it.
      expect(second.ttlMs).toBeLessThanOrEqual(first.ttlMs);
      expect(second.ttlMs).toBeGreaterThan(55_000);
      expect(await cache.get('hits')).toBe('2');
    });

    it('increment ignores a longer ttl once the counter exists', async () => {
      await cache.increment('hits', 10);
      const second = await cache.increment('hits', 3600);
      expect(second.value).toBe(2);
      expect(second.ttlMs).toBeLessThanOrEqual(10_000);
    });

    it('increment starts over after the counter expired', async () => {
      await cache.increment('hits', 0.05);
      await cache.increment('hits', 0.05);
      await waitFor(async () => (await cache.get('hits')) === null, 2000);
      const fresh = await cache.increment('hits', 60);
      expect(fresh.value).toBe(1);
    });

    it('concurrent increments each get a distinct value', async () => {
      const results = await Promise.all(Array.from({ length: 25 }, () => cache.increment('hits', 60)));
      const values = results.map((result) => result.value).sort((a, b) => a - b);
      expect(values).toEqual(Array.from({ length: 25 }, (_, index) => index + 1));
      expect(await cache.get('hits')).toBe('25');
    });

    it('increment of a value that is not an integer fails and leaves it', async () => {
      await cache.set('name', 'abc', 60);
      await expect(cache.increment('name', 60)).rejects.toThrow(/not an integer/);
      expect(await cache.get('name')).toBe('abc');
    });

    it('a ttl that is not positive is refused', async () => {
      await expect(cache.set('a', '1', 0)).rejects.toThrow(RangeError);
      await expect(cache.setIfAbsent('a', '1', -1)).rejects.toThrow(RangeError);
      await expect(cache.increment('a', 0)).rejects.toThrow(RangeError);
      expect(await cache.get('a')).toBeNull();
    });

    it('putVersioned stores a newer version, never an older one, and a value over its own fence only', async () => {
      expect(await cache.getVersioned('booking')).toBeNull();
      expect(await cache.putVersioned('booking', 4, '{"seq":4}', 60)).toBe(true);
      expect(await cache.getVersioned('booking')).toEqual({ version: 4, value: '{"seq":4}' });
      // A writer fences version 5 before it commits; a reader that read version 4 cannot store it again.
      expect(await cache.putVersioned('booking', 5, null, 60)).toBe(true);
      expect(await cache.putVersioned('booking', 4, '{"seq":4}', 60)).toBe(false);
      expect(await cache.getVersioned('booking')).toEqual({ version: 5, value: null });
      // A reader of the committed version 5 stores it over the fence; a second fence of 5 leaves it.
      expect(await cache.putVersioned('booking', 5, '{"seq":5}', 60)).toBe(true);
      expect(await cache.putVersioned('booking', 5, null, 60)).toBe(false);
      expect(await cache.putVersioned('booking', 5, '{"other":5}', 60)).toBe(false);
      expect(await cache.getVersioned('booking')).toEqual({ version: 5, value: '{"seq":5}' });
      // Values may hold the separators themselves.
      expect(await cache.putVersioned('booking', 12, '7=x!y', 60)).toBe(true);
      expect(await cache.getVersioned('booking')).toEqual({ version: 12, value: '7=x!y' });
    });

    it('a versioned entry is gone after its ttl, and a plain value is not a versioned one', async () => {
      expect(await cache.putVersioned('fence', 3, null, 0.05)).toBe(true);
      await waitFor(async () => (await cache.getVersioned('fence')) === null, 2000);
      expect(await cache.putVersioned('fence', 1, 'old', 60)).toBe(true);
      await cache.set('plain', 'hello', 60);
      expect(await cache.getVersioned('plain')).toBeNull();
    });

    it('ping resolves', async () => {
      await expect(cache.ping()).resolves.toBeUndefined();
    });

    it('close can be called twice and later calls are refused', async () => {
      await cache.close();
      await cache.close();
      await expect(cache.get('a')).rejects.toThrow(/closed/);
    });
  });
}
