import { Type } from '@sinclair/typebox';
import { WebhookEventTypeSchema } from '@loadline/contracts';
import { StoredJson } from '../../lib/message-kind';
import { sql, type Selectable } from 'kysely';
import { executeLater } from '../../platform/db/pipelined-transactions';
import { isUniqueViolation } from '../../platform/db/db-errors';
import type { WebhookDeliveriesTable, WebhookEndpointsTable } from '../../platform/db/schema';
import type { Executor, SqlDialectName } from '../../platform/db/shard-pool';

export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;

/** The `webhook_endpoints.events` column. */
export const WEBHOOK_EVENTS_COLUMN = new StoredJson(
  'webhook_endpoints.events',
  Type.Array(WebhookEventTypeSchema),
);

/** How an attempt went, as the delivery row keeps it. */
export interface AttemptRecord {
  status: WebhookDeliveryRow['status'];
  statusCode: number | null;
  error: string | null;
  nextAttemptAt: number | null;
  at: number;
}

/**
 * Webhook endpoints and their deliveries, on the customer's shard. Every
 * method runs on the shard it is given.
 */
export class WebhooksRepository {
  async insertEndpoint(db: Executor, row: WebhookEndpointRow): Promise<void> {
    await db.insertInto('webhook_endpoints').values(row).execute();
  }

