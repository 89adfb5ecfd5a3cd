/**
 * The realtime bench's coordinator: it starts the server, the load-generator processes and the baseline, and gathers
 * their figures into one report. Longer than ~400 lines because the baseline (bare Socket.IO + GEOADD) is measured by
 * the same steps as the platform, side by side, so the two stay comparable.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { loadConfig } from '../src/config/config';
import { machineInfo } from './support/machine';
import { freePort, loadlineServerArgs, NodeProcess, Teardown, waitForOk } from './support/processes';
import { Random } from './support/random';
import {
  backendPerRequest,
  deleteRedisPrefix,
  MARIADB,
  mysqlUrl,
  readBackendCounters,
  recreateDatabases,
  REDIS_URL,
  type BackendCounters,
} from './support/stores';
import { LoadClients, mergeResults, type MergedResults } from './realtime/clients';
import { createDataset, type RealtimeDataset } from './realtime/dataset';
import type { ReadyMessage } from './realtime/protocol';
import {
  BASELINE_METRICS,
  coresBetween,
  cpuSnapshot,
  LOADLINE_METRICS,
  maxOf,
  pidsNamed,
  ProcessSampler,
  type CpuSnapshot,
  type MetricNames,
  type ProcessStats,
} from './realtime/sampler';
import { wholeNumber } from './support/options';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DATABASES = ['loadline_bench_0', 'loadline_bench_1', 'loadline_bench_2', 'loadline_bench_3'];
const SEED = 20_240_601;
const BOOT_TIMEOUT_MS = 90_000;
/** An ack later than this is a timeout. */
const ACK_TIMEOUT_MS = 10_000;
/** After the last ack: time for deliveries still in flight to arrive before counting losses. */
const DELIVERY_DRAIN_MS = 2_000;
/** Sockets each client connects at once. */
const CONNECT_CONCURRENCY = 100;
/** File descriptors a server process needs besides its sockets (pools, Redis, files). */
const FD_HEADROOM = 200;
/** Connections per shard per process, unless MariaDB's max_connections calls for fewer. */
const POOL_SIZE = 16;
/** Share of MariaDB's max_connections the bench's processes may hold together. */
const DB_CONNECTION_SHARE = 0.8;

export interface RealtimeBenchOptions {
  help: boolean;
  drivers: number;
  watchers: number;
  durationSeconds: number;
  warmupSeconds: number;
  rate: number;
  clients: number;
  instances: number;
  /** `client`: each ping carries its send time as `at` (the contract's way); `server`: no `at`, the server stamps receipt. */
  stamp: 'client' | 'server';
  profile: boolean;
  skipBaseline: boolean;
}

export const REALTIME_USAGE = `usage: npm run bench -- realtime [options]

  --drivers N      driver sockets, each pinging driverLocationUpdate (default 5000)
  --watchers M     customer sockets, each subscribed to one driver's booking (default 10% of drivers)
  --duration S     measured seconds of each phase (default 20)
  --warmup S       unmeasured seconds of pinging before each measured phase (default 3)
  --rate R         pings per driver per second, spread evenly (default 1)
  --clients K      load-generator processes, the sockets dealt over them (default 1)
  --instances N    Loadline server processes, the sockets dealt over them (default 1)
  --stamp WHO      client: each ping's \`at\` is its send time (default); server: pings carry no \`at\`
                   and the server stamps its receipt (delivery latency is measured from the send either way)
  --profile        V8 CPU profile of each Loadline server process (--cpu-prof) under artifacts/bench/
  --skip-baseline  skip the bare Socket.IO + GEOADD phase
`;

