import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Cluster, Redis } from 'ioredis';
import { Server } from 'socket.io';
import type { ClientToServerEvents, Role, ServerToClientEvents } from '@loadline/contracts';
import type { Config } from '../config/config';
import type { Logger } from '../lib/logger';
import {
  closeRedis,
  createRedis,
  isClusterUrl,
  isRedisCluster,
  waitForRedis,
  type RedisClient,
} from '../platform/redis';
import { settlesWithin } from '../lib/settles-within';

/** A socket signed in with a session. */
export interface SessionSocketData {
  userId: string;
  role: Role;
  tokenHash: string;
  share?: undefined;
}

/** A socket opened with a share link (`auth: { shareToken }`): it may follow that one booking, nothing else. */
export interface ShareSocketData {
  share: { bookingId: string; tokenHash: string };
}

export type SocketData = SessionSocketData | ShareSocketData;

export type LoadlineServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;

/** How long a dropped client can come back and receive what it missed. */
export const RECOVERY_WINDOW_MS = 2 * 60_000;

export interface SocketServerHandle {
  io: LoadlineServer;
  /**
   * Disconnects this process's sockets and stops taking new ones (and stops
   * reading the adapter's stream). Emits still reach the other instances'
   * sockets through the adapter: work that finishes after this (queue jobs,
   * outbox consumers) still delivers its events.
   */
  disconnect(): Promise<void>;
  /** Closes the adapter's Redis connections: after the last emit of this process. */
  close(): Promise<void>;
}

/**
 * The Socket.IO server of this process: attached to the HTTP server when the
 * process serves sockets, headless otherwise (it then only emits). In cluster
 * mode every instance shares rooms through the Redis Streams adapter
 * (docs/adr/0010), which also keeps the packets that connection state
 * recovery replays; in embedded mode the in-memory adapter does both.
 */
export function createSocketServer(
  config: Config,
  logger: Logger,
  httpServer: HttpServer | null,
): SocketServerHandle {
  const options = {
    path: '/socket.io',
    serveClient: false,
    // The gateway's recovery guard checks a returning socket's sign-in and access before it gets its rooms
    // back, in place of the handshake middleware, which would leave it outside its rooms' broadcasts meanwhile.
    connectionStateRecovery: { maxDisconnectionDuration: RECOVERY_WINDOW_MS, skipMiddlewares: true },
    // Browsers reconnect by themselves; a dead peer is noticed within ~45 s.
    pingInterval: 20_000,
    pingTimeout: 25_000,
    maxHttpBufferSize: 64 * 1024,
    cors: { origin: false },
  } as const;
  const io: LoadlineServer = httpServer === null ? new Server(options) : new Server(httpServer, options);
  if (httpServer !== null) {
    io.engine.use(envelopeTransportErrors);
  }

  if (config.mode === 'cluster' && config.redisUrl !== null) {
    const redis = createRedis(config.redisUrl, 'loadline-socketio', {
      forBlocking: true,
      logger: logger.child({ module: 'socketio-adapter' }),
      // On a Redis Cluster, SSUBSCRIBE must reach the node that owns each channel's slot.
      shardedSubscribers: isClusterUrl(config.redisUrl),
    });
    const subscribers = trackDuplicates(redis);
    io.adapter(
      createAdapter(redis, {
        streamName: `${config.redisPrefix}socket.io`,
        channelPrefix: `${config.redisPrefix}socket.io`,
        sessionKeyPrefix: `${config.redisPrefix}sio:session:`,
        useShardedPubSub: true,
        maxLen: 100_000,
        blockTimeInMs: config.socketAdapterBlockMs,
        onlyPlaintext: true,
      }),
    );
    let disconnected: Promise<void> | null = null;
    const disconnect = () => {
      disconnected ??= (async () => {
        await settleSubscriptions(subscribers);
        await closeIo(io, httpServer !== null);
      })();
      return disconnected;
    };
    return {
      io,
      disconnect,
      close: async () => {
        await disconnect();
        await closeRedis(redis);
      },
    };
  }
  let disconnected: Promise<void> | null = null;
  const disconnect = () => {
    disconnected ??= closeIo(io, httpServer !== null);
    return disconnected;
  };
  return { io, disconnect, close: disconnect };
}

