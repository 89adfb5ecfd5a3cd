import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/logger';
import type { Cache } from './cache.port';

/** How long a namespace's version lives without writes; pages live far shorter. */
const VERSION_TTL_SECONDS = 86_400;

/**
 * Cache-aside for list pages, invalidated by namespace: every page key carries
 * the namespace's current version, and a write replaces the version, so every
 * cached page of that list is missed at once (and expires on its own later).
 * A read costs two cache round trips; a write, one.
 */
export class ListCache {
  constructor(
    private readonly cache: Cache,
    private readonly logger: Logger,
    private readonly prefix = 'list:',
  ) {}

  async read<T>(namespace: string, query: unknown, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
    const version = (await this.cache.get(this.versionKey(namespace))) ?? '0';
    const key = `${this.prefix}${namespace}:${version}:${digest(query)}`;
    const hit = await this.cache.get(key);
    if (hit !== null) {
      return JSON.parse(hit) as T;
    }
    const value = await load();
    await this.cache.set(key, JSON.stringify(value), ttlSeconds);
    return value;
  }

  /**
   * Drops every cached page of the namespaces. Never rejects: the write that
   * calls it has committed, and a page it fails to drop expires on its own.
   */
  async invalidate(...namespaces: string[]): Promise<void> {
    await Promise.all(
      namespaces.map((namespace) =>
        this.cache
          .set(this.versionKey(namespace), randomUUID(), VERSION_TTL_SECONDS)
          .catch((error: unknown) =>
            this.logger.warn({ err: error, list: namespace }, 'list cache not invalidated'),
          ),
      ),
    );
  }

  private versionKey(namespace: string): string {
    return `${this.prefix}${namespace}:version`;
  }
}

function digest(query: unknown): string {
  return createHash('sha1')
    .update(JSON.stringify(query ?? null))
    .digest('base64url');
}