export function parseRealtimeOptions(argv: string[]): RealtimeBenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      drivers: { type: 'string' },
      watchers: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rate: { type: 'string' },
      clients: { type: 'string' },
      instances: { type: 'string' },
      stamp: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'skip-baseline': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const drivers = wholeNumber('drivers', values.drivers, 5000, 1);
  const watchers = wholeNumber('watchers', values.watchers, Math.round(drivers / 10), 0);
  if (watchers > drivers) {
    throw new Error('--watchers cannot exceed --drivers (each watcher follows its own driver)');
  }
  const rate = values.rate === undefined ? 1 : Number(values.rate);
  if (!Number.isFinite(rate) || rate <= 0 || rate > 100) {
    throw new Error(`--rate must be a number in (0, 100], got "${values.rate ?? ''}"`);
  }
  const stamp = values.stamp ?? 'client';
  if (stamp !== 'client' && stamp !== 'server') {
    throw new Error(`--stamp takes client or server, got "${stamp}"`);
  }
  return {
    help: values.help,
    stamp,
    drivers,
    watchers,
    durationSeconds: wholeNumber('duration', values.duration, 20, 1),
    warmupSeconds: wholeNumber('warmup', values.warmup, 3, 0),
    rate,
    clients: wholeNumber('clients', values.clients, 1, 1),
    instances: wholeNumber('instances', values.instances, 1, 1),
    profile: values.profile,
    skipBaseline: values['skip-baseline'],
  };
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** `npm run bench -- realtime`: driver pings and live deliveries over Socket.IO, then a bare Socket.IO baseline. */
export async function runRealtimeBench(argv: string[]): Promise<void> {
  const options = parseRealtimeOptions(argv);
  if (options.help) {
    process.stdout.write(REALTIME_USAGE);
    return;
  }
  const teardown = new Teardown();
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

interface Server {
  process: NodeProcess;
  url: string;
  sampler: ProcessSampler;
}

interface PhaseResult {
  name: string;
  ready: ReadyMessage[];
  connected: number;
  sockets: number;
  merged: MergedResults;
  seconds: number;
  updatesPerSec: number;
  offeredPerSec: number;
  servers: ProcessStats[];
  backend: { before: BackendCounters; after: BackendCounters } | null;
  /** Cores used over the measured window by each part of the run, and by everything else on the machine. */
  cpu: ReturnType<typeof coresBetween>;
}

async function bench(options: RealtimeBenchOptions, teardown: Teardown): Promise<Record<string, unknown>> {
  const machine = machineInfo();
  const redisPrefix = `llbench:rt:${process.pid}:`;
  teardown.add('Redis keys', async () => {
    log(`teardown: deleted ${await deleteRedisPrefix(redisPrefix)} Redis keys under ${redisPrefix}`);
  });
  const sockets = options.drivers + options.watchers;
  log(
    `realtime bench: ${options.drivers} drivers at ${options.rate}/s (${round(options.drivers * options.rate, 1)} pings/s offered), ` +
      `${options.watchers} watchers; ${options.clients} load client(s), ${options.instances} server instance(s); ` +
      `${options.durationSeconds} s per phase after ${options.warmupSeconds} s warm-up; Redis prefix ${redisPrefix}`,
  );
  warnAboutFileLimit(sockets, options);

  // --- Setup -------------------------------------------------------------
  const setupStarted = performance.now();
  await recreateDatabases(DATABASES);
  const profileDir = path.join(
    repoRoot,
    'artifacts',
    'bench',
    `realtime-${new Date().toISOString().replace(/[:.]/g, '-')}`,
  );
  // Every server process and the setup app open a pool per shard: stay under MariaDB's connection limit.
  const poolSize = await poolSizeFor(options.instances + 1);
  const env = serverEnv(redisPrefix, poolSize);
  const servers = await startLoadline(options, env, profileDir, teardown);
  log(
    `setup: ${servers.length} server(s) ready in ${seconds(setupStarted)} s at ${servers.map((s) => s.url).join(', ')}`,
  );
  const dataStarted = performance.now();
  const dataset = await createDataset(loadConfig({ ...env, PORT: '0' }), {
    drivers: options.drivers,
    watchers: options.watchers,
    random: new Random(SEED),
    log,
  });
  teardown.assertActive();
  const setupSeconds = round((performance.now() - setupStarted) / 1000, 1);
  log(`setup: data ${seconds(dataStarted)} s, setup total ${setupSeconds} s`);

  // --- Loadline ----------------------------------------------------------
  const loadline = await runPhase('loadline', options, dataset, servers, teardown, true);
  printPhase(loadline, options.watchers > 0);
  if (
    options.stamp === 'client' &&
    (loadline.merged.rejectedSamples.validation_failed ?? '').startsWith('/at')
  ) {
    log(
      `  note: the server refuses pings that carry \`at\` (the contract allows it); ` +
        `--stamp server leaves \`at\` out so the rest of the path can be measured`,
    );
  }
  const logLines = servers.reduce((sum, server) => sum + server.process.outputLines, 0);
  for (const server of servers) {
    if (server.process.outputLines > 0) {
      log(`${server.process.name} logged ${server.process.outputLines} lines at warn or above, by kind:`);
      for (const [kind, count] of server.process.lineKinds().slice(0, 6)) {
        log(`  ${count} x ${kind}`);
      }
    }
  }
  await Promise.all(servers.map((server) => server.process.stop()));
  if (options.profile) {
    log(`CPU profiles of the server(s): ${profileDir}`);
  }

  // --- Baseline ----------------------------------------------------------
  let baseline: PhaseResult | null = null;
  if (!options.skipBaseline) {
    teardown.assertActive();
    const baselineServer = await startBaseline(redisPrefix, teardown);
    baseline = await runPhase('baseline', options, dataset, [baselineServer], teardown, false);
    printPhase(baseline, false);
    await baselineServer.process.stop();
  }

  // --- Summary -----------------------------------------------------------
  const server = combine(loadline.servers);
  const cpuMsPerUpdate = perUpdate(server.cpuPercent, loadline.updatesPerSec);
  const baselineServer = baseline === null ? null : combine(baseline.servers);
  const baselineCpuMsPerUpdate =
    baseline === null || baselineServer === null
      ? null
      : perUpdate(baselineServer.cpuPercent, baseline.updatesPerSec);
  const ratio =
    baseline === null ? null : round(loadline.updatesPerSec / Math.max(1, baseline.updatesPerSec), 3);
  const backend =
    loadline.backend === null
      ? null
      : backendPerRequest(loadline.backend.before, loadline.backend.after, loadline.merged.okAcksInWindow);
  const ackErrors = loadline.merged.timeouts + sumValues(loadline.merged.rejected);
  log('\nsummary:');
  log(
    `  loadline: ${loadline.updatesPerSec} updates/s (offered ${loadline.offeredPerSec}/s), ` +
      `delivery p50 ${loadline.merged.delivery.p50Ms ?? 'n/a'} ms, p99 ${loadline.merged.delivery.p99Ms ?? 'n/a'} ms, lost ${loadline.merged.lost}, ` +
      `ack errors ${ackErrors}, ${loadline.connected}/${loadline.sockets} sockets connected`,
  );
  log(
    `  server: CPU ${server.cpuPercent} % of a core (${cpuMsPerUpdate ?? 'n/a'} ms CPU per update), RSS ${server.rssMb} MB ` +
      `(max ${server.rssMaxMb}), event-loop delay p99 ${server.lagP99MedianMs ?? 'n/a'} ms median of 5-s windows, ` +
      `${server.lagP99MaxMs ?? 'n/a'} ms worst${heldTimersNote(server)}`,
  );
  if (backend !== null) {
    log(
      `  per accepted update: ${backend.redisCommands} Redis commands (${describeCounts(backend.redis)}), ` +
        `${backend.sqlStatements} SQL statements`,
    );
  }
  if (baseline !== null && baselineServer !== null) {
    log(
      `  baseline: ${baseline.updatesPerSec} updates/s, CPU ${baselineServer.cpuPercent} % ` +
        `(${baselineCpuMsPerUpdate ?? 'n/a'} ms CPU per update), RSS ${baselineServer.rssMb} MB; ` +
        `ratio loadline / baseline ${ratio ?? 'n/a'} in updates/s, ` +
        `${cpuMsPerUpdate !== null && baselineCpuMsPerUpdate !== null && baselineCpuMsPerUpdate > 0 ? round(cpuMsPerUpdate / baselineCpuMsPerUpdate, 1) : 'n/a'}x the CPU per update`,
    );
  }

  return {
    bench: 'realtime',
    updatesPerSec: loadline.updatesPerSec,
    deliveryP50Ms: loadline.merged.delivery.p50Ms,
    deliveryP99Ms: loadline.merged.delivery.p99Ms,
    lost: loadline.merged.lost,
    rssMb: server.rssMb,
    baselineUpdatesPerSec: baseline?.updatesPerSec ?? null,
    ratio,
    drivers: options.drivers,
    watchers: options.watchers,
    rate: options.rate,
    stamp: options.stamp,
    cpuPercent: server.cpuPercent,
    eventLoopP99Ms: server.lagP99MaxMs,
    eventLoopP99MedianMs: server.lagP99MedianMs,
    eventLoopStalledWindows: server.stalledScrapes,
    timerWaitMaxMs: server.timerWaitMaxMs,
    ackErrors,
    connected: loadline.connected,
    sockets: loadline.sockets,
    connectedAtEnd: loadline.merged.connectedAtEnd,
    offeredPerSec: loadline.offeredPerSec,
    deliveryP90Ms: loadline.merged.delivery.p90Ms,
    deliveryMaxMs: loadline.merged.delivery.maxMs,
    deliveries: loadline.merged.deliveries,
    trackedPings: loadline.merged.tracked,
    extraDeliveries: loadline.merged.extra,
    unmatchedDeliveries: loadline.merged.unmatched,
    ackP50Ms: loadline.merged.ack.p50Ms,
    ackP99Ms: loadline.merged.ack.p99Ms,
    rejected: loadline.merged.rejected,
    timeouts: loadline.merged.timeouts,
    stale: loadline.merged.stale,
    coalesced: loadline.merged.coalesced,
    disconnects: loadline.merged.disconnects,
    rssMaxMb: server.rssMaxMb,
    heapUsedMb: server.heapUsedMb,
    cpuCores: { ...loadline.cpu.groups, other: loadline.cpu.other, busy: loadline.cpu.busy },
    cpuMsPerUpdate,
    backendPerUpdate: backend,
    baselineCpuPercent: baselineServer?.cpuPercent ?? null,
    baselineCpuMsPerUpdate,
    baselineRssMb: baselineServer?.rssMb ?? null,
    baselineAckP99Ms: baseline === null ? null : baseline.merged.ack.p99Ms,
    baselineAckErrors:
      baseline === null ? null : baseline.merged.timeouts + sumValues(baseline.merged.rejected),
    baselineConnected: baseline?.connected ?? null,
    clientCpuPercent: loadline.merged.clientCpuPercent,
    clientScheduleLagMaxMs: loadline.merged.scheduleLagMaxMs,
    serverLogLines: logLines,
    instances: options.instances,
    clients: options.clients,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    setupSeconds,
    cpus: machine.cpus,
    node: machine.node,
    cpuModel: machine.cpuModel,
    loadAverageAtStart: machine.loadAverage,
  };
}

async function poolSizeFor(processes: number): Promise<number> {
  const connection = await createConnection({ ...MARIADB, connectTimeout: 5_000 });
  try {
    const [rows] = await connection.query('SELECT @@max_connections AS max');
    const max = Number((rows as { max: number | string }[])[0]?.max ?? 151);
    const fit = Math.floor((max * DB_CONNECTION_SHARE) / (processes * DATABASES.length));
    if (fit < POOL_SIZE) {
      log(
        `setup: MariaDB allows ${max} connections; ${fit} per shard per process for ${processes} processes`,
      );
    }
    return Math.max(2, Math.min(POOL_SIZE, fit));
  } finally {
    await connection.end();
  }
}

function serverEnv(redisPrefix: string, poolSize: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_SHARDS: DATABASES.map(mysqlUrl).join(','),
    REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    RATE_LIMITS: 'off',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    DATABASE_POOL_SIZE: String(poolSize),
  };
  // Each process leases its own node number for IDs.
  delete env.NODE_ID;
  return env;
}

