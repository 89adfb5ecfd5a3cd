import type { OutboxRelay } from '../../platform/outbox/outbox';
import { BOOKING_STATUS_CHANGED, BOOKING_STOP_CHANGED } from '../events/booking-events';
import type { NotificationsService } from './notifications.service';

/** The consumer of `booking.status_changed` and `booking.stop_changed` that stores and sends notifications. */
export const NOTIFICATIONS_CONSUMER = 'notifications.booking';

/**
 * Turns each committed booking change into notifications (worker role).
 * Idempotent: the service keys each row by event and user, so a redelivered
 * event stores and sends nothing new.
 */
export function registerNotificationsConsumer(
  relay: Pick<OutboxRelay, 'consume'>,
  service: Pick<NotificationsService, 'notifyFromBookingChange' | 'notifyFromStopChange'>,
): void {
  relay.consume(BOOKING_STATUS_CHANGED, NOTIFICATIONS_CONSUMER, async (event) => {
    await service.notifyFromBookingChange(event);
  });
  relay.consume(BOOKING_STOP_CHANGED, NOTIFICATIONS_CONSUMER, async (event) => {
    await service.notifyFromStopChange(event);
  });
}
