import type { Notification, NotificationEvent } from '@loadline/contracts';
import type { NotificationRow } from './notifications.repository';

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The `notification` socket event: what the user is told live. */
export function presentNotificationEvent(row: NotificationRow): NotificationEvent {
  const event: NotificationEvent = {
    id: row.id,
    type: row.type,
    title: row.title,
    body: row.body,
    at: iso(row.created_at),
  };
  if (row.booking_id !== null) {
    event.bookingId = row.booking_id;
  }
  return event;
}

/** A notification in lists: the socket event's fields plus `readAt`. */
export function presentNotification(row: NotificationRow): Notification {
  return {
    ...presentNotificationEvent(row),
    readAt: row.read_at === null ? null : iso(row.read_at),
  };
}
