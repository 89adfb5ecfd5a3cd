import type { Logger } from '../lib/logger';
import type { OutboxJob, OutboxRelay } from '../platform/outbox/outbox';
import type { JobHandler, JobQueue } from '../platform/queue/job-queue.port';
import { BOOKING_STATUS_CHANGED, eventChecks, readPayload } from '../modules/bookings/booking-events';
import type { NotificationsService } from '../modules/notifications/notifications.service';

/** Queue job fed by the outbox relay with every `booking.status_changed` event. */
export const NOTIFICATIONS_BOOKING_JOB = 'notifications.booking';

export interface NotificationsJobDeps {
  queue: JobQueue;
  relay: OutboxRelay;
  service: NotificationsService;
  /** Where a malformed event is reported before it is skipped. */
  logger?: Logger;
}

/**
 * Turns one relayed booking change into notifications. Idempotent: the service
 * keys each row by event and user, so a redelivered job stores and sends nothing new.
 */
export function notificationsJobHandler(
  deps: Pick<NotificationsJobDeps, 'service' | 'logger'>,
): JobHandler<OutboxJob> {
  return async (job) => {
    const change = readPayload(eventChecks.statusChanged, job.data.payload);
    if (change === null) {
      // Retrying cannot fix a payload; skipping keeps the queue moving.
      deps.logger?.error(
        { eventId: job.data.id, topic: job.data.topic },
        'malformed booking.status_changed event skipped',
      );
      return;
    }
    await deps.service.notifyFromBookingChange({ ...job.data, payload: change });
  };
}

/** Consumes `booking.status_changed` as `notifications.booking` in this process (worker role). */
export function registerNotificationsJob(deps: NotificationsJobDeps): void {
  const handle = notificationsJobHandler(deps);
  deps.relay.consume(BOOKING_STATUS_CHANGED, NOTIFICATIONS_BOOKING_JOB, (event, delivery) =>
    handle({ id: event.id, name: NOTIFICATIONS_BOOKING_JOB, data: event, ...delivery }),
  );
}
