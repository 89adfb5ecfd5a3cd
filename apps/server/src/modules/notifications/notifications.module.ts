import type { Authenticator } from '../auth/authenticator';
import type { LoadlineModule, RoutePlugin } from '../module';
import type { Platform } from '../../platform/platform';
import type { RealtimeSink } from '../../platform/realtime/realtime-sink.port';
import { registerNotificationsConsumer } from './notifications.consumer';
import { notificationsRoutes } from './notifications.routes';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';

export interface NotificationsModuleDeps {
  platform: Pick<Platform, 'router' | 'ids' | 'clock' | 'queue' | 'relay' | 'logger'>;
  /** Where live `notification` events go (the Socket.IO sink in production). */
  sink: RealtimeSink;
}

/** `/v1/notifications*` for any signed-in user; notifications from `booking.status_changed` (worker role). */
export interface NotificationsModule extends LoadlineModule {
  readonly service: NotificationsService;
  routes(authenticator: Authenticator): readonly RoutePlugin[];
  startWorkers(): void;
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
    name: 'notifications',
    routes: (authenticator) => [notificationsRoutes({ notifications: service, authenticator })],
    startWorkers: () => registerNotificationsConsumer(platform.relay, service),
  };
}
