import { io as connect, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '@loadline/contracts';
import { ApiError } from './api-client';

export type LoadlineSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const ACK_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 15_000;

/** The HTTP status the REST twin of a client event answers with each error code (the rest: 409). */
const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  invalid_transition: 422,
  rate_limited: 429,
  unavailable: 503,
  internal_error: 500,
};

/**
 * One person's Socket.IO connection, as the contract describes it: the
 * session token in `auth`, WebSocket only, reconnecting by itself.
 */
export class SimSocket {
  private constructor(readonly socket: LoadlineSocket) {}

  /** Connects and waits for the handshake; a refused token rejects with its error code. */
  static async open(baseUrl: string, token: string): Promise<SimSocket> {
    const socket: LoadlineSocket = connect(baseUrl, {
      auth: { token },
      transports: ['websocket'],
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
      forceNew: true,
      timeout: CONNECT_TIMEOUT_MS,
    });
    let deadline: NodeJS.Timeout | undefined;
    let onError: ((error: Error & { data?: { code?: string } }) => void) | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        onError = (error) => {
          // The handshake middleware refused us: reconnecting would not help.
          if (!socket.active) {
            reject(
              new ApiError(401, error.data?.code ?? 'unauthenticated', `socket refused: ${error.message}`),
            );
          }
        };
        socket.on('connect_error', onError);
        // Reconnection goes on forever; the first connection does not wait forever.
        deadline = setTimeout(() => {
          reject(new ApiError(0, 'network_error', `socket: no connection within ${CONNECT_TIMEOUT_MS} ms`));
        }, CONNECT_TIMEOUT_MS);
      });
    } catch (error) {
      socket.disconnect();
      throw error;
    } finally {
      clearTimeout(deadline);
      if (onError !== undefined) {
        socket.off('connect_error', onError);
      }
    }
    return new SimSocket(socket);
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** Emits a client event and resolves with its ack payload; `{ ok: false }` becomes an ApiError. */
  async request<R extends object>(event: keyof ClientToServerEvents, payload: unknown): Promise<R> {
    let ack: Ack<R>;
    try {
      ack = (await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload)) as Ack<R>;
    } catch {
      throw new ApiError(0, 'ack_timeout', `${event}: no ack within ${ACK_TIMEOUT_MS} ms`);
    }
    if (!ack.ok) {
      const retryAfter = ack.error.details?.retryAfterSeconds;
      throw new ApiError(
        STATUS_OF_CODE[ack.error.code] ?? 409,
        ack.error.code,
        `${event}: ${ack.error.code}: ${ack.error.message}`,
        typeof retryAfter === 'number' ? retryAfter : null,
      );
    }
    return ack;
  }

  close(): void {
    this.socket.disconnect();
  }
}
