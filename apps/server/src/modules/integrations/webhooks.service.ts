import { type Static } from '@sinclair/typebox';
import {
  WebhookEventTypeSchema,
  type Booking,
  type CreateWebhookBody,
  type CreatedWebhook,
  ListQuery,
  type Role,
  type Webhook,
  type WebhookDelivery,
  type WebhookEventBody,
  type WebhookEventType,
} from '@loadline/contracts';
import type { Clock } from '../../lib/clock';
import { errors } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { StoredJson } from '../../lib/message-kind';
import { logicalShardOf, type IdGenerator } from '../../platform/db/ids';
import { decodeIdCursor, encodeCursor, type ScatterPage } from '../../platform/db/scatter';
import type { ShardRouter } from '../../platform/db/shard-router';
import type { OutboxEvent } from '../../platform/outbox/outbox';
import type { BookingStatusChanged, BookingStopChanged } from '../events/booking-events';
import type { SecretBox } from '../../lib/secret-box';
import { newWebhookSecret } from './webhook-signing';
import type { WebhookUrlPolicy } from './webhook-url-policy';
import type { WebhookEndpointsCache } from './webhook-endpoints-cache';
import {
  WEBHOOK_EVENTS_COLUMN,
  type WebhookDeliveryRow,
  type WebhookEndpointRow,
  type WebhooksRepository,
} from './webhooks.repository';

/** Endpoints one customer may have. */
export const MAX_WEBHOOKS = 10;

/** Reads a booking as its customer sees it (the bookings module's service). */
export interface BookingReader {
  get(caller: { userId: string; role: Role }, bookingId: string): Promise<Booking>;
}

/**
 * The webhook types a status change is, most specific first: every change is
 * `booking.status_changed`; some are also a type of their own.
 */
export function webhookTypesOf(change: Pick<BookingStatusChanged, 'to'>): WebhookEventType[] {
  switch (change.to) {
    case 'driver_assigned':
      return ['booking.driver_assigned', 'booking.status_changed'];
    case 'cancelled':
      return ['booking.cancelled', 'booking.status_changed'];
    case 'expired':
      return ['booking.expired', 'booking.status_changed'];
    default:
      return ['booking.status_changed'];
  }
}

export interface WebhooksServiceDeps {
  router: ShardRouter;
  ids: IdGenerator;
  clock: Clock;
  webhooks: WebhooksRepository;
  policy: WebhookUrlPolicy;
  secrets: SecretBox;
  bookings: BookingReader;
  logger: Logger;
  /** Each customer's active endpoints, and the changes to them (ADR 0038). */
  endpoints: WebhookEndpointsCache;
  /** Called after deliveries were stored, so a sender in this process looks at once. */
  onQueued?: () => void;
}

/**
 * A customer's webhook endpoints and their delivery log, and the making of
 * deliveries from committed booking events (worker role). Sending is the
 * WebhookSender's.
 */
export class WebhooksService {
  constructor(private readonly deps: WebhooksServiceDeps) {}

  async create(customerId: string, body: CreateWebhookBody): Promise<CreatedWebhook> {
    const { router, ids, clock, webhooks, policy, secrets, endpoints } = this.deps;
    const checked = await policy.check(body.url);
    const shard = router.forId(customerId);
    const secret = newWebhookSecret();
    const now = clock.now();
    const row: WebhookEndpointRow = {
      id: ids.next(logicalShardOf(customerId)),
      customer_id: customerId,
      url: checked.url.href,
      events: WEBHOOK_EVENTS_COLUMN.write(body.events),
      secret: secrets.seal(secret),
      status: 'active',
      failing_since: null,
      created_at: now,
      updated_at: now,
    };
    await endpoints.change(shard, customerId, async (trx) => {
      if ((await webhooks.endpointsOf(trx, customerId, MAX_WEBHOOKS)).length >= MAX_WEBHOOKS) {
        throw errors.conflict(
          'conflict',
          `A customer may have at most ${MAX_WEBHOOKS} webhooks; delete one first.`,
          {
            max: MAX_WEBHOOKS,
          },
        );
      }
      await webhooks.insertEndpoint(trx, row);
      return true;
    });
    this.deps.logger.info({ customerId, webhookId: row.id, events: body.events }, 'webhook created');
    return { ...presentWebhook(row), secret };
  }

  async list(customerId: string): Promise<Webhook[]> {
    const rows = await this.deps.webhooks.endpointsOf(
      this.deps.router.forId(customerId).db,
      customerId,
      MAX_WEBHOOKS,
    );
    return rows.map(presentWebhook);
  }

  /** Deletes the endpoint and its log; nothing more is sent to it. 404 when it is not the customer's. */
  async remove(customerId: string, id: string): Promise<void> {
    const { router, webhooks, endpoints } = this.deps;
    const deleted = await endpoints.change(router.forId(customerId), customerId, (trx) =>
      webhooks.deleteEndpoint(trx, customerId, id),
    );
    if (!deleted) {
      throw errors.notFound('Webhook');
    }
    this.deps.logger.info({ customerId, webhookId: id }, 'webhook deleted');
  }

