import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger';
import { CachedList, ListCache } from './list-cache';
import { MemoryCache } from './memory-cache';

const NAMES = new CachedList('names', 60, Type.Object({ items: Type.Array(Type.String()) }));
const OTHER = new CachedList('other', 60, Type.Object({ items: Type.Array(Type.String()) }));

/** Remembers the keys written, so a test can tamper with what was cached. */
class RecordingCache extends MemoryCache {
  readonly written = new Set<string>();

  override set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.written.add(key);
    return super.set(key, value, ttlSeconds);
  }
}

function setup() {
  const cache = new RecordingCache();
  const lists = new ListCache(cache, createLogger('silent'));
  let loads = 0;
  const load = (items: string[]) => () => {
    loads += 1;
    return Promise.resolve({ items });
  };
  return { cache, lists, load, loads: () => loads };
}

describe('ListCache', () => {
  it('serves a page from the cache until its list is invalidated', async () => {
    const { lists, load, loads } = setup();
    expect(await lists.read(NAMES, { page: 1 }, load(['a']))).toEqual({ items: ['a'] });
    expect(await lists.read(NAMES, { page: 1 }, load(['b']))).toEqual({ items: ['a'] });
    expect(loads()).toBe(1);
    await lists.invalidate(OTHER);
    expect(await lists.read(NAMES, { page: 1 }, load(['b']))).toEqual({ items: ['a'] });
    await lists.invalidate(NAMES);
    expect(await lists.read(NAMES, { page: 1 }, load(['c']))).toEqual({ items: ['c'] });
    expect(loads()).toBe(2);
  });

  it('takes a cached page that does not match its schema for a miss', async () => {
    const { cache, lists, load, loads } = setup();
    await lists.read(NAMES, { page: 1 }, load(['a']));
    const pages = [...cache.written];
    expect(pages).toHaveLength(1);
    for (const key of pages) {
      await cache.set(key, JSON.stringify({ items: [1, 2] }), 60);
    }
    expect(await lists.read(NAMES, { page: 1 }, load(['fresh']))).toEqual({ items: ['fresh'] });
    expect(loads()).toBe(2);
  });
});
