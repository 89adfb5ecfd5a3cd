/**
 * The HTTP bench's coordinator: environment, the per-route work budget (CPU, Redis round trips, SQL statements per
 * request), the mix and the bare ceiling, measured in one run so their ratio is fair. The route mix itself is in
 * http/mix.ts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { ApiClient } from './support/api';
import { formatRoutes, LatencyRecorder, type RouteSummary } from './support/latency';
import { runLoad, stopAllLoad, type LoadResult } from './support/load';
import { machineInfo } from './support/machine';
import { processTreeCpuSeconds } from './support/proc-stat';
import { freePort, loadlineServerArgs, NodeProcess, Teardown, waitForOk } from './support/processes';
import { Random } from './support/random';
import {
  backendPerRequest,
  deleteRedisPrefix,
  mysqlUrl,
  readBackendCounters,
  recreateDatabases,
  REDIS_URL,
  type BackendCounters,
} from './support/stores';
import { seed } from './http/dataset';
import { MIX_WEIGHTS, MixWorkload, type FlowCounts, type Op } from './http/mix';
import { wholeNumber } from './support/options';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DATABASES = ['loadline_bench_0', 'loadline_bench_1', 'loadline_bench_2', 'loadline_bench_3'];
const DATA_SET = { customers: 200, drivers: 300, tracked: 100, searching: 200, concurrency: 16 } as const;
const SEED = 20_240_601;
const BOOT_TIMEOUT_MS = 90_000;

export interface HttpBenchOptions {
  help: boolean;
  durationSeconds: number;
  connections: number;
  instances: number;
  /** `start --processes` of each instance: worker processes behind one port. */
  processes: number;
  warmupSeconds: number;
  /** Write a V8 CPU profile of each Loadline server process. */
  profile: boolean;
  /** Restrict the mix to these kinds of request (investigation); default: the whole mix. */
  only: Op[] | null;
  skipCeiling: boolean;
}

export const HTTP_USAGE = `usage: npm run bench -- http [options]

  --duration S       seconds of each measured phase (default 20)
  --connections C    concurrent connections (default 100)
  --instances N      server processes on N ports, connections dealt over them in turn (default 1)
  --processes N      each instance runs \`start --processes N\`: N worker processes behind one port (default 1)
  --warmup S         unmeasured seconds before each phase (default 3)
  --profile          V8 CPU profile of each server process (--cpu-prof) under artifacts/bench/
  --only K,...       run only these kinds of request: ${Object.keys(MIX_WEIGHTS).join(', ')}
  --skip-ceiling     skip the bare-Fastify ceiling phase
`;