async function startLoadline(
  options: RealtimeBenchOptions,
  env: NodeJS.ProcessEnv,
  profileDir: string,
  teardown: Teardown,
): Promise<Server[]> {
  const start = async (index: number): Promise<Server> => {
    const port = await freePort();
    const profile = options.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    const child = new NodeProcess(
      `loadline#${index}`,
      loadlineServerArgs(profile, ['start', '--roles', 'api,realtime,worker']),
      { cwd: repoRoot, env: { ...env, PORT: String(port) } },
    );
    teardown.add(child.name, () => child.stop());
    const url = `http://127.0.0.1:${port}`;
    await waitForOk(`${url}/readyz`, child, BOOT_TIMEOUT_MS);
    const pid = child.child.pid ?? 0;
    return {
      process: child,
      url,
      sampler: new ProcessSampler(child.name, pid, `${url}/metrics`, LOADLINE_METRICS),
    };
  };
  // The first one migrates the fresh shards alone; the others then boot side by side.
  const first = await start(0);
  const rest = await Promise.all(Array.from({ length: options.instances - 1 }, (_, i) => start(i + 1)));
  return [first, ...rest];
}

async function startBaseline(redisPrefix: string, teardown: Teardown): Promise<Server> {
  const port = await freePort();
  const child = new NodeProcess(
    'baseline',
    [
      '--import',
      'tsx',
      'apps/server/bench/realtime/baseline-server.ts',
      '--port',
      String(port),
      '--redis',
      REDIS_URL,
      '--key',
      `${redisPrefix}baseline:geo`,
    ],
    { cwd: repoRoot, env: process.env },
  );
  teardown.add(child.name, () => child.stop());
  const url = `http://127.0.0.1:${port}`;
  await waitForOk(`${url}/healthz`, child, 30_000);
  const metrics: MetricNames = BASELINE_METRICS;
  return {
    process: child,
    url,
    sampler: new ProcessSampler(child.name, child.child.pid ?? 0, `${url}/metrics`, metrics),
  };
}

