import type { OutboxRelay } from '../../platform/outbox/outbox';
import { BOOKING_STATUS_CHANGED, BOOKING_STOP_CHANGED } from '../events/booking-events';
import type { WebhooksService } from './webhooks.service';

/** The consumer of `booking.status_changed` and `booking.stop_changed` that stores webhook deliveries. */
export const WEBHOOKS_CONSUMER = 'webhooks.booking';

/**
 * Turns each committed booking change into a delivery per subscribed endpoint
 * of its customer (worker role). Idempotent: a delivery is unique per endpoint
 * and event, so a redelivered event stores nothing new. A change that rolled
 * back wrote no outbox row, so nothing is ever sent for it.
 */
export function registerWebhookDeliveriesConsumer(
  relay: Pick<OutboxRelay, 'consume'>,
  service: Pick<WebhooksService, 'deliveriesFromBookingChange' | 'deliveriesFromStopChange'>,
): void {
  relay.consume(BOOKING_STATUS_CHANGED, WEBHOOKS_CONSUMER, async (event) => {
    await service.deliveriesFromBookingChange(event);
  });
  relay.consume(BOOKING_STOP_CHANGED, WEBHOOKS_CONSUMER, async (event) => {
    await service.deliveriesFromStopChange(event);
  });
}
