import { readdir } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { timerWaitReader } from '../lib/timer-waits';

const PREFIX = 'loadline_';

/**
 * prom-client's defaults that walk every handle or descriptor of the process on
 * the event loop at each scrape: a list of every socket's handle, a string per
 * resource, a synchronous read of /proc/self/fd. With 11,000 sockets open one
 * scrape held the loop for ~47 ms, and every ping arriving meanwhile waited
 * (ADR 0044). The open descriptors are counted off the loop instead; the socket
 * count is `loadline_socket_connections`.
 */
const PER_HANDLE_DEFAULTS = [
  'process_open_fds',
  'nodejs_active_handles',
  'nodejs_active_handles_total',
  'nodejs_active_resources',
  'nodejs_active_resources_total',
] as const;

/** One registry per app instance, so tests that build several apps do not collide. */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Reports this process's open sockets as `loadline_socket_connections`. */
  trackSockets(count: () => number): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  for (const name of PER_HANDLE_DEFAULTS) {
    registry.removeSingleMetric(PREFIX + name);
  }
  if (process.platform === 'linux') {
    new Gauge({
      name: `${PREFIX}process_open_fds`,
      help: 'Number of open file descriptors.',
      registers: [registry],
      async collect() {
        // Listed in libuv's thread pool; less the descriptor the listing itself held.
        const descriptors = await readdir('/proc/self/fd').catch(() => null);
        if (descriptors !== null) {
          this.set(descriptors.length - 1);
        }
      },
    });
  }
  const timerWait = timerWaitReader();
  new Gauge({
    name: `${PREFIX}event_loop_timer_wait_max_seconds`,
    help:
      'Longest wait of the event loop timers since the previous scrape, one still going on included. ' +
      'A loop busy with I/O answers requests while its timers (and the delay histogram) wait.',
    registers: [registry],
    collect() {
      this.set(timerWait() / 1000);
    },
  });
  const httpDuration = new Histogram({
    name: 'loadline_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return {
    registry,
    httpDuration,
    trackSockets: (count) => {
      new Gauge({
        name: 'loadline_socket_connections',
        help: 'Socket.IO connections open on this process',
        registers: [registry],
        collect() {
          this.set(count());
        },
      });
    },
  };
}

export function instrumentHttp(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
