import type { Static, TSchema } from '@sinclair/typebox';
import type { Logger } from '../../lib/logger';
import type { StoredJson } from '../../lib/message-kind';
import type { Cache } from './cache.port';

/**
 * One kind of read-through entry kept correct by its writers (`Cache.putVersioned`):
 * a writer fences the version it commits, before the commit; a reader that
 * missed stores what it read at the version it read. `read` answers only a
 * value that parses as this kind; a miss, a fence or another kind's entry is null.
 */
export class VersionedEntries<S extends TSchema> {
  constructor(
    private readonly cache: Cache,
    private readonly kind: StoredJson<S>,
    private readonly keyOf: (id: string) => string,
    private readonly ttlSeconds: number,
    private readonly logger: Logger,
  ) {}

  /** The stored value; null on a miss, a fence, or an entry that no longer reads as this kind. */
  async read(id: string): Promise<Static<S> | null> {
    const entry = await this.cache.getVersioned(this.keyOf(id));
    return entry === null || entry.value === null ? null : this.kind.readCached(entry.value);
  }

  /** Stores what a reader read at its version; a failure only costs the next read a shard read. */
  async store(id: string, value: Static<S>, version: number): Promise<void> {
    try {
      await this.cache.putVersioned(this.keyOf(id), version, this.kind.write(value), this.ttlSeconds);
    } catch (error) {
      this.logger.warn({ err: error, key: this.keyOf(id) }, `${this.kind.name} not stored`);
    }
  }

  /** In a change's transaction, before it commits: `version` is current from now on. A failure fails the change. */
  async fence(id: string, version: number): Promise<void> {
    await this.cache.putVersioned(this.keyOf(id), version, null, this.ttlSeconds);
  }
}