async function runPhase(
  name: string,
  options: RealtimeBenchOptions,
  dataset: RealtimeDataset,
  servers: readonly Server[],
  teardown: Teardown,
  countBackend: boolean,
): Promise<PhaseResult> {
  const sockets = dataset.drivers.length + dataset.watchers.length;
  log(`\n${name}: connecting ${sockets} sockets from ${options.clients} client process(es)`);
  const connectStarted = performance.now();
  const clients = LoadClients.spawn(dataset, {
    repoRoot,
    urls: servers.map((server) => server.url),
    clients: options.clients,
    rate: options.rate,
    ackTimeoutMs: ACK_TIMEOUT_MS,
    connectConcurrency: CONNECT_CONCURRENCY,
    stamp: options.stamp,
    teardown,
    label: `${name}-client`,
  });
  try {
    const ready = await clients.ready(sockets);
    const connected = ready.reduce((sum, message) => sum + message.connected, 0);
    const subscribed = ready.reduce((sum, message) => sum + message.subscribed, 0);
    const failures: Record<string, number> = {};
    for (const message of ready) {
      for (const [reason, count] of Object.entries(message.failures)) {
        failures[reason] = (failures[reason] ?? 0) + count;
      }
    }
    log(
      `${name}: ${connected}/${sockets} sockets connected, ${subscribed}/${dataset.watchers.length} watchers subscribed ` +
        `in ${seconds(connectStarted)} s${Object.keys(failures).length > 0 ? `; failures: ${describeCounts(failures)}` : ''}`,
    );
    for (const server of servers) {
      server.sampler.start();
    }
    teardown.add(`${name} samplers`, () => {
      for (const server of servers) {
        server.sampler.stop();
      }
      return Promise.resolve();
    });

    const startAt = Date.now() + 500;
    const windowFrom = startAt + options.warmupSeconds * 1000;
    const windowTo = windowFrom + options.durationSeconds * 1000;
    clients.begin({
      type: 'start',
      startAt,
      warmupMs: options.warmupSeconds * 1000,
      durationMs: options.durationSeconds * 1000,
    });
    log(`${name}: ${options.warmupSeconds} s warm-up, then measuring for ${options.durationSeconds} s`);
    const groups = {
      server: servers.map((server) => server.process.child.pid ?? 0),
      clients: clients.pids,
      redis: pidsNamed('redis-server'),
      mariadb: pidsNamed('mariadbd'),
      bench: [process.pid],
    };
    const { counters, cpu } = await followRun(name, clients, servers, groups, windowFrom, windowTo);
    const pendingAcks = await clients.drained(ACK_TIMEOUT_MS + 30_000);
    await sleep(DELIVERY_DRAIN_MS);
    const results = await clients.results();
    for (const server of servers) {
      server.sampler.stop();
    }
    if (pendingAcks > 0) {
      log(`${name}: ${pendingAcks} acks never came (counted as timeouts)`);
    }
    const merged = mergeResults(results);
    const measured = options.durationSeconds;
    return {
      name,
      ready,
      connected,
      sockets,
      merged,
      seconds: measured,
      updatesPerSec: round(merged.okAcksInWindow / measured, 1),
      offeredPerSec: round(merged.sent / measured, 1),
      servers: servers.map((server) => server.sampler.stats(windowFrom, windowTo)),
      backend: countBackend ? counters : null,
      cpu,
    };
  } finally {
    await clients.stop();
  }
}