  async findEndpoint(db: Executor, id: string): Promise<WebhookEndpointRow | undefined> {
    return db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async endpointsOf(db: Executor, customerId: string, limit: number): Promise<WebhookEndpointRow[]> {
    return db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('customer_id', '=', customerId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  /** Deletes the customer's endpoint and its delivery log (call it in a transaction); false when it is not theirs. */
  async deleteEndpoint(db: Executor, customerId: string, id: string): Promise<boolean> {
    const result = await db
      .deleteFrom('webhook_endpoints')
      .where('customer_id', '=', customerId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (result.numDeletedRows === 0n) {
      return false;
    }
    await db.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute();
    return true;
  }

  /** The version of the customer's set of endpoints (ADR 0038); 0 before its first change. */
  async versionOf(db: Executor, customerId: string): Promise<number> {
    const row = await db
      .selectFrom('webhook_versions')
      .select('version')
      .where('customer_id', '=', customerId)
      .executeTakeFirst();
    return row?.version ?? 0;
  }

  /** Adds one to the version of the customer's set of endpoints, in the change's transaction; returns it. */
  async bumpVersion(db: Executor, dialect: SqlDialectName, customerId: string): Promise<number> {
    const insert = db.insertInto('webhook_versions').values({ customer_id: customerId, version: 1 });
    await executeLater(
      db,
      dialect === 'mysql'
        ? insert.onDuplicateKeyUpdate({ version: sql<number>`version + 1` })
        : insert.onConflict((conflict) =>
            conflict.column('customer_id').doUpdateSet({ version: sql<number>`version + 1` }),
          ),
    );
    return this.versionOf(db, customerId);
  }

  /** Inserts unless the endpoint already has a delivery of this event; true when this call inserted it. */
  async insertDeliveryOnce(db: Executor, row: WebhookDeliveryRow): Promise<boolean> {
    try {
      await db.insertInto('webhook_deliveries').values(row).execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) {
        return false;
      }
      throw error;
    }
  }

  /** The endpoint's deliveries before the keyset `beforeId` (or from the newest), newest first. */
  async deliveriesOf(
    db: Executor,
    endpointId: string,
    options: { beforeId: string | null; limit: number },
  ): Promise<WebhookDeliveryRow[]> {
    let query = db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('endpoint_id', '=', endpointId)
      .orderBy('id', 'desc')
      .limit(options.limit);
    if (options.beforeId !== null) {
      query = query.where('id', '<', options.beforeId);
    }
    return query.execute();
  }

  /**
   * Pending deliveries due by `now` and held by no sender, whose booking has
   * no earlier pending delivery to the same endpoint: what may be sent now
   * without breaking a booking's `seq` order. Oldest due first, leaving out
   * `busyEndpoints` (a backlog of one endpoint must not fill the page and
   * starve the others).
   */
  async due(
    db: Executor,
    now: number,
    limit: number,
    busyEndpoints: readonly string[] = [],
  ): Promise<WebhookDeliveryRow[]> {
    let query = db
      .selectFrom('webhook_deliveries as d')
      .selectAll('d')
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('d.lease_until', 'is', null), eb('d.lease_until', '<=', now)]))
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('webhook_deliveries as e')
              .select('e.id')
              .whereRef('e.endpoint_id', '=', 'd.endpoint_id')
              .whereRef('e.booking_id', '=', 'd.booking_id')
              .whereRef('e.seq', '<', 'd.seq')
              .where('e.status', '=', 'pending'),
          ),
        ),
      )
      .orderBy('d.next_attempt_at')
      .limit(limit);
    if (busyEndpoints.length > 0) {
      query = query.where('d.endpoint_id', 'not in', busyEndpoints);
    }
    return query.execute();
  }

  /** Takes a due delivery for one attempt until `leaseUntil`; false when another sender has it. */
  async claim(db: Executor, id: string, now: number, leaseUntil: number): Promise<boolean> {
    const result = await db
      .updateTable('webhook_deliveries')
      .set({ lease_until: leaseUntil })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Writes an attempt's outcome, if the lease taken for it is still the
   * delivery's (a replay meanwhile cleared it and wants a fresh attempt).
   */
  async recordAttempt(db: Executor, id: string, lease: number, record: AttemptRecord): Promise<boolean> {
    const result = await db
      .updateTable('webhook_deliveries')
      .set((eb) => ({
        status: record.status,
        attempts: eb('attempts', '+', 1),
        last_status_code: record.statusCode,
        last_error: record.error,
        next_attempt_at: record.nextAttemptAt,
        lease_until: null,
        updated_at: record.at,
      }))
      .where('id', '=', id)
      .where('lease_until', '=', lease)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Deletes finished deliveries (succeeded or given up) last touched before `before`; returns how many. */
  async pruneFinished(db: Executor, before: number): Promise<number> {
    const result = await db
      .deleteFrom('webhook_deliveries')
      .where('status', 'in', ['succeeded', 'failed'])
      .where('updated_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Makes the delivery due now again, with a fresh retry window. */
  async replay(db: Executor, endpointId: string, id: string, now: number): Promise<boolean> {
    const result = await db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', next_attempt_at: now, lease_until: null, retry_from: now, updated_at: now })
      .where('endpoint_id', '=', endpointId)
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Notes a failed attempt on the endpoint; returns since when it has been failing. */
  async markFailing(db: Executor, endpointId: string, now: number): Promise<number | null> {
    await db
      .updateTable('webhook_endpoints')
      .set({ failing_since: now, updated_at: now })
      .where('id', '=', endpointId)
      .where('failing_since', 'is', null)
      .execute();
    const row = await db
      .selectFrom('webhook_endpoints')
      .select('failing_since')
      .where('id', '=', endpointId)
      .executeTakeFirst();
    return row?.failing_since ?? null;
  }

  async markHealthy(db: Executor, endpointId: string, now: number): Promise<void> {
    await db
      .updateTable('webhook_endpoints')
      .set({ failing_since: null, updated_at: now })
      .where('id', '=', endpointId)
      .where('failing_since', 'is not', null)
      .execute();
  }

  /**
   * Disables an active endpoint and gives up its pending deliveries (call it in
   * a transaction); false when it was not active (another sender disabled it first, or it is gone).
   */
  async disable(db: Executor, endpointId: string, now: number, reason: string): Promise<boolean> {
    const result = await db
      .updateTable('webhook_endpoints')
      .set({ status: 'disabled', updated_at: now })
      .where('id', '=', endpointId)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) {
      return false;
    }
    await db
      .updateTable('webhook_deliveries')
      .set({
        status: 'failed',
        next_attempt_at: null,
        lease_until: null,
        last_error: reason,
        updated_at: now,
      })
      .where('endpoint_id', '=', endpointId)
      .where('status', '=', 'pending')
      .execute();
    return true;
  }
}
