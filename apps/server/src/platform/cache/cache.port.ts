/**
 * Key-value cache with expiry. Values are strings; callers encode JSON themselves.
 * The in-process adapter serves embedded mode, the Redis adapter cluster mode.
 */
export interface Cache {
  get(key: string): Promise<string | null>;
  getMany(keys: readonly string[]): Promise<(string | null)[]>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Sets the key only when absent; true when this call set it. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  delete(...keys: string[]): Promise<void>;
  /**
   * For a read-through cache its writers keep correct: stores `value` at
   * `version` (or, with `value` null, a fence: the version is current but has
   * no value yet) unless the key holds a newer version, or the same version
   * with a value. A writer fences the version it commits, so a reader that read
   * an older version before the commit cannot store it afterwards; readers store
   * what they read at its version. True when this call stored.
   */
  putVersioned(key: string, version: number, value: string | null, ttlSeconds: number): Promise<boolean>;
  /** What `putVersioned` stored: its version and value (null: fenced); null when absent. */
  getVersioned(key: string): Promise<Versioned | null>;
  /**
   * Atomically adds one to a counter, creating it with `ttlSeconds` when absent.
   * Returns the new value and the milliseconds until the counter expires.
   */
  increment(key: string, ttlSeconds: number): Promise<{ value: number; ttlMs: number }>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A versioned entry (`Cache.putVersioned`): `value` null is a fence. */
export interface Versioned {
  version: number;
  value: string | null;
}

/** How both adapters store a versioned entry: `<version>=<value>`, or `<version>!` for a fence. */
export function encodeVersioned(version: number, value: string | null): string {
  if (!Number.isSafeInteger(version) || version < 0) {
    throw new RangeError(`version must be a non-negative integer, got ${version}`);
  }
  return value === null ? `${version}!` : `${version}=${value}`;
}

/** The entry `encodeVersioned` made; null for a value stored another way. */
export function decodeVersioned(stored: string | null): Versioned | null {
  const match = stored === null ? null : /^(\d+)([=!])/.exec(stored);
  if (stored === null || match === null) {
    return null;
  }
  const head = match[0];
  return {
    version: Number(match[1]),
    value: match[2] === '!' ? null : stored.slice(head.length),
  };
}

/** Whether `next` may replace `current` (the rule of `putVersioned`). */
export function replacesVersioned(current: Versioned | null, next: Versioned): boolean {
  if (current === null || current.version < next.version) {
    return true;
  }
  return current.version === next.version && current.value === null && next.value !== null;
}
