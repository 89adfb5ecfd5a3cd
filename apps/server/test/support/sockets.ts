import type { AddressInfo } from 'node:net';
import { io as connect, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '@loadline/contracts';
import type { LoadlineApp } from '../../src/app';
import { waitFor } from './wait';

export interface Received {
  event: string;
  data: unknown;
}

/** A Socket.IO client that records every event it receives. */
export class TestSocket {
  readonly received: Received[] = [];

  constructor(readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>) {
    socket.onAny((event: string, data: unknown) => {
      this.received.push({ event, data });
    });
  }

  of<T>(event: string): T[] {
    return this.received.filter((item) => item.event === event).map((item) => item.data as T);
  }

  async waitFor<T>(event: string, match: (data: T) => boolean = () => true, timeoutMs = 20_000): Promise<T> {
    let found: T | undefined;
    await waitFor(() => {
      found = this.of<T>(event).find(match);
      return found !== undefined;
    }, timeoutMs);
    return found as T;
  }

  /** Emits a client event and resolves with its ack. */
  request<R extends object = object>(event: keyof ClientToServerEvents, payload?: unknown): Promise<Ack<R>> {
    return this.socket.timeout(10_000).emitWithAck(event, payload) as Promise<Ack<R>>;
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** The base URL of an app that listens (call `app.listen()` first). */
export function baseUrlOf(app: LoadlineApp): string {
  const address = app.http.server.address() as AddressInfo | null;
  if (address === null) {
    throw new Error('the app is not listening');
  }
  return `http://127.0.0.1:${address.port}`;
}

/** The handshake's `auth`: a session token, or a share link's token (a public tracking page). */
export type SocketAuth = { token: string } | { shareToken: string };

/** Connects with a session token over WebSocket only (what works behind a non-sticky load balancer). */
export async function connectSocket(url: string, token: string | SocketAuth): Promise<TestSocket> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(url, {
    auth: typeof token === 'string' ? { token } : token,
    transports: ['websocket'],
    reconnection: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    forceNew: true,
  });
  const client = new TestSocket(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  return client;
}

/** Resolves with the handshake error of a connection the server refuses. */
export async function refusedConnection(
  url: string,
  token: string | SocketAuth | undefined,
): Promise<Error & { data?: unknown }> {
  const socket = connect(url, {
    auth: token === undefined ? {} : typeof token === 'string' ? { token } : token,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  try {
    return await new Promise((resolve, reject) => {
      socket.once('connect', () => reject(new Error('the connection was accepted')));
      socket.once('connect_error', (error) => resolve(error as Error & { data?: unknown }));
    });
  } finally {
    socket.disconnect();
  }
}
