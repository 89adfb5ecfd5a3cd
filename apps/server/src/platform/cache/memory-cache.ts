import { systemClock, type Clock } from '../../lib/clock';
import {
  decodeVersioned,
  encodeVersioned,
  replacesVersioned,
  type Cache,
  type Versioned,
} from './cache.port';

interface Entry {
  value: string;
  expiresAt: number;
}

export interface MemoryCacheOptions {
  /** Entries kept before the least recently used one is evicted (default 10,000). */
  maxEntries?: number;
  clock?: Clock;
}

/**
 * The embedded-mode cache: a Map in insertion order, re-inserting on every read
 * so the first entry is always the least recently used one. Expired entries are
 * dropped when touched or evicted, so no timer is needed.
 */
export class MemoryCache implements Cache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly clock: Clock;
  private closed = false;

  constructor(options: MemoryCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${this.maxEntries}`);
    }
    this.clock = options.clock ?? systemClock;
  }

  get(key: string): Promise<string | null> {
    return this.run(() => this.read(key)?.value ?? null);
  }

  getMany(keys: readonly string[]): Promise<(string | null)[]> {
    return this.run(() => keys.map((key) => this.read(key)?.value ?? null));
  }

  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    return this.run(() => {
      this.write(key, { value, expiresAt: this.clock.now() + ttlMs(ttlSeconds) });
    });
  }

  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    return this.run(() => {
      const expiresAt = this.clock.now() + ttlMs(ttlSeconds);
      if (this.read(key) !== undefined) {
        return false;
      }
      this.write(key, { value, expiresAt });
      return true;
    });
  }

  putVersioned(key: string, version: number, value: string | null, ttlSeconds: number): Promise<boolean> {
    return this.run(() => {
      const expiresAt = this.clock.now() + ttlMs(ttlSeconds);
      const stored = encodeVersioned(version, value);
      if (!replacesVersioned(decodeVersioned(this.read(key)?.value ?? null), { version, value })) {
        return false;
      }
      this.write(key, { value: stored, expiresAt });
      return true;
    });
  }

  getVersioned(key: string): Promise<Versioned | null> {
    return this.run(() => decodeVersioned(this.read(key)?.value ?? null));
  }

  delete(...keys: string[]): Promise<void> {
    return this.run(() => {
      for (const key of keys) {
        this.entries.delete(key);
      }
    });
  }

  increment(key: string, ttlSeconds: number): Promise<{ value: number; ttlMs: number }> {
    return this.run(() => {
      const now = this.clock.now();
      const lifetimeMs = ttlMs(ttlSeconds);
      const current = this.read(key);
      if (current === undefined) {
        this.write(key, { value: '1', expiresAt: now + lifetimeMs });
        return { value: 1, ttlMs: lifetimeMs };
      }
      // Same rule as Redis INCR: only a decimal integer string can be incremented.
      if (!/^-?\d+$/.test(current.value) || !Number.isSafeInteger(Number(current.value) + 1)) {
        throw new Error('ERR value is not an integer or out of range');
      }
      const value = Number(current.value) + 1;
      current.value = String(value);
      return { value, ttlMs: current.expiresAt - now };
    });
  }

  ping(): Promise<void> {
    return this.run(() => undefined);
  }

  close(): Promise<void> {
    this.closed = true;
    this.entries.clear();
    return Promise.resolve();
  }

  /** The live entry, marked as most recently used; expired entries are dropped on the way. */
  private read(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      return undefined;
    }
    this.entries.delete(key);
    if (entry.expiresAt <= this.clock.now()) {
      return undefined;
    }
    this.entries.set(key, entry);
    return entry;
  }

  private write(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) {
        break;
      }
      this.entries.delete(oldest.value);
    }
  }

  /** Runs a synchronous operation with the rejection semantics of an async adapter. */
  private run<T>(operation: () => T): Promise<T> {
    if (this.closed) {
      return Promise.reject(new Error('cache is closed'));
    }
    try {
      return Promise.resolve(operation());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

function ttlMs(ttlSeconds: number): number {
  // Redis rejects a non-positive expiry; refusing it here too keeps the adapters alike.
  const ms = Math.round(ttlSeconds * 1000);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new RangeError(`ttlSeconds must be positive, got ${ttlSeconds}`);
  }
  return ms;
}