export function parseHttpOptions(argv: string[]): HttpBenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      connections: { type: 'string' },
      instances: { type: 'string' },
      processes: { type: 'string' },
      warmup: { type: 'string' },
      profile: { type: 'boolean', default: false },
      only: { type: 'string' },
      'skip-ceiling': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const instances = wholeNumber('instances', values.instances, 1);
  const connections = wholeNumber('connections', values.connections, 100);
  if (connections < instances) {
    throw new Error('--connections must be at least --instances');
  }
  let only: Op[] | null = null;
  if (values.only !== undefined) {
    const known = Object.keys(MIX_WEIGHTS);
    only = values.only.split(',').map((name) => {
      if (!known.includes(name)) {
        throw new Error(`--only takes ${known.join(', ')}; got "${name}"`);
      }
      return name as Op;
    });
  }
  return {
    help: values.help,
    durationSeconds: wholeNumber('duration', values.duration, 20),
    connections,
    instances,
    processes: wholeNumber('processes', values.processes, 1),
    warmupSeconds: wholeNumber('warmup', values.warmup, 3, 0),
    profile: values.profile,
    only,
    skipCeiling: values['skip-ceiling'],
  };
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** `npm run bench -- http`: the mixed REST workload against a cluster-mode server, then the bare-Fastify ceiling. */
export async function runHttpBench(argv: string[]): Promise<void> {
  const options = parseHttpOptions(argv);
  if (options.help) {
    process.stdout.write(HTTP_USAGE);
    return;
  }
  // Load runs stop first, so nothing hammers servers that are shutting down.
  const teardown = new Teardown(stopAllLoad);
  const removeSignalHandlers = teardown.onSignals();
  const started = performance.now();
  let summary: Record<string, unknown>;
  try {
    summary = await bench(options, teardown);
  } finally {
    await teardown.run();
    removeSignalHandlers();
  }
  summary.totalSeconds = round((performance.now() - started) / 1000, 1);
  // The last line: one JSON object, for scripts and CI to pick up.
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

async function bench(options: HttpBenchOptions, teardown: Teardown): Promise<Record<string, unknown>> {
  const machine = machineInfo();
  const redisPrefix = `llbench:${process.pid}:`;
  teardown.add('Redis keys', async () => {
    log(`teardown: deleted ${await deleteRedisPrefix(redisPrefix)} Redis keys under ${redisPrefix}`);
  });
  log(
    `http bench: ${options.connections} connections, ${options.instances} instance(s), ` +
      `${options.durationSeconds} s per phase after ${options.warmupSeconds} s warm-up; Redis prefix ${redisPrefix}`,
  );

  // --- Setup -------------------------------------------------------------
  const setupStarted = performance.now();
  await recreateDatabases(DATABASES);
  const profileDir = path.join(
    repoRoot,
    'artifacts',
    'bench',
    `http-${new Date().toISOString().replace(/[:.]/g, '-')}`,
  );
  const servers = await startLoadline(options, redisPrefix, profileDir, teardown);
  const urls = servers.map((server) => server.url);
  log(`setup: ${servers.length} server(s) ready in ${seconds(setupStarted)} s at ${urls.join(', ')}`);
  const api = new ApiClient(urls[0] ?? '');
  const dataStarted = performance.now();
  const data = await seed(api, { ...DATA_SET, random: new Random(SEED), log });
  teardown.assertActive();
  const setupSeconds = round((performance.now() - setupStarted) / 1000, 1);
  log(
    `setup: ${data.customers.length} customers, ${data.drivers.length} van drivers online around Bengaluru, ` +
      `${data.tracked.length} assigned bookings, ${data.readable.length - data.tracked.length} searching; ` +
      `data ${seconds(dataStarted)} s, setup total ${setupSeconds} s`,
  );

  // --- Mix ---------------------------------------------------------------
  const weights = weightsFor(options.only);
  const workload = new MixWorkload(data, SEED, weights);
  const mix = await measure('mix', teardown, options, urls, (recorder) => workload.clientSetup(recorder), {
    betweenRuns: async () => {
      await workload.settle(api);
      workload.resetCounts();
    },
    serverCpu: () => serversCpuSeconds(servers),
    queuePrefix: redisPrefix,
  });
  teardown.assertActive();
  const flows = workload.counts;
  const mixOverall = mix.recorder.overall(mix.load.seconds);
  const mixRoutes = mix.recorder.summary(mix.load.seconds);
  const mixErrors = mix.recorder.countClass(5) + mix.load.connectionErrors;
  const conflicts = mix.recorder.countStatus(409);
  const unexpected4xx = mix.recorder.countClass(4) - conflicts;
  log(`\nmix (${describeWeights(weights)}), ${round(mix.load.seconds, 1)} s:`);
  log(formatRoutes(mixRoutes));
  log(
    `all: ${mixOverall.rps} req/s, p50 ${mixOverall.p50Ms} ms, p99 ${mixOverall.p99Ms} ms, max ${mixOverall.maxMs} ms; ` +
      `409 ${conflicts} (expected races), other 4xx ${unexpected4xx}, 5xx ${mix.recorder.countClass(5)}, ` +
      `connection errors ${mix.load.connectionErrors} (timeouts ${mix.load.timeouts}); ` +
      `autocannon counted ${mix.load.autocannonRequests} answers, p99 ${mix.load.autocannonP99Ms} ms`,
  );
  const offerWait = offerWaitOf(workload.offerWaits);
  log(describeFlows(flows, offerWait));
  // Server-wide counters: anything else using this MariaDB or Redis meanwhile is counted too.
  const backend = backendPerRequest(mix.backend.before, mix.backend.after, mix.recorder.answered);
  log(
    `per answered request: ${backend.redisCommands} Redis commands (${describeCounts(backend.redis)}), ` +
      `${backend.sqlStatements} SQL statements (${describeCounts(backend.sql)}), ` +
      `${backend.events} committed events; ` +
      `events not yet consumed ${mix.backend.before.unconsumedEvents} at the start, ${mix.backend.after.unconsumedEvents} at the end; ` +
      `queue jobs due and not taken ${describeDue(mix.backend.before.dueJobs)} at the start, ${describeDue(mix.backend.after.dueJobs)} at the end`,
  );
  const serverCpu = serverCpuOf(mix, mix.recorder.answered);
  log(
    serverCpu === null
      ? 'server CPU: not read'
      : `server CPU: ${serverCpu.msPerRequest} ms per answered request, ${serverCpu.cores} cores busy on average`,
  );
  const linesBeforeShutdown = servers.map((server) => server.process.outputLines);
  const logLinesDuringMix = linesBeforeShutdown.reduce((sum, lines) => sum + lines, 0);
  await Promise.all(servers.map((server) => server.process.stop()));
  const serverLogLines = servers.reduce((sum, server) => sum + server.process.outputLines, 0);
  for (const [index, server] of servers.entries()) {
    if (server.process.outputLines > 0) {
      log(
        `${server.process.name} logged ${server.process.outputLines} lines at warn or above ` +
          `(${linesBeforeShutdown[index] ?? 0} before shutdown), by kind:`,
      );
      log(
        indent(
          server.process
            .lineKinds()
            .slice(0, 6)
            .map(([kind, count]) => `${count} x ${kind}`)
            .join('\n'),
        ),
      );
    }
  }
  if (options.profile) {
    const startedAt = servers[0]?.startedAt ?? 0;
    log(
      `CPU profiles of the server(s): ${profileDir}; the measured mix ran from ` +
        `${round((mix.window.from - startedAt) / 1000, 1)} s to ${round((mix.window.to - startedAt) / 1000, 1)} s after the first server started`,
    );
  }

  // --- Ceiling -----------------------------------------------------------
  let ceiling: { rps: number; p50Ms: number; p99Ms: number; errors: number } | null = null;
  if (!options.skipCeiling) {
    teardown.assertActive();
    const ceilingUrls = await startCeiling(options, redisPrefix, teardown);
    const run = await measure('ceiling', teardown, options, ceilingUrls, (recorder) =>
      ceilingClient(recorder),
    );
    teardown.assertActive();
    const overall = run.recorder.overall(run.load.seconds);
    ceiling = { ...overall, errors: run.recorder.countClass(5) + run.load.connectionErrors };
    log(
      `\nceiling (bare Fastify + one Redis GET), ${round(run.load.seconds, 1)} s: ${overall.rps} req/s, ` +
        `p50 ${overall.p50Ms} ms, p99 ${overall.p99Ms} ms, errors ${ceiling.errors}`,
    );
  }
  const ratio = ceiling === null ? null : round(mixOverall.rps / ceiling.rps, 3);
  log(`ratio mix / ceiling: ${ratio ?? 'n/a'}`);

  return {
    bench: 'http',
    mixRps: mixOverall.rps,
    mixP99Ms: mixOverall.p99Ms,
    ceilingRps: ceiling?.rps ?? null,
    ratio,
    errors: mixErrors,
    cpus: machine.cpus,
    mixP50Ms: mixOverall.p50Ms,
    ceilingP99Ms: ceiling?.p99Ms ?? null,
    ceilingErrors: ceiling?.errors ?? null,
    conflicts,
    unexpected4xx,
    routes: compactRoutes(mixRoutes),
    flows,
    dispatchLagMs: offerWait,
    backendPerRequest: backend,
    owed: {
      unconsumedEvents: [mix.backend.before.unconsumedEvents, mix.backend.after.unconsumedEvents],
      dueJobs: [mix.backend.before.dueJobs, mix.backend.after.dueJobs],
    },
    serverCpuMsPerRequest: serverCpu?.msPerRequest ?? null,
    serverCpuCores: serverCpu?.cores ?? null,
    weights,
    setupSeconds,
    instances: options.instances,
    processes: options.processes,
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    serverLogLines,
    serverLogLinesBeforeShutdown: logLinesDuringMix,
    node: machine.node,
    cpuModel: machine.cpuModel,
    loadAverageAtStart: machine.loadAverage,
  };
}

interface Measured {
  recorder: LatencyRecorder;
  load: LoadResult;
  /** performance.now() when the measured run started and ended. */
  window: { from: number; to: number };
  /** Redis and MariaDB counters before and after the measured run. */
  backend: { before: BackendCounters; after: BackendCounters };
  /** CPU seconds the servers used during the measured run; null when not read. */
  serverCpuSeconds: number | null;
}

/** An unmeasured warm-up (JIT, pools, caches), then the measured run. */
async function measure(
  name: string,
  teardown: Teardown,
  options: HttpBenchOptions,
  urls: readonly string[],
  clientSetup: (recorder: LatencyRecorder) => Parameters<typeof runLoad>[0]['setupClient'],
  extras: {
    betweenRuns?: () => Promise<void>;
    serverCpu?: () => number | null;
    /** Where the servers' queues live, to count the jobs left owed. */
    queuePrefix?: string;
  } = {},
): Promise<Measured> {
  const { betweenRuns, serverCpu, queuePrefix = null } = extras;
  const base = { urls, connections: options.connections };
  if (options.warmupSeconds > 0) {
    log(`${name}: warming up for ${options.warmupSeconds} s`);
    await runLoad({
      ...base,
      durationSeconds: options.warmupSeconds,
      setupClient: clientSetup(new LatencyRecorder()),
    });
  }
  await betweenRuns?.();
  teardown.assertActive();
  log(`${name}: measuring for ${options.durationSeconds} s`);
  const recorder = new LatencyRecorder();
  const before = await readBackendCounters(DATABASES, queuePrefix);
  const cpuBefore = serverCpu?.() ?? null;
  const from = performance.now();
  const load = await runLoad({
    ...base,
    durationSeconds: options.durationSeconds,
    setupClient: clientSetup(recorder),
  });
  const to = performance.now();
  const cpuAfter = serverCpu?.() ?? null;
  const after = await readBackendCounters(DATABASES, queuePrefix);
  const serverCpuSeconds = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  return { recorder, load, window: { from, to }, backend: { before, after }, serverCpuSeconds };
}

/** The servers' CPU (each process with its workers); null when one is gone. */
function serversCpuSeconds(servers: readonly RunningServer[]): number | null {
  let total = 0;
  for (const server of servers) {
    const pid = server.process.child.pid;
    const cpu = pid === undefined ? null : processTreeCpuSeconds(pid);
    if (cpu === null) {
      return null;
    }
    total += cpu;
  }
  return total;
}

function serverCpuOf(run: Measured, answered: number): { msPerRequest: number; cores: number } | null {
  if (run.serverCpuSeconds === null || answered === 0) {
    return null;
  }
  return {
    msPerRequest: round((run.serverCpuSeconds * 1000) / answered, 3),
    cores: round(run.serverCpuSeconds / run.load.seconds, 2),
  };
}

interface RunningServer {
  process: NodeProcess;
  url: string;
  /** performance.now() at spawn. */
  startedAt: number;
}

async function startLoadline(
  options: HttpBenchOptions,
  redisPrefix: string,
  profileDir: string,
  teardown: Teardown,
): Promise<RunningServer[]> {
  const start = async (index: number): Promise<RunningServer> => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_SHARDS: DATABASES.map(mysqlUrl).join(','),
      REDIS_URL,
      REDIS_PREFIX: redisPrefix,
      RATE_LIMITS: 'off',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_POOL_SIZE: '16',
      OFFER_TTL_SECONDS: '60',
    };
    // Each instance leases its own node number for IDs.
    delete env.NODE_ID;
    const profile = options.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    const startedAt = performance.now();
    const child = new NodeProcess(
      `loadline#${index}`,
      loadlineServerArgs(profile, [
        'start',
        ...(options.processes > 1 ? ['--processes', String(options.processes)] : []),
      ]),
      {
        cwd: repoRoot,
        env,
      },
    );
    teardown.add(child.name, () => child.stop());
    const url = `http://127.0.0.1:${port}`;
    await waitForOk(`${url}/readyz`, child, BOOT_TIMEOUT_MS);
    return { process: child, url, startedAt };
  };
  // The first one migrates the fresh shards alone; the others then boot side by side.
  const first = await start(0);
  const rest = await Promise.all(Array.from({ length: options.instances - 1 }, (_, i) => start(i + 1)));
  return [first, ...rest];
}

