import type { Notification, NotificationListQuery } from '@loadline/contracts';
import type { Clock } from '../../lib/clock';
import { errors } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { logicalShardOf, type IdGenerator } from '../../platform/db/ids';
import { decodeIdCursor, encodeCursor, type ScatterPage } from '../../platform/db/scatter';
import type { ShardRouter } from '../../platform/db/shard-router';
import type { OutboxEvent } from '../../platform/outbox/outbox';
import { rooms, type RealtimeSink } from '../../platform/realtime/realtime-sink.port';
import type { BookingStatusChanged, BookingStopChanged } from '../events/booking-events';
import {
  MESSAGES,
  STOP_FAILED_TYPE,
  stopFailedMessage,
  type NotificationType,
} from './notifications.messages';
import { presentNotification, presentNotificationEvent } from './notifications.presenter';
import type { NotificationRow, NotificationsRepository } from './notifications.repository';

/** One user to tell, and what kind of thing to tell them. */
export interface Recipient {
  userId: string;
  type: NotificationType;
}

/**
 * Who hears about a booking status change, and what. The customer follows
 * their booking; the driver hears when their trip ends. Nobody is told about a
 * change they made themselves, except the customer's own scheduled booking,
 * which is confirmed back to them. `in_transit` says nothing new after
 * "Goods collected"; a fresh booking's `searching` is what the customer just asked for.
 */
export function recipientsOf(change: BookingStatusChanged): Recipient[] {
  const customer = (type: NotificationType): Recipient => ({ userId: change.customerId, type });
  const driver = (type: NotificationType): Recipient[] =>
    change.driverId === null ? [] : [{ userId: change.driverId, type }];
  switch (change.to) {
    case 'scheduled':
      return [customer('booking_scheduled')];
    case 'searching':
      // From null it was just booked and from `scheduled` its time came; from anything else a driver let it go.
      return change.from === null || change.from === 'scheduled' ? [] : [customer('driver_released')];
    case 'driver_assigned':
      return [customer('driver_confirmed')];
    case 'en_route_to_pickup':
      return [customer('driver_en_route')];
    case 'arrived_at_pickup':
      return [customer('driver_arrived')];
    case 'goods_collected':
      return [customer('goods_collected')];
    case 'in_transit':
      return [];
    case 'delivered':
      return [customer('booking_delivered'), ...driver('job_completed')];
    case 'cancelled': {
      const { actor } = change;
      const toCustomer = actor.role === 'customer' ? [] : [customer('booking_cancelled')];
      const byThisDriver = actor.role === 'driver' && actor.id === change.driverId;
      return [...toCustomer, ...(byThisDriver ? [] : driver('job_cancelled'))];
    }
    case 'expired':
      return [customer('booking_expired')];
  }
}

export interface NotificationsServiceDeps {
  router: ShardRouter;
  ids: IdGenerator;
  clock: Clock;
  notifications: NotificationsRepository;
  sink: RealtimeSink;
  logger: Logger;
}

/**
 * Notifications: made from committed booking changes (stored on the user's
 * shard, then pushed live to `user:<id>`), listed, and marked read.
 */
export class NotificationsService {
  constructor(private readonly deps: NotificationsServiceDeps) {}

  /**
   * Stores and delivers what a booking change tells its people. Safe to call
   * again with the same event (delivery is at least once): each row is keyed
   * by `<eventId>:<userId>`, and only a row this call inserted is delivered.
   * Returns the notifications this call created.
   */
  async notifyFromBookingChange(event: OutboxEvent<BookingStatusChanged>): Promise<Notification[]> {
    const change = event.payload;
    const created: Notification[] = [];
    for (const recipient of recipientsOf(change)) {
      const copy = MESSAGES[recipient.type]({ vehicleType: change.vehicleType, actor: change.actor.role });
      const notification = await this.notifyUser({
        userId: recipient.userId,
        type: recipient.type,
        ...copy,
        sourceKey: `${event.id}:${recipient.userId}`,
        // The moment it happened, not when this job ran: a retried job tells the same time.
        at: change.at,
        bookingId: change.bookingId,
      });
      // Null: an earlier delivery of this event stored it (and pushed it live, or tried to).
      if (notification !== null) {
        created.push(notification);
      }
    }
    if (created.length > 0) {
      this.deps.logger.debug(
        { eventId: event.id, bookingId: change.bookingId, to: change.to, count: created.length },
        'notifications created',
      );
    }
    return created;
  }

  /**
   * Tells the customer at once that a stop's handover failed (stored, then
   * pushed to `user:<id>`); once per event, like every booking notification.
   * Other stop moves tell nobody: the booking's socket events show them.
   */
  async notifyFromStopChange(event: OutboxEvent<BookingStopChanged>): Promise<Notification | null> {
    const change = event.payload;
    if (change.change !== 'failed') {
      return null;
    }
    const copy = stopFailedMessage({ stopSeq: change.stopSeq, reason: change.reason ?? 'other' });
    return this.notifyUser({
      userId: change.customerId,
      type: STOP_FAILED_TYPE,
      ...copy,
      sourceKey: `${event.id}:${change.customerId}`,
      at: change.at,
      bookingId: change.bookingId,
    });
  }

  /**
   * Stores and delivers one notice (a booking change's, or another module's
   * copy: a webhook disabled; a failed stop), once per `sourceKey`; null when
   * an earlier call with that key stored it.
   */
  async notifyUser(notice: {
    userId: string;
    type: string;
    title: string;
    body: string;
    sourceKey: string;
    at: number;
    /** The booking it is about, if any. */
    bookingId?: string;
  }): Promise<Notification | null> {
    const row: NotificationRow = {
      id: this.deps.ids.next(logicalShardOf(notice.userId)),
      user_id: notice.userId,
      type: notice.type,
      title: notice.title,
      body: notice.body,
      booking_id: notice.bookingId ?? null,
      source_key: notice.sourceKey,
      read_at: null,
      created_at: notice.at,
    };
    if (!(await this.deps.notifications.insertOnce(this.db(notice.userId), row))) {
      return null;
    }
    this.deps.sink.deliver({
      rooms: [rooms.user(notice.userId)],
      event: 'notification',
      data: presentNotificationEvent(row),
    });
    return presentNotification(row);
  }

  /** The user's notifications, newest first (keyset on the ID); `unread` keeps only unread ones. */
  async list(userId: string, query: NotificationListQuery): Promise<ScatterPage<Notification>> {
    const limit = query.limit ?? 20;
    const beforeId = query.cursor === undefined ? null : decodeIdCursor(query.cursor);
    const rows = await this.deps.notifications.listForUser(this.db(userId), userId, {
      beforeId,
      unreadOnly: query.unread === true,
      limit: limit + 1,
    });
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(presentNotification),
      nextCursor: rows.length > limit && last !== undefined ? encodeCursor([last.id]) : null,
    };
  }

  /** Marks one of the user's notifications read (again is a no-op); 404 when it is not theirs or does not exist. */
  async markRead(userId: string, id: string): Promise<void> {
    const db = this.db(userId);
    if (await this.deps.notifications.markRead(db, userId, id, this.deps.clock.now())) {
      return;
    }
    if ((await this.deps.notifications.find(db, userId, id)) === undefined) {
      throw errors.notFound('Notification');
    }
  }

  /** Marks every unread notification of the user read; returns how many were unread. */
  async markAllRead(userId: string): Promise<number> {
    return this.deps.notifications.markAllRead(this.db(userId), userId, this.deps.clock.now());
  }

  private db(userId: string) {
    return this.deps.router.forId(userId).db;
  }
}