/**
 * Prints a line a second (every five on long runs) while the load runs, and
 * reads the Redis/MariaDB counters and the CPU use of each part of the run at
 * the edges of the measured window.
 */
async function followRun(
  name: string,
  clients: LoadClients,
  servers: readonly Server[],
  groups: Record<string, number[]>,
  windowFrom: number,
  windowTo: number,
): Promise<{
  counters: { before: BackendCounters; after: BackendCounters };
  cpu: ReturnType<typeof coresBetween>;
}> {
  const everyMs = windowTo - windowFrom > 30_000 ? 5000 : 1000;
  let before: BackendCounters | null = null;
  let cpuBefore: CpuSnapshot | null = null;
  let previous = { ...clients.progress(), at: Date.now() };
  let nextPrint = previous.at + everyMs;
  while (Date.now() < windowTo) {
    // Wake for the next line, or at the window's start to read the counters there.
    const wakeAt = before === null ? Math.min(nextPrint, windowFrom) : nextPrint;
    await sleep(Math.max(1, Math.min(wakeAt, windowTo) - Date.now()));
    if (before === null && Date.now() >= windowFrom) {
      cpuBefore = cpuSnapshot(groups);
      before = await readBackendCounters();
    }
    if (Date.now() < nextPrint) {
      continue;
    }
    nextPrint += everyMs;
    const now = { ...clients.progress(), at: Date.now() };
    const slowest = clients.takeSlowest();
    const span = Math.max(0.001, (now.at - previous.at) / 1000);
    const stats = servers.map((server) => server.sampler.latest());
    const phase = now.at < windowFrom ? 'warm-up' : 'measure';
    log(
      `  ${name} ${phase} ${String(Math.round((now.at - windowFrom) / 1000)).padStart(3)} s ` +
        `(${new Date(now.at).toISOString().slice(11, 23)}): ` +
        `sent ${Math.round((now.sent - previous.sent) / span)}/s, acks ${Math.round((now.acked - previous.acked) / span)}/s, ` +
        `deliveries ${Math.round((now.received - previous.received) / span)}/s, ${now.connected} connected, ` +
        `slowest ack ${slowest.ackMs} ms, delivery ${slowest.deliveryMs} ms; server ` +
        stats
          .map(
            (sample) =>
              `CPU ${sample?.cpuPercent ?? '?'} %, RSS ${sample?.rssMb ?? '?'} MB, loop p99 ${sample?.lagP99Ms ?? '?'} ms`,
          )
          .join(' | '),
    );
    previous = now;
  }
  const cpuAfter = cpuSnapshot(groups);
  const after = await readBackendCounters();
  return { counters: { before: before ?? after, after }, cpu: coresBetween(cpuBefore ?? cpuAfter, cpuAfter) };
}

