import type { TSchema, Static } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { Socket } from 'socket.io';
import {
  BookingStatusChangedPayload,
  LocationUpdate,
  SubscribeBookingPayload,
  type Ack,
  type ClientToServerEvents,
  type Role,
  type ServerToClientEvents,
} from '@loadline/contracts';
import type { Authenticator } from '../http/auth-guard';
import { SESSION_COOKIE } from '../http/auth-guard';
import { toAppError } from '../http/error-handler';
import type { Logger } from '../lib/logger';
import type { BookingsService } from '../modules/bookings/bookings.service';
import type { DriversService } from '../modules/drivers/drivers.service';
import { rooms } from './deliveries';
import { registerFormats } from './formats';
import type { LoadlineServer, SocketData } from './socket-server';

type LoadlineSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface FleetSnapshots {
  /** Sends the whole fleet to one socket that just subscribed. */
  sendSnapshot(socket: LoadlineSocket): Promise<void>;
}

export interface GatewayDeps {
  io: LoadlineServer;
  authenticator: Authenticator;
  bookings: BookingsService;
  drivers: Pick<DriversService, 'updateLocation'>;
  fleet: FleetSnapshots | null;
  logger: Logger;
}

interface HandlerOptions<S extends TSchema | null> {
  check: S extends TSchema ? TypeCheck<S> : null;
  roles?: readonly Role[];
}

registerFormats();

// Compiled once per process, not per connection.
const checks = {
  location: TypeCompiler.Compile(LocationUpdate),
  booking: TypeCompiler.Compile(SubscribeBookingPayload),
  status: TypeCompiler.Compile(BookingStatusChangedPayload),
};

function tokenOf(socket: LoadlineSocket): string | null {
  const auth: unknown = socket.handshake.auth;
  if (
    typeof auth === 'object' &&
    auth !== null &&
    'token' in auth &&
    typeof auth.token === 'string' &&
    auth.token !== ''
  ) {
    return auth.token;
  }
  const cookies = socket.handshake.headers.cookie ?? '';
  const match = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`).exec(cookies);
  return match?.[1] === undefined ? null : decodeURIComponent(match[1]);
}

function failure(error: unknown): Ack {
  const appError = toAppError(error);
  return {
    ok: false,
    error: {
      code: appError.code,
      message: appError.expose ? appError.message : 'Something went wrong on our side.',
      ...(appError.details === undefined || !appError.expose ? {} : { details: appError.details }),
    },
  };
}

/**
 * The Socket.IO half of the contract: token auth at the handshake, automatic
 * rooms, and the client events, each validated against the contracts' schemas
 * and answered by ack. Actions call the same services as their REST routes.
 */
export function registerGateway(deps: GatewayDeps): void {
  const { io, authenticator, logger } = deps;
  io.use((socket, next) => {
    const token = tokenOf(socket);
    if (token === null) {
      next(
        Object.assign(new Error('unauthenticated'), {
          data: { code: 'unauthenticated', message: 'A session token is required.' },
        }),
      );
      return;
    }
    authenticator.authenticate(token).then(
      (auth) => {
        socket.data = { userId: auth.userId, role: auth.role, tokenHash: auth.tokenHash };
        next();
      },
      (error: unknown) => {
        const failed = failure(error);
        next(
          Object.assign(new Error(failed.ok ? 'error' : failed.error.code), {
            data: failed.ok ? {} : failed.error,
          }),
        );
      },
    );
  });

  io.on('connection', (socket) => {
    const { userId, role } = socket.data;
    const log = logger.child({ socketId: socket.id, userId });
    if (!socket.recovered) {
      void socket.join(rooms.user(userId));
      if (role === 'driver') {
        void socket.join(rooms.driver(userId));
      }
      if (role === 'admin') {
        void socket.join(rooms.admin);
      }
    }

    const handle = <S extends TSchema | null, R extends object>(
      event: keyof ClientToServerEvents,
      options: HandlerOptions<S>,
      action: (payload: S extends TSchema ? Static<S> : undefined) => Promise<R>,
    ): void => {
      const check: TypeCheck<TSchema> | null = options.check;
      socket.on(event, (payload: unknown, ack?: (response: Ack<R>) => void) => {
        const reply = (response: Ack<R>): void => {
          if (typeof ack === 'function') {
            ack(response);
          }
        };
        if (options.roles !== undefined && !options.roles.includes(role)) {
          reply({
            ok: false,
            error: { code: 'forbidden', message: `Only ${options.roles.join(' or ')} may send ${event}.` },
          });
          return;
        }
        if (check !== null && !check.Check(payload)) {
          const first = check.Errors(payload).First();
          reply({
            ok: false,
            error: {
              code: 'validation_failed',
              message: first === undefined ? 'Payload is invalid.' : `${first.path || '/'} ${first.message}`,
            },
          });
          return;
        }
        action(payload as S extends TSchema ? Static<S> : undefined).then(
          (result) => reply({ ok: true, ...result }),
          (error: unknown) => {
            const failed = failure(error);
            if (!failed.ok && failed.error.code === 'internal_error') {
              log.error({ err: error, event }, 'socket event failed');
            }
            reply(failed);
          },
        );
      });
    };

    handle('driverLocationUpdate', { check: checks.location, roles: ['driver'] }, (payload) =>
      deps.drivers.updateLocation(userId, payload),
    );

    handle('subscribeBooking', { check: checks.booking }, async (payload) => {
      const booking = await deps.bookings.get({ userId, role }, payload.bookingId);
      await socket.join(rooms.booking(payload.bookingId));
      return { booking };
    });

    handle('unsubscribeBooking', { check: checks.booking }, async (payload) => {
      await socket.leave(rooms.booking(payload.bookingId));
      return {};
    });

    handle('bookingStatusChanged', { check: checks.status, roles: ['driver'] }, async (payload) => ({
      booking: await deps.bookings.driverUpdate(userId, payload.bookingId, payload.status),
    }));

    handle<null, object>('subscribeFleet', { check: null, roles: ['admin'] }, async () => {
      await socket.join(rooms.fleet);
      await deps.fleet?.sendSnapshot(socket);
      return {};
    });

    handle<null, object>('unsubscribeFleet', { check: null, roles: ['admin'] }, async () => {
      await socket.leave(rooms.fleet);
      return {};
    });
  });
}
