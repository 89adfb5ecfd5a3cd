import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import net from 'node:net';
import { withServerNodeFlags } from './node-flags';
import type { Logger } from '../lib/logger';

/**
 * `loadline start --processes N`: one primary process owns the port and hands
 * every connection it accepts to one of N worker processes, each a whole
 * Loadline app. Plain `cluster` round-robin would break Socket.IO's
 * long-polling (one session's requests arrive on several connections and must
 * reach the process holding the session), so the primary reads the start of
 * each connection's first request: one that names an Engine.IO session (`sid`)
 * goes to the worker that opened it, any other to the next worker in turn.
 * Each worker mints its sessions' IDs with its own worker number in front
 * (`w3.<random>`), so the primary routes a session's next request by reading
 * its ID: there is no table to keep in step, and no window in which a client
 * that got its session ID is faster than news of it.
 * A connection stays on its worker for its life (keep-alive, WebSocket).
 */

const CONNECTION = 'loadline:connection';
const READY = 'loadline:ready';

type ToWorker = { type: typeof CONNECTION; head: string };
type ToPrimary = { type: typeof READY };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function toPrimary(message: unknown): ToPrimary | null {
  if (!isRecord(message)) {
    return null;
  }
  return message.type === READY ? { type: READY } : null;
}

/** A session ID minted by worker `workerId`. */
export function sessionIdFor(workerId: number, random: string): string {
  return `w${workerId}.${random}`;
}

/** The worker that minted a session ID, or null for an ID of another shape. */
export function workerOfSession(sid: string): number | null {
  const match = /^w(\d{1,6})\./.exec(sid);
  return match?.[1] === undefined ? null : Number(match[1]);
}

/** Engine.IO's session ID in the request line at the start of `head`, if it names one. */
export function sessionIdOf(head: string): string | null {
  const end = head.indexOf('\r\n');
  const requestLine = end === -1 ? head : head.slice(0, end);
  const match = /[?&]sid=([^&\s#]+)/.exec(requestLine);
  if (match?.[1] === undefined) {
    return null;
  }
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

/** `auto` is one process per core; otherwise a whole number from 1 to 64. */
export function parseProcesses(value: string | undefined, cores: number): number {
  if (value === undefined) {
    return 1;
  }
  if (value === 'auto') {
    return Math.max(1, cores);
  }
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 64) {
    throw new Error(`--processes takes a whole number from 1 to 64 or "auto"; got "${value}"`);
  }
  return count;
}

export interface PrimaryOptions {
  host: string;
  port: number;
  processes: number;
  /** How long workers get to drain after SIGTERM or SIGINT before they are killed. */
  shutdownTimeoutMs: number;
  logger: Logger;
}

/**
 * Runs the primary: forks the workers (they run this same command and find
 * themselves workers), waits until every one is ready, then accepts
 * connections. A worker that dies is replaced; SIGTERM or SIGINT stops
 * accepting, lets every worker drain, and exits when they have.
 */
export function runPrimary(options: PrimaryOptions): Promise<void> {
  const { logger } = options;
  const ready = new Set<number>();
  let turn = 0;
  let stopping = false;

  const byId = (id: number): Worker | undefined => cluster.workers?.[id];
  const readyWorkers = (): Worker[] =>
    [...ready].map((id) => byId(id)).filter((worker): worker is Worker => worker !== undefined);

  // Workers run with the server's V8 flags even when the primary was started without them.
  cluster.setupPrimary({ execArgv: withServerNodeFlags(process.execArgv) });
  const fork = (): void => {
    const worker = cluster.fork();
    worker.on('message', (raw: unknown) => {
      const message = toPrimary(raw);
      if (message === null) {
        return;
      }
      ready.add(worker.id);
      onReady();
    });
  };

  const hand = (socket: net.Socket, head: Buffer): void => {
    const sid = sessionIdOf(head.toString('latin1'));
    const owner = sid === null ? null : workerOfSession(sid);
    const candidates = readyWorkers();
    // A session of a worker that died goes to another, which answers that it does not know it.
    let worker = owner === null ? undefined : byId(owner);
    if (worker === undefined || !ready.has(worker.id)) {
      worker = candidates[turn % Math.max(1, candidates.length)];
      turn += 1;
    }
    if (worker === undefined) {
      socket.destroy();
      return;
    }
    const message: ToWorker = { type: CONNECTION, head: head.toString('base64') };
    worker.send(message, socket, { keepOpen: false }, (error) => {
      if (error !== null) {
        logger.warn({ err: error, worker: worker.process.pid }, 'could not hand a connection to a worker');
        socket.destroy();
      }
    });
  };

  const server = net.createServer({ pauseOnConnect: true }, (socket) => {
    socket.once('error', () => socket.destroy());
    socket.once('data', (head: Buffer) => {
      socket.pause();
      socket.removeAllListeners('error');
      hand(socket, head);
    });
    socket.resume();
  });

  let resolveUp: () => void = () => undefined;
  let rejectUp: (error: Error) => void = () => undefined;
  const up = new Promise<void>((resolve, reject) => {
    resolveUp = resolve;
    rejectUp = reject;
  });
  let listening = false;
  function onReady(): void {
    if (listening || ready.size < options.processes) {
      return;
    }
    listening = true;
    server.once('error', rejectUp);
    server.listen(options.port, options.host, () => {
      logger.info(
        { address: `http://${options.host}:${options.port}`, processes: options.processes },
        'loadline is up',
      );
      resolveUp();
    });
  }

  cluster.on('exit', (worker, code, signal) => {
    ready.delete(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        logger.info('stopped');
        process.exit(0);
      }
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'a worker process died; starting another');
    fork();
  });

  const stop = (signal: string): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.info({ signal }, 'draining');
    server.close();
    const deadline = setTimeout(() => {
      logger.error('workers took too long to drain; killing them');
      for (const worker of Object.values(cluster.workers ?? {})) {
        worker?.process.kill('SIGKILL');
      }
      process.exit(1);
    }, options.shutdownTimeoutMs + 2_000);
    deadline.unref();
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) {
      process.exit(0);
    }
    for (const worker of workers) {
      worker?.process.kill('SIGTERM');
    }
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  for (let index = 0; index < options.processes; index += 1) {
    fork();
  }
  return up;
}

/**
 * In a worker: serves the connections the primary hands over on `server`
 * (which does not listen itself), mints Engine.IO session IDs that name this
 * worker, and tells the primary it is ready.
 */
export function serveFromPrimary(server: HttpServer, engine: SessionIds | null): void {
  process.on('message', (raw: unknown, handle: unknown) => {
    if (!isRecord(raw) || raw.type !== CONNECTION || typeof raw.head !== 'string') {
      return;
    }
    if (!(handle instanceof net.Socket)) {
      return;
    }
    server.emit('connection', handle);
    handle.unshift(Buffer.from(raw.head, 'base64'));
    handle.resume();
  });
  const workerId = cluster.worker?.id;
  if (engine !== null && workerId !== undefined) {
    engine.generateId = () => sessionIdFor(workerId, randomBytes(15).toString('base64url'));
  }
  send({ type: READY });
}

/** The part of Engine.IO's server this needs: how it mints session IDs. */
export interface SessionIds {
  generateId: (request: IncomingMessage) => string | PromiseLike<string>;
}

function send(message: ToPrimary): void {
  if (process.send !== undefined && process.connected) {
    process.send(message);
  }
}
