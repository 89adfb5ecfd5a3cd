import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth/authenticator';
import type { Platform } from '../../platform/platform';
import type { RealtimeSink } from '../../platform/realtime/realtime-sink.port';
import { registerNotificationsJob } from '../../jobs/notifications.job';
import { notificationsRoutes } from './notifications.routes';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';

export interface NotificationsModuleDeps {
  platform: Pick<Platform, 'router' | 'ids' | 'clock' | 'queue' | 'relay' | 'logger'>;
  /** Where live `notification` events go (the Socket.IO sink in production). */
  sink: RealtimeSink;
}

export interface NotificationsModule {
  readonly service: NotificationsService;
  /** `/v1/notifications*` for any signed-in user; register with `http.register(...)` in the api role. */
  routes(authenticator: Authenticator): (root: FastifyInstance) => Promise<void>;
  /** Routes `booking.status_changed` to `notifications.booking` and consumes it here (worker role). */
  registerJobs(): void;
}

/** Builds the notifications module on a platform; the composition root wires its parts per role. */
export function createNotifications({ platform, sink }: NotificationsModuleDeps): NotificationsModule {
  const logger = platform.logger.child({ module: 'notifications' });
  const service = new NotificationsService({
    router: platform.router,
    ids: platform.ids,
    clock: platform.clock,
    notifications: new NotificationsRepository(),
    sink,
    logger,
  });
  return {
    service,
    routes: (authenticator) => notificationsRoutes({ notifications: service, authenticator }),
    registerJobs: () => {
      registerNotificationsJob({ queue: platform.queue, relay: platform.relay, service, logger });
    },
  };
}
