import type { TSchema, Static } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
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
import type { RateRule } from '../config/config';
import type { Authenticator } from '../modules/auth/authenticator';
import { SESSION_COOKIE } from '../modules/auth/authenticator';
import { toAppError } from '../http/error-handler';
import { wrongFormat } from '../http/validation';
import type { OriginPolicy } from '../modules/auth/origin-policy';
import type { Clock } from '../lib/clock';
import { errors } from '../lib/errors';
import { registerFormats } from '../lib/formats';
import type { Logger } from '../lib/logger';
import type { BookingsService } from '../modules/bookings/bookings.service';
import type { DriverPresenceService } from '../modules/drivers/driver-presence.service';
import type { SharingService } from '../modules/sharing/sharing.service';
import type { SessionStore } from '../platform/sessions/session-store.port';
import { bookingOfRoom, rooms } from '../platform/realtime/realtime-sink.port';
import type { LoadlineServer, SessionSocketData, ShareSocketData, SocketData } from './socket-server';
import { TokenBucket } from './token-bucket';

type LoadlineSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface FleetSnapshots {
  /** Sends the whole fleet to one socket that just subscribed. */
  sendSnapshot(socket: LoadlineSocket): Promise<void>;
}

export interface GatewayDeps {
  io: LoadlineServer;
  authenticator: Authenticator;
  /** Whether a dropped socket's sign-in is still live when it comes back (connection state recovery). */
  sessions: Pick<SessionStore, 'get'>;
  /** Which origins may open a socket with the session cookie. */
  originPolicy: Pick<OriginPolicy, 'refusal'>;
  bookings: Pick<BookingsService, 'get' | 'readable' | 'driverUpdate'>;
  drivers: Pick<DriverPresenceService, 'updateLocation'>;
  /** Share links, for sockets opened with `auth: { shareToken }`. */
  sharing: Pick<SharingService, 'connect' | 'recheck' | 'socketView'>;
  fleet: FleetSnapshots | null;
  clock: Clock;
  /** Client events each socket may send; null when rate limits are off. */
  eventRate: RateRule | null;
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

/** A share-token socket reads its link again this often, so one that expires is closed. */
const SHARE_RECHECK_MS = 5 * 60_000;

type Credentials = { kind: 'session'; token: string; fromCookie: boolean } | { kind: 'share'; token: string };

/**
 * The handshake's credentials: a share link's `auth.shareToken`, else the
 * session token in `auth.token`, else the `sid` cookie (`fromCookie`).
 */
function credentialsOf(socket: LoadlineSocket): Credentials | null {
  const auth: unknown = socket.handshake.auth;
  if (
    typeof auth === 'object' &&
    auth !== null &&
    'shareToken' in auth &&
    typeof auth.shareToken === 'string' &&
    auth.shareToken !== ''
  ) {
    return { kind: 'share', token: auth.shareToken };
  }
  if (
    typeof auth === 'object' &&
    auth !== null &&
    'token' in auth &&
    typeof auth.token === 'string' &&
    auth.token !== ''
  ) {
    return { kind: 'session', token: auth.token, fromCookie: false };
  }
  const cookies = socket.handshake.headers.cookie ?? '';
  const match = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`).exec(cookies);
  return match?.[1] === undefined
    ? null
    : { kind: 'session', token: decodeURIComponent(match[1]), fromCookie: true };
}

/**
 * Engine.IO keeps each session's first HTTP request for the session's life;
 * nothing here reads it after the handshake (whose headers the socket keeps),
 * so it is let go: a few kilobytes a socket that every major collection would
 * otherwise mark, as Socket.IO's memory guide suggests.
 */
function releaseFirstRequest(socket: Pick<Socket, 'conn'>): void {
  (socket.conn as { request: unknown }).request = null;
}

/** A handshake refusal: the client's `connect_error` carries `data: { code, message }`. */
function refusal(code: string, message: string): Error & { data: { code: string; message: string } } {
  return Object.assign(new Error(code), { data: { code, message } });
}

function isShareSocketData(value: unknown): value is ShareSocketData {
  return (
    typeof value === 'object' &&
    value !== null &&
    'share' in value &&
    typeof value.share === 'object' &&
    value.share !== null &&
    'bookingId' in value.share &&
    typeof value.share.bookingId === 'string' &&
    'tokenHash' in value.share &&
    typeof value.share.tokenHash === 'string'
  );
}

function isSessionSocketData(value: unknown): value is SessionSocketData {
  return (
    typeof value === 'object' &&
    value !== null &&
    'userId' in value &&
    typeof value.userId === 'string' &&
    'tokenHash' in value &&
    typeof value.tokenHash === 'string' &&
    'role' in value &&
    (value.role === 'customer' || value.role === 'driver' || value.role === 'admin')
  );
}

/**
 * Whether a dropped socket may be recovered: its sign-in is still live and,
 * for a driver, it may still read every booking whose room it was in. Only a
 * driver's access to a booking ends (a release); a customer's and an admin's
 * never do, so theirs cost no reads. A share-token socket comes back only
 * while its link works (not revoked, not expired).
 */
async function mayRecover(deps: GatewayDeps, data: unknown, held: readonly string[]): Promise<boolean> {
  if (isShareSocketData(data)) {
    return (await deps.sharing.recheck(data.share)) !== null;
  }
  if (!isSessionSocketData(data)) {
    return false;
  }
  const session = await deps.sessions.get({ userId: data.userId, tokenHash: data.tokenHash });
  if (session === null || session.userId !== data.userId) {
    return false;
  }
  if (data.role !== 'driver') {
    return true;
  }
  const caller = { userId: data.userId, role: data.role };
  const bookingIds = held.flatMap((room) => bookingOfRoom(room) ?? []);
  try {
    await Promise.all(bookingIds.map((bookingId) => deps.bookings.readable(caller, bookingId)));
    return true;
  } catch {
    return false;
  }
}

/**
 * Connection state recovery puts a returning socket back into the rooms it
 * had and sends it what those rooms got meanwhile, and it does both before any
 * middleware runs: the handshake check comes too late to stop either. So a
 * session is restored only when `mayRecover` agrees (a driver who released a
 * trip while offline, or a driver suspended meanwhile, gets nothing back);
 * otherwise Socket.IO falls back to a fresh connection, which goes through the
 * handshake, and the client subscribes again under the usual checks.
 *
 * The adapter reads what was missed when the restore starts, and a room's
 * broadcast reaches only sockets already connected: whatever the rooms got
 * while `mayRecover` read would be lost. So once `mayRecover` agrees, the
 * session is put back and read again from the last packet the first read
 * found; Socket.IO then connects the socket right away (recovered sockets
 * skip the middleware, which `mayRecover` stands in for).
 * Wraps this process's adapter, so `createSocketServer` must have set it up.
 */
function guardRecovery(deps: GatewayDeps, log: Logger): void {
  const adapter = deps.io.of('/').adapter;
  const original = adapter.restoreSession.bind(adapter);
  // The in-memory adapter answers null for an unknown session, whatever its declared type says.
  const restore = async (pid: string, offset: string): Promise<RestoredSession> => {
    const session = (await original(pid, offset)) as RestoredSession | null;
    if (session === null) {
      throw new Error('no session to restore');
    }
    return session;
  };
  adapter.restoreSession = async (pid, offset) => {
    const first = await restore(pid, offset);
    if (!(await mayRecover(deps, first.data, first.rooms))) {
      log.debug({ sid: first.sid }, 'socket session not recovered: its access ended');
      throw new Error('session no longer entitled to its rooms');
    }
    const { missedPackets, ...kept } = first;
    adapter.persistSession(kept);
    const meanwhile = await restore(pid, lastOffsetOf(missedPackets) ?? offset);
    return { ...meanwhile, missedPackets: [...missedPackets, ...meanwhile.missedPackets] };
  };
}

type RestoredSession = NonNullable<
  Awaited<ReturnType<LoadlineServer['sockets']['adapter']['restoreSession']>>
>;

/** Each replayed packet ends with its offset, as the client reads it. */
function lastOffsetOf(packets: readonly unknown[][]): string | null {
  const last = packets.at(-1)?.at(-1);
  return typeof last === 'string' ? last : null;
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

/** What every event's action knows of its socket: the socket, and its role (none for a share-token socket). */
interface SocketContext {
  socket: LoadlineSocket;
  role: Role | null;
}

/** A client event's rules and action; `C` is what the action knows of its socket. */
interface EventRoute<C> {
  check: TypeCheck<TSchema> | null;
  roles?: readonly Role[];
  action: (context: C, payload: unknown) => Promise<object>;
}

/** A socket kind's client events by name (a Map: a client names the event, so no prototype key may match). */
type EventRoutes<C> = ReadonlyMap<string, EventRoute<C>>;

/** The routes of a socket kind, named as the contract names its client events. */
function routesOf<C>(table: { [E in keyof ClientToServerEvents]?: EventRoute<C> }): EventRoutes<C> {
  return new Map(Object.entries(table));
}

/** A route whose action gets the payload its check admitted. */
function route<C, S extends TSchema | null>(
  options: HandlerOptions<S>,
  action: (context: C, payload: S extends TSchema ? Static<S> : undefined) => Promise<object>,
): EventRoute<C> {
  return {
    check: options.check,
    roles: options.roles,
    // Called only once the check admitted the payload (or, without a check, with whatever came).
    action: (context, payload) => action(context, payload as S extends TSchema ? Static<S> : undefined),
  };
}

/** What is wrong with a payload's value, worded as the REST routes word it for a pattern. */
function problemOf(error: ValueError): string {
  return error.type === ValueErrorType.StringPattern ? wrongFormat(error.schema) : error.message;
}

function isAck(value: unknown): value is (response: Ack) => void {
  return typeof value === 'function';
}

/** What a socket's log lines name: the socket, and its user or its share link's booking. */
function socketLog(deps: GatewayDeps, socket: LoadlineSocket): Logger {
  const data = socket.data;
  return data.share === undefined
    ? deps.logger.child({ socketId: socket.id, userId: data.userId })
    : deps.logger.child({ socketId: socket.id, bookingId: data.share.bookingId, share: true });
}

/**
 * Serves one socket's client events: each is rate limited (a token bucket per
 * socket), refused to the wrong role (`role` null, a share-token socket, has
 * none), validated, and answered by ack (the last argument, when it is a
 * function). One listener per socket for every event: a process holds some
 * 10,000 sockets, and a closure per event and socket was most of the state
 * the gateway kept per connection.
 */
function serveEvents<C extends SocketContext>(deps: GatewayDeps, routes: EventRoutes<C>, context: C): void {
  const { socket, role } = context;
  // Per connection, so in memory: a socket lives in one process.
  const budget = deps.eventRate === null ? null : new TokenBucket(deps.eventRate, deps.clock.now());
  socket.onAny((event: string, ...args: unknown[]) => {
    if (socket.disconnected) {
      return;
    }
    const entry = routes.get(event);
    const last = args.at(-1);
    const ack = isAck(last) ? last : null;
    const payload = ack !== null && args.length === 1 ? undefined : args[0];
    const reply = (response: Ack): void => {
      ack?.(response);
    };
    const retryAfterSeconds = budget?.take(deps.clock.now()) ?? null;
    if (retryAfterSeconds !== null) {
      reply(failure(errors.rateLimited(retryAfterSeconds)));
      return;
    }
    if (entry === undefined) {
      // Answered, so a client that waits for its ack does not wait forever on a misspelt event.
      reply({
        ok: false,
        error: { code: 'not_found', message: `There is no client event ${event.slice(0, 64)}.` },
      });
      return;
    }
    if (entry.roles !== undefined && (role === null || !entry.roles.includes(role))) {
      reply({
        ok: false,
        error: { code: 'forbidden', message: `Only ${entry.roles.join(' or ')} may send ${event}.` },
      });
      return;
    }
    const check = entry.check;
    if (check !== null && !check.Check(payload)) {
      const first = check.Errors(payload).First();
      reply({
        ok: false,
        error: {
          code: 'validation_failed',
          message: first === undefined ? 'Payload is invalid.' : `${first.path || '/'} ${problemOf(first)}`,
        },
      });
      return;
    }
    entry.action(context, payload).then(
      (result) => reply({ ok: true, ...result }),
      (error: unknown) => {
        const failed = failure(error);
        if (!failed.ok && failed.error.code === 'internal_error') {
          socketLog(deps, socket).error({ err: error, event }, 'socket event failed');
        }
        reply(failed);
      },
    );
  });
}

function handshakeFailure(error: unknown): Error & { data: object } {
  const failed = failure(error);
  return Object.assign(new Error(failed.ok ? 'error' : failed.error.code), {
    data: failed.ok ? {} : failed.error,
  });
}

/**
 * A socket opened with a share link: it sits in its link's `share:<hash>` room
 * (revocation closes that room on every instance) and in its booking's
 * `track:<id>` room, which gets the booking's public events only;
 * `subscribeBooking` for that booking answers its public view (any other is
 * refused as unknown). It reads its link again at once (a revocation between
 * the handshake and the join would have missed it), then as the link nears its
 * expiry and every few minutes, so an expired link's socket is closed too.
 */
function shareConnection(
  deps: GatewayDeps,
  routes: EventRoutes<ShareContext>,
  socket: LoadlineSocket,
  share: ShareSocketData['share'],
): void {
  serveEvents(deps, routes, { socket, role: null, share });
  if (!socket.recovered) {
    // The link names one booking, which the page holding it follows at once: it need not (and cannot,
    // as the public view carries no ID) name it in a subscribeBooking first.
    void socket.join([rooms.share(share.tokenHash), rooms.track(share.bookingId)]);
  }
  let timer: NodeJS.Timeout | null = null;
  const recheck = (): void => {
    deps.sharing.recheck(share).then(
      (link) => {
        if (socket.disconnected) {
          // Gone while the link was read: nothing left to watch.
          return;
        }
        if (link === null) {
          socket.disconnect(true);
          return;
        }
        timer = setTimeout(
          recheck,
          Math.max(0, Math.min(link.expiresAt - deps.clock.now(), SHARE_RECHECK_MS)),
        );
      },
      (error: unknown) => {
        socketLog(deps, socket).warn({ err: error }, 'could not read the share link of a socket again');
        if (!socket.disconnected) {
          timer = setTimeout(recheck, SHARE_RECHECK_MS);
        }
      },
    );
  };
  recheck();
  socket.once('disconnect', () => {
    if (timer !== null) {
      clearTimeout(timer);
    }
  });
}

/** What a share-token socket's events know of it. */
interface ShareContext extends SocketContext {
  role: null;
  share: ShareSocketData['share'];
}

/** A share-token socket's events: its own booking's public view, nothing else. */
function shareRoutes(deps: GatewayDeps): EventRoutes<ShareContext> {
  // The role check answers these (a share socket has no role) before the action could run.
  const forbidden = () => Promise.reject(errors.forbidden('A tracking link may only follow its booking.'));
  return routesOf<ShareContext>({
    subscribeBooking: route({ check: checks.booking }, async ({ socket, share }: ShareContext, payload) => {
      if (payload.bookingId !== share.bookingId) {
        // The same answer as for any booking the caller may not read.
        throw errors.notFound('Booking');
      }
      const room = rooms.track(share.bookingId);
      await socket.join(room);
      try {
        return { tracking: await deps.sharing.socketView(share) };
      } catch (error) {
        await socket.leave(room);
        throw error;
      }
    }),
    unsubscribeBooking: route({ check: checks.booking }, async ({ socket, share }: ShareContext, payload) => {
      if (payload.bookingId === share.bookingId) {
        await socket.leave(rooms.track(share.bookingId));
      }
      return {};
    }),
    driverLocationUpdate: route({ check: null, roles: ['driver'] }, forbidden),
    bookingStatusChanged: route({ check: null, roles: ['driver'] }, forbidden),
    subscribeFleet: route({ check: null, roles: ['admin'] }, forbidden),
    unsubscribeFleet: route({ check: null, roles: ['admin'] }, forbidden),
  });
}

/** What a signed-in socket's events know of it. */
interface SessionContext extends SocketContext {
  userId: string;
  role: Role;
}

/** A signed-in socket's events; each action calls the same service as its REST route. */
function sessionRoutes(deps: GatewayDeps): EventRoutes<SessionContext> {
  return routesOf<SessionContext>({
    driverLocationUpdate: route(
      { check: checks.location, roles: ['driver'] },
      ({ userId }: SessionContext, payload) => deps.drivers.updateLocation(userId, payload),
    ),
    subscribeBooking: route(
      { check: checks.booking },
      async ({ socket, userId, role }: SessionContext, payload) => {
        const caller = { userId, role };
        const room = rooms.booking(payload.bookingId);
        const booking = await deps.bookings.get(caller, payload.bookingId);
        await socket.join(room);
        if (role !== 'driver') {
          return { booking };
        }
        // A driver loses a booking by releasing it; the realtime projector then takes the driver's
        // sockets out of its room (revokeBooking). A release committed after the check above whose
        // leave ran before the join would leave this socket in the room, so check again now: this
        // read either sees the release, or the release commits after it and its leave, which comes
        // after the commit, finds the socket already in the room.
        try {
          return { booking: await deps.bookings.get(caller, payload.bookingId) };
        } catch (error) {
          await socket.leave(room);
          throw error;
        }
      },
    ),
    unsubscribeBooking: route({ check: checks.booking }, async ({ socket }: SessionContext, payload) => {
      await socket.leave(rooms.booking(payload.bookingId));
      return {};
    }),
    bookingStatusChanged: route(
      { check: checks.status, roles: ['driver'] },
      async ({ userId }: SessionContext, payload) => ({
        booking: await deps.bookings.driverUpdate(userId, payload.bookingId, payload.status, payload.pin),
      }),
    ),
    subscribeFleet: route({ check: null, roles: ['admin'] }, async ({ socket }: SessionContext) => {
      await socket.join(rooms.fleet);
      await deps.fleet?.sendSnapshot(socket);
      return {};
    }),
    unsubscribeFleet: route({ check: null, roles: ['admin'] }, async ({ socket }: SessionContext) => {
      await socket.leave(rooms.fleet);
      return {};
    }),
  });
}

/**
 * The Socket.IO half of the contract: token auth at the handshake, automatic
 * rooms, and the client events, each validated against the contracts' schemas
 * and answered by ack. Actions call the same services as their REST routes.
 */
export function registerGateway(deps: GatewayDeps): void {
  const { io, authenticator, logger } = deps;
  guardRecovery(deps, logger);
  io.use((socket, next) => {
    const credentials = credentialsOf(socket);
    if (credentials === null) {
      next(refusal('unauthenticated', 'A session token is required.'));
      return;
    }
    if (credentials.kind === 'share') {
      deps.sharing.connect(credentials.token).then(
        (link) => {
          if (link === null) {
            next(refusal('not_found', 'This tracking link has expired or was revoked.'));
            return;
          }
          socket.data = { share: { bookingId: link.bookingId, tokenHash: link.tokenHash } };
          next();
        },
        (error: unknown) => next(handshakeFailure(error)),
      );
      return;
    }
    if (credentials.fromCookie) {
      // A browser sends the cookie with a WebSocket that any site's page opens: only our origins may use it.
      const refused = deps.originPolicy.refusal(socket.handshake.headers);
      if (refused !== null) {
        next(refusal('forbidden', refused));
        return;
      }
    }
    authenticator.authenticate(credentials.token).then(
      (auth) => {
        socket.data = { userId: auth.userId, role: auth.role, tokenHash: auth.tokenHash };
        next();
      },
      (error: unknown) => next(handshakeFailure(error)),
    );
  });

  const routes = { session: sessionRoutes(deps), share: shareRoutes(deps) };
  io.on('connection', (socket) => {
    releaseFirstRequest(socket);
    const data = socket.data;
    if (data.share !== undefined) {
      shareConnection(deps, routes.share, socket, data.share);
      return;
    }
    const { userId, role } = data;
    serveEvents(deps, routes.session, { socket, userId, role });
    if (!socket.recovered) {
      void socket.join(rooms.user(userId));
      if (role === 'driver') {
        void socket.join(rooms.driver(userId));
      }
      if (role === 'admin') {
        void socket.join(rooms.admin);
      }
    }
    // Logout and suspension revoke the session, then close the sockets in the user's room. One whose
    // handshake read the session before the revocation but joined that room after the close would
    // stay open, so read the session again now that it is in the room: either this read sees the
    // revocation, or the close, which follows the revocation, finds the socket.
    deps.sessions.get({ userId, tokenHash: data.tokenHash }).then(
      (session) => {
        if (session === null) {
          socket.disconnect(true);
        }
      },
      (error: unknown) =>
        socketLog(deps, socket).warn({ err: error }, 'could not confirm the session of a new socket'),
    );
  });
}