/**
 * Engine.IO answers a refused long-polling request (unknown session, bad
 * transport or protocol version) with `{ code: <number>, message }`; like every
 * other answer of the server it gets the contract's envelope, keeping the
 * transport's code in `details`. Socket.IO clients only read the status.
 */
function envelopeTransportErrors(
  _request: IncomingMessage,
  response: ServerResponse,
  next: () => void,
): void {
  const end = response.end.bind(response);
  // `end` has several overloads; the wrapper passes every argument through and only swaps the body.
  response.end = ((chunk?: unknown, ...rest: unknown[]) => {
    const body =
      response.statusCode >= 400 && typeof chunk === 'string' ? envelopeOf(chunk, response.statusCode) : null;
    return (end as (...args: unknown[]) => ServerResponse)(body ?? chunk, ...rest);
  }) as ServerResponse['end'];
  next();
}

function envelopeOf(text: string, status: number): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    !('code' in parsed) ||
    typeof parsed.code !== 'number' ||
    !('message' in parsed) ||
    typeof parsed.message !== 'string'
  ) {
    return null;
  }
  return JSON.stringify({
    error: {
      code: status === 403 ? 'forbidden' : 'bad_request',
      message: parsed.message,
      details: { transportCode: parsed.code },
    },
  });
}

/**
 * The adapter subscribes on a copy of the client (`duplicate()`) and does not
 * handle a subscription that fails: closing before it has landed would leave
 * an unhandled rejection. Keeping the copies lets close wait for it. On a
 * Redis Cluster the SSUBSCRIBEs go out on the copy's sharded subscriber
 * connections, not the ones a PING uses: they are kept and awaited instead.
 */
function trackDuplicates(redis: RedisClient): { copies: RedisClient[]; subscriptions: Promise<unknown>[] } {
  const copies: RedisClient[] = [];
  const subscriptions: Promise<unknown>[] = [];
  if (isRedisCluster(redis)) {
    const duplicate = redis.duplicate.bind(redis);
    redis.duplicate = (...args: Parameters<Cluster['duplicate']>) => {
      const copy = duplicate(...args);
      const ssubscribe = copy.ssubscribe.bind(copy);
      copy.ssubscribe = ((...channels: string[]) => {
        const subscribed = ssubscribe(...channels);
        subscriptions.push(subscribed.catch(() => undefined));
        return subscribed;
      }) as Cluster['ssubscribe'];
      copies.push(copy);
      return copy;
    };
    return { copies, subscriptions };
  }
  const duplicate = redis.duplicate.bind(redis);
  redis.duplicate = (...args: Parameters<Redis['duplicate']>) => {
    const copy = duplicate(...args);
    copies.push(copy);
    return copy;
  };
  return { copies, subscriptions };
}

/** Resolves once the copies are connected and every command sent before (the subscriptions) is answered. */
async function settleSubscriptions(tracked: ReturnType<typeof trackDuplicates>): Promise<void> {
  await Promise.all(tracked.copies.map(settleSubscription));
  await settlesWithin(Promise.all(tracked.subscriptions), 2_000);
}

/**
 * How long close waits for a copy's PING. The subscriber copy answers at once;
 * the adapter's stream reader answers only after its blocking XREAD returns
 * (up to SOCKET_ADAPTER_BLOCK_MS), and has no subscription to wait for.
 */
const SETTLE_PING_MS = 500;

/** Resolves once the copy is connected and every command sent before (the subscription) is answered. */
async function settleSubscription(copy: RedisClient): Promise<void> {
  try {
    await waitForRedis(copy, 2_000);
  } catch {
    // Not connected: nothing is pending on it that could fail later.
    return;
  }
  // A PING still waiting when the copy is closed fails, handled by settlesWithin.
  await settlesWithin(copy.ping(), SETTLE_PING_MS);
}

/** Disconnects local sockets and stops the adapter; an attached HTTP server stops listening too. */
async function closeIo(io: LoadlineServer, attached: boolean): Promise<void> {
  if (attached) {
    await io.close();
    return;
  }
  // A headless server has no engine to close, only its adapter.
  await io.of('/').adapter.close();
}