function printPhase(phase: PhaseResult, withDeliveries: boolean): void {
  const m = phase.merged;
  const ackErrors = m.timeouts + sumValues(m.rejected);
  log(`\n${phase.name}, ${phase.seconds} s measured:`);
  log(
    `  updates: ${phase.updatesPerSec}/s acked ok (offered ${phase.offeredPerSec}/s; schedule ${round(m.scheduled / phase.seconds, 1)}/s); ` +
      `acks: ${m.accepted} accepted, ${m.stale} stale, ${m.coalesced} coalesced, ${sumValues(m.rejected)} rejected, ` +
      `${m.timeouts} timeouts (> ${ACK_TIMEOUT_MS / 1000} s, ${m.lateAcks} of them late) = ${ackErrors} errors; ` +
      `ack round trip p50 ${m.ack.p50Ms ?? 'n/a'} ms, p99 ${m.ack.p99Ms ?? 'n/a'} ms, max ${m.ack.maxMs ?? 'n/a'} ms`,
  );
  for (const [code, count] of Object.entries(m.rejected)) {
    log(`  rejected ${count} x ${code}: "${m.rejectedSamples[code] ?? ''}"`);
  }
  if (withDeliveries) {
    log(
      `  deliveries: ${m.deliveries} of ${m.tracked} watched pings sent in the window (${round(m.deliveries / phase.seconds, 1)}/s), ` +
        `send -> watcher p50 ${m.delivery.p50Ms ?? 'n/a'} ms, p90 ${m.delivery.p90Ms ?? 'n/a'} ms, p99 ${m.delivery.p99Ms ?? 'n/a'} ms, max ${m.delivery.maxMs ?? 'n/a'} ms; ` +
        `lost ${m.lost} (accepted, not delivered ${DELIVERY_DRAIN_MS / 1000} s after the last ack; ${m.driversWithLoss} drivers), ` +
        `extra ${m.extra}, unmatched ${m.unmatched}`,
    );
  }
  log(
    `  sockets: ${phase.connected}/${phase.sockets} connected at the start, ${m.connectedAtEnd} at the end` +
      (Object.keys(m.disconnects).length > 0 ? `; disconnects: ${describeCounts(m.disconnects)}` : ''),
  );
  phase.servers.forEach((stats, index) => {
    log(
      `  server${phase.servers.length > 1 ? ` #${index}` : ''}: CPU ${stats.cpuPercent} % of a core (max ${stats.cpuMaxPercent}), ` +
        `RSS ${stats.rssMb} MB (max ${stats.rssMaxMb}${stats.heapUsedMb === null ? '' : `; V8 heap used ${stats.heapUsedMb} MB, external ${stats.externalMb ?? '?'} MB`}), event-loop delay p99 per 5-s window: median ${stats.lagP99MedianMs ?? 'n/a'} ms, ` +
        `worst ${stats.lagP99MaxMs ?? 'n/a'} ms${heldTimersNote(stats)}; ${stats.sockets ?? '?'} sockets open`,
    );
  });
  log(
    `  load clients: CPU ${m.clientCpuPercent.join(', ')} % of a core, RSS ${m.clientRssMb.join(', ')} MB, ` +
      `ping schedule at most ${m.scheduleLagMaxMs} ms late`,
  );
  log(
    `  machine over the window, in cores: ${describeCounts(phase.cpu.groups)}, everything else ${phase.cpu.other}; ` +
      `busy ${phase.cpu.busy} of ${phase.cpu.cores}`,
  );
}

