import { createHash, randomUUID } from 'node:crypto';
import type { Static, TSchema } from '@sinclair/typebox';
import type { Logger } from '../../lib/logger';
import { StoredJson } from '../../lib/message-kind';
import type { Cache } from './cache.port';

/**
 * A cached list: the namespace a write invalidates, how long a page lives, and
 * the schema of a page, which every page read back from the cache is checked
 * against (an entry that does not match is a miss).
 */
export class CachedList<S extends TSchema> extends StoredJson<S> {
  constructor(
    readonly namespace: string,
    readonly ttlSeconds: number,
    page: S,
  ) {
    super(`cached ${namespace} list`, page);
  }
}

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

  async read<S extends TSchema>(
    list: CachedList<S>,
    query: unknown,
    load: () => Promise<Static<S>>,
  ): Promise<Static<S>> {
    const version = (await this.cache.get(this.versionKey(list.namespace))) ?? '0';
    const key = `${this.prefix}${list.namespace}:${version}:${digest(query)}`;
    const cached = await this.cache.get(key);
    const hit = cached === null ? null : list.readCached(cached);
    if (hit !== null) {
      return hit;
    }
    const value = await load();
    await this.cache.set(key, list.write(value), list.ttlSeconds);
    return value;
  }

  /**
   * Drops every cached page of the namespaces. Never rejects: the write that
   * calls it has committed, and a page it fails to drop expires on its own.
   */
  async invalidate(...lists: readonly Pick<CachedList<TSchema>, 'namespace'>[]): Promise<void> {
    await Promise.all(
      lists.map(({ namespace }) =>
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