  /** The endpoint's deliveries, newest first (keyset on the ID). */
  async deliveries(
    customerId: string,
    id: string,
    query: Static<typeof ListQuery>,
  ): Promise<ScatterPage<WebhookDelivery>> {
    const endpoint = await this.owned(customerId, id);
    const limit = query.limit ?? 20;
    const beforeId = query.cursor === undefined ? null : decodeIdCursor(query.cursor);
    const rows = await this.deps.webhooks.deliveriesOf(this.deps.router.forId(id).db, endpoint.id, {
      beforeId,
      limit: limit + 1,
    });
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(presentDelivery),
      nextCursor: rows.length > limit && last !== undefined ? encodeCursor([last.id]) : null,
    };
  }

  /**
   * Sends the delivery again: due now, with a fresh retry window, whatever it
   * did before. A disabled endpoint's delivery is 409 (delete and create the
   * endpoint again to resume).
   */
  async replay(customerId: string, id: string, deliveryId: string): Promise<void> {
    const endpoint = await this.owned(customerId, id);
    if (endpoint.status !== 'active') {
      throw errors.conflict('conflict', 'The webhook is disabled; nothing is sent to it.');
    }
    if (
      !(await this.deps.webhooks.replay(this.deps.router.forId(id).db, id, deliveryId, this.deps.clock.now()))
    ) {
      throw errors.notFound('Delivery');
    }
    this.deps.onQueued?.();
  }

  /**
   * Stores one delivery per active endpoint of the booking's customer that
   * subscribes to the change, typed by the most specific type it subscribes
   * to. Safe to run again for the same event (at least once): a delivery is
   * unique per endpoint and event. Returns how many this call stored.
   */
  async deliveriesFromBookingChange(event: OutboxEvent<BookingStatusChanged>): Promise<number> {
    return this.deliveriesOf(event.id, event.payload, webhookTypesOf(event.payload));
  }

  /**
   * The same for a stop's move: `booking.stop_completed` or
   * `booking.stop_failed` (an arrival is no webhook event), in the booking's
   * seq order with its status changes.
   */
  async deliveriesFromStopChange(event: OutboxEvent<BookingStopChanged>): Promise<number> {
    const { change } = event.payload;
    const types: WebhookEventType[] =
      change === 'completed'
        ? ['booking.stop_completed']
        : change === 'failed'
          ? ['booking.stop_failed']
          : [];
    return types.length === 0 ? 0 : this.deliveriesOf(event.id, event.payload, types);
  }

  private async deliveriesOf(
    eventId: string,
    change: Pick<BookingStatusChanged, 'bookingId' | 'customerId' | 'seq' | 'at'>,
    types: readonly WebhookEventType[],
  ): Promise<number> {
    const { router, ids, clock, webhooks } = this.deps;
    const shard = router.forId(change.customerId);
    const db = shard.db;
    const endpoints = await this.deps.endpoints.active(shard, change.customerId);
    const wanted = endpoints.flatMap((endpoint) => {
      const type = types.find((candidate) => endpoint.events.includes(candidate));
      return type === undefined ? [] : [{ endpoint, type }];
    });
    if (wanted.length === 0) {
      return 0;
    }
    // The booking as it is now: at least as new as the change (receivers order by the event's seq).
    const booking = await this.deps.bookings.get(
      { userId: change.customerId, role: 'customer' },
      change.bookingId,
    );
    const now = clock.now();
    let stored = 0;
    for (const { endpoint, type } of wanted) {
      const body: WebhookEventBody = {
        id: eventId,
        type,
        createdAt: iso(change.at),
        data: { booking },
      };
      const row: WebhookDeliveryRow = {
        id: ids.next(logicalShardOf(endpoint.id)),
        endpoint_id: endpoint.id,
        customer_id: change.customerId,
        event_id: eventId,
        booking_id: change.bookingId,
        seq: change.seq,
        type,
        body: JSON.stringify(body),
        status: 'pending',
        attempts: 0,
        last_status_code: null,
        last_error: null,
        next_attempt_at: now,
        lease_until: null,
        retry_from: now,
        created_at: now,
        updated_at: now,
      };
      if (await webhooks.insertDeliveryOnce(db, row)) {
        stored += 1;
      }
    }
    if (stored > 0) {
      this.deps.onQueued?.();
    }
    return stored;
  }

  private async owned(customerId: string, id: string): Promise<WebhookEndpointRow> {
    const endpoint = await this.deps.webhooks.findEndpoint(this.deps.router.forId(id).db, id);
    if (endpoint === undefined || endpoint.customer_id !== customerId) {
      throw errors.notFound('Webhook');
    }
    return endpoint;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function presentWebhook(row: WebhookEndpointRow): Webhook {
  return {
    id: row.id,
    url: row.url,
    events: WEBHOOK_EVENTS_COLUMN.read(row.events),
    status: row.status,
    createdAt: iso(row.created_at),
  };
}

const DeliveryType = new StoredJson('webhook_deliveries.type', WebhookEventTypeSchema);

export function presentDelivery(row: WebhookDeliveryRow): WebhookDelivery {
  const type: Static<typeof WebhookEventTypeSchema> = DeliveryType.parse(row.type);
  return {
    id: row.id,
    eventId: row.event_id,
    type,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    nextAttemptAt: row.status === 'pending' && row.next_attempt_at !== null ? iso(row.next_attempt_at) : null,
    createdAt: iso(row.created_at),
  };
}