async function startCeiling(
  options: HttpBenchOptions,
  redisPrefix: string,
  teardown: Teardown,
): Promise<string[]> {
  const key = `${redisPrefix}ceiling`;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    // About the size of a small API answer.
    await redis.set(
      key,
      JSON.stringify({
        status: 'en_route_to_pickup',
        driverLocation: { lat: 12.97, lng: 77.59, heading: 90, at: new Date().toISOString() },
        etaMinutes: 7.5,
      }),
    );
  } finally {
    redis.disconnect();
  }
  return Promise.all(
    Array.from({ length: options.instances }, async (_, index) => {
      const port = await freePort();
      const child = new NodeProcess(
        `ceiling#${index}`,
        [
          '--import',
          'tsx',
          'apps/server/bench/http/ceiling-server.ts',
          '--port',
          String(port),
          '--redis',
          REDIS_URL,
          '--key',
          key,
        ],
        { cwd: repoRoot, env: process.env },
      );
      teardown.add(child.name, () => child.stop());
      const url = `http://127.0.0.1:${port}`;
      await waitForOk(`${url}/ceiling`, child, 30_000);
      return url;
    }),
  );
}

function ceilingClient(recorder: LatencyRecorder): Parameters<typeof runLoad>[0]['setupClient'] {
  return (client) => {
    client.setRequests([{ method: 'GET', path: '/ceiling' }]);
    client.on('response', (status: number, _bytes: number, durationMs: number) => {
      recorder.record('GET /ceiling', status, durationMs);
    });
  };
}

