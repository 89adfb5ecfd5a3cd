import { Type, type Static } from '@sinclair/typebox';
import type { Transaction } from 'kysely';
import { WebhookEventTypeSchema } from '@loadline/contracts';
import type { Logger } from '../../lib/logger';
import { StoredJson } from '../../lib/message-kind';
import type { Cache } from '../../platform/cache/cache.port';
import { VersionedEntries } from '../../platform/cache/versioned-entries';
import type { Database } from '../../platform/db/schema';
import type { Shard } from '../../platform/db/shard-pool';
import { WEBHOOK_EVENTS_COLUMN, type WebhooksRepository } from './webhooks.repository';

/** What a booking event needs to know of an endpoint: which it is and what it asked for. */
const ActiveEndpoint = Type.Object({ id: Type.String(), events: Type.Array(WebhookEventTypeSchema) });
export type ActiveEndpoint = Static<typeof ActiveEndpoint>;

const CachedEndpoints = Type.Array(ActiveEndpoint);
const CACHED_ENDPOINTS = new StoredJson('cached webhook endpoints', CachedEndpoints);

/** How long a customer's set stays cached after it was last read from the shard. */
const TTL_SECONDS = 300;

function key(customerId: string): string {
  return `webhooks:${customerId}`;
}

/**
 * Each customer's active webhook endpoints, as every booking event asks for
 * them (ADR 0038): from the shared cache when it holds the set, else from the
 * shard. Kept correct by the changes, not by expiry: every change to the set
 * runs through `change`, which adds one to the set's version in SQL and fences
 * that version in the cache before it commits. A read that misses reads the
 * version first, then the endpoints, and stores them at that version; one
 * that raced a change is refused by the change's newer fence. So once a
 * change is answered, no event consumed after it sees the set before it.
 */
export class WebhookEndpointsCache {
  private readonly entries: VersionedEntries<typeof CachedEndpoints>;

  constructor(
    cache: Cache,
    private readonly webhooks: WebhooksRepository,
    private readonly logger: Logger,
    private readonly maxEndpoints: number,
  ) {
    this.entries = new VersionedEntries(cache, CACHED_ENDPOINTS, key, TTL_SECONDS, logger);
  }

  /** The customer's active endpoints; a cache that fails costs a shard read, never an event. */
  async active(shard: Shard, customerId: string): Promise<ActiveEndpoint[]> {
    try {
      const cached = await this.entries.read(customerId);
      if (cached !== null) {
        return cached;
      }
    } catch (error) {
      this.logger.warn({ err: error, customerId }, 'webhook endpoints not read from the cache');
    }
    // The version before the rows: rows newer than it are refused by their change's newer fence.
    const version = await this.webhooks.versionOf(shard.db, customerId);
    const active = (await this.webhooks.endpointsOf(shard.db, customerId, this.maxEndpoints))
      .filter((endpoint) => endpoint.status === 'active')
      .map((endpoint) => ({ id: endpoint.id, events: WEBHOOK_EVENTS_COLUMN.read(endpoint.events) }));
    await this.entries.store(customerId, active, version);
    return active;
  }

  /**
   * Runs a change to the customer's endpoints in one transaction on their
   * shard; when `work` says it changed something, with the set's new version
   * and its fence. A fence that cannot be written fails the change: the cache
   * could go on answering the old set.
   */
  async change(
    shard: Shard,
    customerId: string,
    work: (trx: Transaction<Database>) => Promise<boolean>,
  ): Promise<boolean> {
    return shard.db.transaction().execute(async (trx) => {
      const changed = await work(trx);
      if (changed) {
        await this.entries.fence(customerId, await this.webhooks.bumpVersion(trx, shard.dialect, customerId));
      }
      return changed;
    });
  }
}
