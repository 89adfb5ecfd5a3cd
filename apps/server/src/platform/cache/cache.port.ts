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
   * Atomically adds one to a counter, creating it with `ttlSeconds` when absent.
   * Returns the new value and the milliseconds until the counter expires.
   */
  increment(key: string, ttlSeconds: number): Promise<{ value: number; ttlMs: number }>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