/**
 * Says how many windows had no timer run at all (their delay is then the
 * window's length, a lower bound), and the longest timer wait the process reported.
 */
function heldTimersNote(stats: ProcessStats): string {
  const held =
    stats.stalledScrapes === 0
      ? ''
      : ` (timers held through ${stats.stalledScrapes} of ${stats.lagScrapes} windows)`;
  return stats.timerWaitMaxMs === null ? held : `${held}, longest timer wait ${stats.timerWaitMaxMs} ms`;
}

function combine(stats: readonly ProcessStats[]): ProcessStats {
  const lags = stats.map((s) => s.lagP99MaxMs).filter((lag): lag is number => lag !== null);
  const medians = stats.map((s) => s.lagP99MedianMs).filter((lag): lag is number => lag !== null);
  return {
    samples: Math.min(...stats.map((s) => s.samples)),
    cpuPercent: round(sumValues(stats.map((s) => s.cpuPercent)), 1),
    cpuMaxPercent: round(sumValues(stats.map((s) => s.cpuMaxPercent)), 1),
    rssMb: sumValues(stats.map((s) => s.rssMb)),
    rssMaxMb: sumValues(stats.map((s) => s.rssMaxMb)),
    lagP99MedianMs: medians.length === 0 ? null : Math.max(...medians),
    lagP99MaxMs: lags.length === 0 ? null : Math.max(...lags),
    stalledScrapes: sumValues(stats.map((s) => s.stalledScrapes)),
    lagScrapes: sumValues(stats.map((s) => s.lagScrapes)),
    timerWaitMaxMs: maxOf(stats.map((s) => s.timerWaitMaxMs)),
    sockets: sumValues(stats.map((s) => s.sockets ?? 0)),
    heapUsedMb: stats.some((s) => s.heapUsedMb !== null)
      ? sumValues(stats.map((s) => s.heapUsedMb ?? 0))
      : null,
    externalMb: stats.some((s) => s.externalMb !== null)
      ? sumValues(stats.map((s) => s.externalMb ?? 0))
      : null,
  };
}