/** Due queue jobs in all, with the queues that hold any: `12 (dispatch.wave 10, outbox.event 2)`. */
function describeDue(due: Readonly<Record<string, number>>): string {
  const held = Object.entries(due).filter(([, count]) => count > 0);
  const total = held.reduce((sum, [, count]) => sum + count, 0);
  return held.length === 0
    ? '0'
    : `${total} (${held.map(([queue, count]) => `${queue.replace(/[{}]/g, '')} ${count}`).join(', ')})`;
}

function weightsFor(only: readonly Op[] | null): Record<Op, number> {
  const weights = { ...MIX_WEIGHTS } as Record<Op, number>;
  if (only !== null) {
    for (const op of Object.keys(weights) as Op[]) {
      weights[op] = only.includes(op) ? weights[op] : 0;
    }
  }
  return weights;
}

function describeWeights(weights: Readonly<Record<Op, number>>): string {
  const total = Object.values(weights).reduce((sum, weight) => sum + weight, 0);
  return Object.entries(weights)
    .filter(([, weight]) => weight > 0)
    .map(([op, weight]) => `${op} ${Math.round((weight / total) * 100)}%`)
    .join(', ');
}

function describeFlows(flows: FlowCounts, offerWait: OfferWait): string {
  return (
    `accept flows: ${flows.started} started; accepts tried ${flows.acceptingOwn} on the flow's own booking, ` +
    `${flows.acceptingOther} on another pending offer; ${flows.accepted} accepted, ${flows.completed} driven to delivered, ` +
    `${flows.conflicts} lost a race (409), ${flows.noOffer} never offered anything, ${flows.failed} failed, ` +
    `${flows.skipped} skipped (no free driver)\n` +
    `dispatch lag (booking created -> seen in its driver's offers): ${offerWait.count} seen, ` +
    `p50 ${offerWait.p50Ms ?? 'n/a'} ms, max ${offerWait.maxMs ?? 'n/a'} ms`
  );
}

interface OfferWait {
  count: number;
  p50Ms: number | null;
  maxMs: number | null;
}

function offerWaitOf(waits: readonly number[]): OfferWait {
  const sorted = [...waits].sort((a, b) => a - b);
  const at = (q: number): number | null => {
    const value = sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return value === undefined ? null : Math.round(value);
  };
  return { count: sorted.length, p50Ms: at(0.5), maxMs: at(1) };
}

function compactRoutes(routes: Record<string, RouteSummary>): Record<string, Omit<RouteSummary, 'maxMs'>> {
  return Object.fromEntries(Object.entries(routes).map(([name, { maxMs: _maxMs, ...rest }]) => [name, rest]));
}

function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, value]) => value > 0)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
