import { io as connect, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '@loadline/contracts';
import { ApiError } from './api-client';
import type { SessionToken } from './sim-session';

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

/** Signing in again for a refused socket failed; the socket stays closed. */
export type RenewFailed = (error: unknown) => void;

/** Handshake refusals in a row, each after signing in again, before the socket gives up. */
const MAX_REFUSALS = 3;

/**
 * One person's Socket.IO connection, as the contract describes it: the
 * session token in `auth`, WebSocket only, reconnecting by itself. When the
 * server ends the connection (its session was revoked) or refuses a
 * reconnection's handshake with `unauthenticated`, it signs in again and
 * reconnects with the new token.
 */
export class SimSocket {
  private refusals = 0;
  private closed = false;

  private constructor(
    readonly socket: LoadlineSocket,
    private readonly session: SessionToken,
    /** The token the latest handshake carried. */
    private readonly handshake: { token: string },
    private readonly onRenewFailed: RenewFailed,
  ) {
    socket.on('connect', () => {
      this.refusals = 0;
    });
    socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') {
        this.signInAgain();
      }
    });
    socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
      // The handshake middleware refused us: reconnecting with the same token would not help.
      if (!socket.active && error.data?.code === 'unauthenticated') {
        this.refusals += 1;
        if (this.refusals <= MAX_REFUSALS) {
          this.signInAgain();
        } else {
          onRenewFailed(new ApiError(401, 'unauthenticated', `socket refused: ${error.message}`));
        }
      }
    });
  }

  /** Connects and waits for the handshake; a refused token rejects with its error code. */
  static async open(
    baseUrl: string,
    session: SessionToken,
    onRenewFailed: RenewFailed = () => undefined,
  ): Promise<SimSocket> {
    const handshake = { token: session.token };
    const socket: LoadlineSocket = connect(baseUrl, {
      // Read at every (re)connection, so a reconnection carries the newest token.
      auth: (send) => {
        handshake.token = session.token;
        send({ token: handshake.token });
      },
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
    return new SimSocket(socket, session, handshake, onRenewFailed);
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
    this.closed = true;
    this.socket.disconnect();
  }

  private signInAgain(): void {
    if (this.closed) {
      return;
    }
    this.session.renew(this.handshake.token).then(
      () => {
        if (!this.closed) {
          this.socket.connect();
        }
      },
      (error: unknown) => this.onRenewFailed(error),
    );
  }
}