/** Milliseconds of CPU per update, from CPU % of a core and updates per second. */
function perUpdate(cpuPercent: number, updatesPerSec: number): number | null {
  return updatesPerSec <= 0 ? null : round((cpuPercent * 10) / updatesPerSec, 3);
}

/** Warns when a process would need more file descriptors than this machine lets it open. */
function warnAboutFileLimit(sockets: number, options: RealtimeBenchOptions): void {
  const limit = openFileLimit();
  if (limit === null) {
    return;
  }
  const perInstance = Math.ceil(sockets / options.instances);
  const perClient = Math.ceil(sockets / options.clients);
  if (perInstance + FD_HEADROOM > limit || perClient + FD_HEADROOM > limit) {
    log(
      `warning: the open-file limit is ${limit} per process; ${perInstance} sockets per server instance and ` +
        `${perClient} per load client leave too little room; expect refused connections (raise --instances or --clients)`,
    );
  }
}

function openFileLimit(): number | null {
  try {
    const limits = fs.readFileSync('/proc/self/limits', 'utf8');
    const soft = /^Max open files\s+(\d+)/m.exec(limits)?.[1];
    return soft === undefined ? null : Number(soft);
  } catch {
    return null;
  }
}

function sumValues(values: Record<string, number> | readonly number[]): number {
  return Object.values(values).reduce((sum: number, value: number) => sum + value, 0);
}

function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, value]) => value > 0)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
