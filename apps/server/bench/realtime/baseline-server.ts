/**
 * The realtime baseline: a bare Socket.IO server whose only work per
 * `driverLocationUpdate` is one Redis GEOADD, then the ack. Run as its own
 * process and driven by the same load clients as Loadline, it tells what the
 * platform's own work per update costs on this machine.
 *
 *   node --import tsx apps/server/bench/realtime/baseline-server.ts --port P --redis URL --key K
 *
 * `GET /healthz` answers 200; `GET /metrics` gives the event-loop delay p99
 * since the last scrape, the open sockets and the V8 heap in use, in the
 * Prometheus text format.
 */
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';

const { values } = parseArgs({
  options: { port: { type: 'string' }, redis: { type: 'string' }, key: { type: 'string' } },
});
if (values.port === undefined || values.redis === undefined || values.key === undefined) {
  throw new Error('baseline-server needs --port, --redis and --key');
}
const key = values.key;
const redis = new Redis(values.redis, { maxRetriesPerRequest: 1 });
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();

const server = http.createServer((request, response) => {
  if (request.url === '/healthz') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    return;
  }
  if (request.url === '/metrics') {
    const p99 = delay.percentile(99) / 1e9;
    delay.reset();
    const memory = process.memoryUsage();
    response
      .writeHead(200, { 'content-type': 'text/plain' })
      .end(
        `baseline_eventloop_lag_p99_seconds ${p99}\nbaseline_socket_connections ${io.engine.clientsCount}\n` +
          `baseline_heap_used_bytes ${memory.heapUsed}\nbaseline_external_memory_bytes ${memory.external}\n`,
      );
    return;
  }
  response.writeHead(404).end();
});

// The socket settings Loadline uses (heartbeats, buffer size), without its adapter or recovery.
const io = new Server(server, {
  path: '/socket.io',
  serveClient: false,
  pingInterval: 20_000,
  pingTimeout: 25_000,
  maxHttpBufferSize: 64 * 1024,
  cors: { origin: false },
});

type Reply = (response: unknown) => void;

io.use((socket, next) => {
  const auth: unknown = socket.handshake.auth;
  const token = typeof auth === 'object' && auth !== null && 'token' in auth ? auth.token : undefined;
  next(typeof token === 'string' && token !== '' ? undefined : new Error('unauthenticated'));
});

io.on('connection', (socket) => {
  socket.on('driverLocationUpdate', (payload: unknown, ack?: Reply) => {
    const reply: Reply = typeof ack === 'function' ? ack : () => undefined;
    const { lat, lng } = (typeof payload === 'object' && payload !== null ? payload : {}) as {
      lat?: unknown;
      lng?: unknown;
    };
    if (typeof lat !== 'number' || typeof lng !== 'number') {
      reply({ ok: false, error: { code: 'validation_failed', message: 'lat and lng are required' } });
      return;
    }
    redis.geoadd(key, lng, lat, socket.id).then(
      () => reply({ ok: true, accepted: true }),
      (error: unknown) =>
        reply({
          ok: false,
          error: { code: 'internal_error', message: error instanceof Error ? error.message : 'redis' },
        }),
    );
  });
  // Watchers connect like they do to Loadline; there is nothing to deliver here.
  socket.on('subscribeBooking', (_payload: unknown, ack?: Reply) => {
    if (typeof ack === 'function') {
      ack({ ok: true });
    }
  });
});

server.listen(Number(values.port), '127.0.0.1');

const stop = (): void => {
  void io.close().finally(() => {
    redis.disconnect();
    process.exit(0);
  });
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
