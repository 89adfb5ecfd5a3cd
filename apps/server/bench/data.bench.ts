/**
 * The data bench in one file: it sets up, runs and reports each phase (signups, bulk generation, analytics reads) against
 * one shared environment, and the phases' figures are printed together; split by phase it would pass the environment
 * and the timings through every file for nothing.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type {
  Analytics,
  AuthResponse,
  GenerateAccepted,
  GenerationEntity,
  GenerationJob,
  Overview,
} from '@loadline/contracts';
import { Redis } from 'ioredis';
import { createConnection, type Connection } from 'mysql2/promise';
import { loadConfig } from '../src/config/config';
import { encodeCursor } from '../src/platform/db/scatter';
import { ApiClient } from './support/api';
import { LatencyRecorder } from './support/latency';
import { machineInfo } from './support/machine';
import { wholeNumber } from './support/options';
import { PrivateMariadb, productionLikeSettings } from './support/private-mariadb';
import { processCpuSeconds, processMemoryMb } from './support/proc-stat';
import { freePort, loadlineServerArgs, NodeProcess, Teardown, waitForOk } from './support/processes';
import { deleteRedisPrefix, REDIS_URL } from './support/stores';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The private instance's databases: one per shard. */
const DATABASES = ['loadline_data_0', 'loadline_data_1', 'loadline_data_2', 'loadline_data_3'];
const BOOT_TIMEOUT_MS = 120_000;
const POLL_MS = 1_000;
/** Progress lines when stdout is not a terminal (a terminal gets one line redrawn every poll). */
const PROGRESS_LINE_MS = 5_000;
/** A job whose progress stands still this long is reported as stuck. */
const STALL_MS = 180_000;
const PAGE_SIZE = 50;
const TIMED_REQUEST_TIMEOUT_MS = 60_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface DataBenchOptions {
  help: boolean;
  users: number;
  drivers: number;
  bookings: number;
  requests: number;
  /** Write a V8 CPU profile of the server process. */
  profile: boolean;
  /** Existing MySQL databases to use as the shards; null starts a private MariaDB. */
  shards: string[] | null;
}

export const DATA_USAGE = `usage: npm run bench -- data [options]

  --users N          users (customers) to generate (default 1000000)
  --ten-million      same as --users 10000000
  --drivers N        drivers to generate afterwards (default 20000; 0 skips)
  --bookings N       bookings to generate afterwards (default 200000; 0 skips)
  --requests K       timed requests per endpoint and cache state (default 200)
  --profile          V8 CPU profile of the server process (--cpu-prof) under artifacts/bench/
  --shards U1,U2,... existing MySQL/MariaDB databases on 127.0.0.1 as the shards, instead of
                     a private MariaDB; the bench creates only the app's tables in them and
                     leaves the data there
`;

export function parseDataOptions(argv: string[]): DataBenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string' },
      'ten-million': { type: 'boolean', default: false },
      drivers: { type: 'string' },
      bookings: { type: 'string' },
      requests: { type: 'string' },
      shards: { type: 'string' },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  // 10_000_000 and 10,000,000 read as they are meant.
  const count = (raw: string | undefined): string | undefined => raw?.replace(/[_,]/g, '');
  let users = wholeNumber('users', count(values.users), 1_000_000);
  if (values['ten-million']) {
    if (values.users !== undefined && users !== 10_000_000) {
      throw new Error('--ten-million and --users disagree; give one of them');
    }
    users = 10_000_000;
  }
  const drivers = wholeNumber('drivers', count(values.drivers), 20_000, 0);
  const bookings = wholeNumber('bookings', count(values.bookings), 200_000, 0);
  if (bookings > 0 && drivers === 0) {
    throw new Error('--bookings needs drivers to assign them to (--drivers > 0)');
  }
  return {
    help: values.help,
    users,
    drivers,
    bookings,
    requests: wholeNumber('requests', count(values.requests), 200),
    profile: values.profile,
    shards: values.shards === undefined ? null : parseShardUrls(values.shards),
  };
}

function parseShardUrls(raw: string): string[] {
  const urls = raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (urls.length === 0) {
    throw new Error('--shards needs at least one mysql:// URL');
  }
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`--shards: "${url}" is not a URL`);
    }
    if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
      throw new Error(`--shards: "${url}" must be a mysql:// URL`);
    }
    if (!LOOPBACK.has(parsed.hostname)) {
      throw new Error(`--shards: the bench targets this machine only; "${parsed.hostname}" is not 127.0.0.1`);
    }
    if (parsed.pathname.replace(/^\//, '') === '') {
      throw new Error(`--shards: "${url}" names no database`);
    }
  }
  if (new Set(urls).size !== urls.length) {
    throw new Error('--shards lists the same database twice');
  }
  return urls;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

/**
 * `npm run bench -- data`: generates a large data set through the admin API
 * (timing the job) on four shards, then times the admin reads that must stay
 * fast at that size: the users list (first and deep page, uncached and
 * cached), the analytics and the overview.
 */
export async function runDataBench(argv: string[]): Promise<void> {
  const options = parseDataOptions(argv);
  if (options.help) {
    process.stdout.write(DATA_USAGE);
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

/** How one shard is reached, for the bench's own (untimed) SQL. */
interface ShardTarget {
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

function shardTarget(url: string): ShardTarget {
  const parsed = new URL(url);
  return {
    url,
    host: parsed.hostname,
    port: parsed.port === '' ? 3306 : Number(parsed.port),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')),
  };
}

function connect(target: ShardTarget): Promise<Connection> {
  return createConnection({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    connectTimeout: 5_000,
  });
}

async function bench(options: DataBenchOptions, teardown: Teardown): Promise<Record<string, unknown>> {
  const machine = machineInfo();
  const redisPrefix = `llbench:data:${process.pid}:${Date.now().toString(36)}:`;
  teardown.add('Redis keys', async () => {
    log(`teardown: deleted ${await deleteRedisPrefix(redisPrefix)} Redis keys under ${redisPrefix}`);
  });
  log(
    `data bench: ${count(options.users)} users, then ${count(options.drivers)} drivers and ` +
      `${count(options.bookings)} bookings; ${options.requests} timed requests per endpoint and cache state, ` +
      `one at a time; Redis ${REDIS_URL}, key prefix ${redisPrefix}`,
  );

  // --- Storage -------------------------------------------------------------
  const setupStarted = performance.now();
  let mariadb: PrivateMariadb | null = null;
  let shardUrls: string[];
  if (options.shards === null) {
    const instance = new PrivateMariadb(productionLikeSettings());
    mariadb = instance;
    teardown.add('private MariaDB', async () => {
      await instance.stop();
      log(`teardown: stopped the private MariaDB and removed ${instance.dataDir ?? 'its data directory'}`);
    });
    await instance.start(DATABASES);
    teardown.assertActive();
    shardUrls = DATABASES.map((name) => instance.url(name));
    const dir = instance.dataDir ?? '';
    log(
      `storage: private MariaDB (pid ${instance.pid ?? '?'}) on 127.0.0.1:${instance.port}, ` +
        `datadir ${dir} (${freeGiB(dir)} GiB free on its disk), databases ${DATABASES.join(', ')}`,
    );
    log(`storage: started with ${instance.options.join(' ')}`);
  } else {
    shardUrls = options.shards;
    await checkExistingShards(shardUrls.map(shardTarget));
    log(`storage: existing databases ${shardUrls.join(', ')} (only the app's tables are created in them)`);
  }
  const targets = shardUrls.map(shardTarget);
  const variables = await serverVariables(targets[0]);
  log(
    `storage: in effect: ${Object.entries(variables)
      .map(([name, value]) => `${name}=${value}`)
      .join(', ')}`,
  );

  // --- Server ----------------------------------------------------------------
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_SHARDS: shardUrls.join(','),
    REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    RATE_LIMITS: 'off',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
  };
  // The server leases its own node number for IDs.
  delete env.NODE_ID;
  const config = loadConfig(env);
  log(
    `server: cluster mode, every role in one process, ${config.databasePoolSize} connections per shard; ` +
      `generation in chunks of ${count(config.generation.chunkSize)} rows, ${config.generation.concurrency} ` +
      `chunks at a time (GENERATION_CHUNK_SIZE, GENERATION_CONCURRENCY, DATABASE_POOL_SIZE pass through)`,
  );
  const profileDir = path.join(
    repoRoot,
    'artifacts',
    'bench',
    `data-${new Date().toISOString().replace(/[:.]/g, '-')}`,
  );
  const profile = options.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const server = new NodeProcess('loadline', loadlineServerArgs(profile, ['start']), { cwd: repoRoot, env });
  teardown.add(server.name, () => server.stop());
  const url = `http://127.0.0.1:${port}`;
  // The first boot migrates the empty shards.
  await waitForOk(`${url}/readyz`, server, BOOT_TIMEOUT_MS);
  teardown.assertActive();
  const serverPid = server.child.pid;

  const admin = {
    email: `bench-admin-${process.pid}@loadline.test`,
    password: randomBytes(12).toString('hex'),
  };
  const cli = await createAdmin(env, admin, teardown);
  const api = new ApiClient(url);
  let token: string;
  try {
    const login = await api.call('POST', '/v1/auth/login', {
      body: { email: admin.email, password: admin.password },
    });
    token = (login.body as AuthResponse).token;
  } catch (error) {
    throw new Error(`${cli.name} (exit ${cli.exit}) left no admin to sign in as:\n${cli.output}`, {
      cause: error,
    });
  }
  if (cli.exit !== '0') {
    // The account exists and signs in: a failure after that (e.g. while closing) does not stop the bench.
    const reason = cli.output.split('\n').find((line) => /^\w*Error\b/.test(line.trim())) ?? 'no error line';
    log(`note: ${cli.name} exited with ${cli.exit} after creating the admin (${reason.trim()})`);
  }
  log(`setup: server ready at ${url}, admin ${admin.email} signed in, ${seconds(setupStarted)} s`);

  // --- Generation --------------------------------------------------------------
  const pids = { server: serverPid, mariadb: mariadb?.pid };
  const generated: GenerationRun[] = [];
  for (const [entity, total] of [
    ['users', options.users],
    ['drivers', options.drivers],
    ['bookings', options.bookings],
  ] as const) {
    if (total > 0) {
      teardown.assertActive();
      generated.push(await generate({ api, token, entity, total, pids, teardown, server }));
    }
  }
  const users = generated.find((run) => run.entity === 'users');
  if (users === undefined) {
    throw new Error('no users were generated');
  }
  log('');
  log(formatGeneration(generated));
  const serverMemory = serverPid === undefined ? null : processMemoryMb(serverPid);
  const mariadbMemory = pids.mariadb === undefined ? null : processMemoryMb(pids.mariadb);
  log(
    `memory: server RSS ${serverMemory?.rssMb ?? '?'} MiB (peak ${serverMemory?.peakMb ?? '?'} MiB)` +
      (mariadbMemory === null ? '' : `, MariaDB RSS ${mariadbMemory.rssMb} MiB`),
  );

  // --- The data set as it stands ------------------------------------------------
  teardown.assertActive();
  const shape = await dataShape(targets);
  log(
    `data: ${count(shape.accounts)} accounts over ${targets.length} shards (${shape.perShard.map(count).join(' / ')}), ` +
      `${shape.dataGiB} GiB of tables and indexes (information_schema estimate)`,
  );
  log(
    `deep page: cursor at account ${shape.middleId} (the middle of shard 0), ` +
      `${count(shape.newerThanMiddle)} accounts (${Math.round((shape.newerThanMiddle / Math.max(1, shape.accounts)) * 100)} %) ` +
      `come before it in the list`,
  );

  // --- Timed reads ----------------------------------------------------------------
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 5_000 });
  teardown.add('bench Redis client', () => {
    redis.disconnect();
    return Promise.resolve();
  });
  const reads = new ReadTimer({ url, token, requests: options.requests, teardown });
  const cacheKey = (key: string): string => `${redisPrefix}cache:${key}`;

  // Every list page is cached under its list's current version; an account write replaces the
  // version. Replacing it the same way before each request makes that request miss.
  const usersVersionKey = cacheKey('list:users:version');
  let usersVersion = '';
  const replaceUsersVersion = async (): Promise<void> => {
    usersVersion = randomUUID();
    await redis.set(usersVersionKey, usersVersion, 'PX', 86_400_000);
  };
  const checkListMissed = async (): Promise<void> => {
    if ((await scanKeys(redis, cacheKey(`list:users:${usersVersion}:*`))).length === 0) {
      throw new Error(
        `no users page was cached under the version the bench set (${usersVersionKey}): ` +
          'the list cache keys changed; update data.bench.ts, or its "uncached" figures would be cache hits',
      );
    }
  };
  const listPath = `/v1/admin/users?limit=${PAGE_SIZE}`;
  const deepPath = `${listPath}&cursor=${encodeCursor([shape.middleId])}`;
  const listHow = 'uncached: list cache version replaced before each request';

  const listFirst = await reads.phase('GET /v1/admin/users, first page', listHow, listPath, {
    before: replaceUsersVersion,
    check: async (body) => {
      expectPage(body, 'first page', null);
      await checkListMissed();
    },
  });
  const listDeep = await reads.phase('GET /v1/admin/users, deep cursor', listHow, deepPath, {
    before: replaceUsersVersion,
    check: async (body) => {
      expectPage(body, 'deep page', shape.middleId);
      await checkListMissed();
    },
  });
  // The filters an admin pages by, each deep in the table (ADRs 0039, 0040): a role and a status, a
  // rare status, a role alone (every status's range of its index, merged), a status alone (every
  // role's range, merged).
  const filtered: PhaseResult[] = [];
  for (const filter of [
    'role=customer&status=active',
    'role=customer&status=suspended',
    'role=customer',
    'status=active',
  ]) {
    filtered.push(
      await reads.phase(`GET /v1/admin/users?${filter}, deep cursor`, listHow, `${deepPath}&${filter}`, {
        before: replaceUsersVersion,
        check: async (body) => {
          expectPage(body, `deep page (${filter})`, shape.middleId);
          await checkListMissed();
        },
      }),
    );
  }
  const listCached = await reads.phase(
    'GET /v1/admin/users, first page',
    'cached: same request again',
    listPath,
    {
      check: (body) => {
        expectPage(body, 'cached first page', null);
        return Promise.resolve();
      },
    },
  );

  // The analytics are cached 10 s under their range; deleting the entry before each request
  // times the default range itself (a different `from` per request would change the work).
  let analyticsKeys: string[] = [];
  const analyticsPattern = cacheKey('admin:analytics:*');
  const dropAnalytics = async (): Promise<void> => {
    const deleted = analyticsKeys.length === 0 ? 0 : await redis.del(...analyticsKeys);
    if (deleted === 0) {
      // The range moved on (midnight UTC) or the entry expired: clear whatever is there.
      analyticsKeys = await scanKeys(redis, analyticsPattern);
      if (analyticsKeys.length > 0) {
        await redis.del(...analyticsKeys);
      }
    }
  };
  const analyticsPath = '/v1/admin/analytics';
  const analytics = await reads.phase(
    'GET /v1/admin/analytics',
    'uncached: cache entry deleted before each request',
    analyticsPath,
    {
      before: dropAnalytics,
      check: async (body) => {
        const figures = body as Analytics;
        if (!Array.isArray(figures.bookingsPerDay) || figures.bookingsPerDay.length !== 30) {
          throw new Error(`unexpected analytics answer: ${JSON.stringify(body).slice(0, 300)}`);
        }
        analyticsKeys = await scanKeys(redis, analyticsPattern);
        if (analyticsKeys.length === 0) {
          throw new Error(
            `the analytics answer was not cached under ${analyticsPattern}: the cache keys changed; ` +
              'update data.bench.ts, or its "uncached" figures would be cache hits',
          );
        }
      },
    },
  );
  const analyticsCached = await reads.phase(
    'GET /v1/admin/analytics',
    'cached: same request again (10 s TTL)',
    analyticsPath,
  );

  const overviewKey = cacheKey('admin:overview');
  const overviewPath = '/v1/admin/overview';
  const overview = await reads.phase(
    'GET /v1/admin/overview',
    'uncached: cache entry deleted before each request',
    overviewPath,
    {
      before: async () => {
        await redis.del(overviewKey);
      },
      check: async (body) => {
        if (typeof (body as Overview).activeBookings !== 'number') {
          throw new Error(`unexpected overview answer: ${JSON.stringify(body).slice(0, 300)}`);
        }
        if ((await redis.exists(overviewKey)) !== 1) {
          throw new Error(
            `the overview was not cached under ${overviewKey}: the cache keys changed; update data.bench.ts`,
          );
        }
      },
    },
  );
  const overviewCached = await reads.phase(
    'GET /v1/admin/overview',
    'as served: 1 s cache, refilled by the worker every second',
    overviewPath,
  );
  const phases = [
    listFirst,
    listDeep,
    ...filtered,
    listCached,
    analytics,
    analyticsCached,
    overview,
    overviewCached,
  ];
  log('');
  log(`timed reads, ${options.requests} per row, one at a time from one client (fetch, keep-alive):`);
  log(formatPhases(phases));
  const errors = phases.reduce((sum, phase) => sum + phase.errors, 0);
  if (errors > 0) {
    log(
      `errors: ${errors} answers were not 200; first: ${phases.find((p) => p.firstError !== null)?.firstError}`,
    );
  }
  if (server.outputLines > 0) {
    log(`the server logged ${server.outputLines} lines at warn or above, by kind:`);
    log(
      server
        .lineKinds()
        .slice(0, 6)
        .map(([kind, n]) => `  ${n} x ${kind}`)
        .join('\n'),
    );
  }
  if (options.profile) {
    log(`CPU profile of the server: ${profileDir} (written when the server stops)`);
  }
  if (options.shards !== null) {
    log(`the generated data stays in ${shardUrls.join(', ')}`);
  }

  const byEntity = (entity: GenerationEntity) => generated.find((run) => run.entity === entity);
  return {
    bench: 'data',
    users: options.users,
    rowsPerSec: users.rowsPerSec,
    listFirstP99Ms: listFirst.p99Ms,
    listDeepP99Ms: listDeep.p99Ms,
    listFilteredP99Ms: Math.max(...filtered.map((phase) => phase.p99Ms)),
    listCachedP99Ms: listCached.p99Ms,
    analyticsP99Ms: analytics.p99Ms,
    analyticsCachedP99Ms: analyticsCached.p99Ms,
    overviewP99Ms: overview.p99Ms,
    overviewCachedP99Ms: overviewCached.p99Ms,
    listFirstP50Ms: listFirst.p50Ms,
    listDeepP50Ms: listDeep.p50Ms,
    listCachedP50Ms: listCached.p50Ms,
    analyticsP50Ms: analytics.p50Ms,
    analyticsCachedP50Ms: analyticsCached.p50Ms,
    overviewP50Ms: overview.p50Ms,
    overviewCachedP50Ms: overviewCached.p50Ms,
    jobSeconds: users.jobSeconds,
    wallSeconds: users.wallSeconds,
    serverCpuSeconds: users.serverCpuSeconds,
    mariadbCpuSeconds: users.mariadbCpuSeconds,
    drivers: options.drivers,
    driversRowsPerSec: byEntity('drivers')?.rowsPerSec ?? null,
    bookings: options.bookings,
    bookingsRowsPerSec: byEntity('bookings')?.rowsPerSec ?? null,
    requests: options.requests,
    errors,
    accounts: shape.accounts,
    deepCursorFraction: round(shape.newerThanMiddle / Math.max(1, shape.accounts), 3),
    dataGiB: shape.dataGiB,
    serverPeakRssMb: serverMemory?.peakMb ?? null,
    mariadbRssMb: mariadbMemory?.rssMb ?? null,
    storage: options.shards === null ? 'private' : 'shards',
    shards: shardUrls.length,
    mariadb: variables,
    chunkSize: config.generation.chunkSize,
    generationConcurrency: config.generation.concurrency,
    serverLogLines: server.outputLines,
    cpus: machine.cpus,
    totalMemoryGiB: machine.totalMemoryGiB,
    node: machine.node,
    cpuModel: machine.cpuModel,
    loadAverageAtStart: machine.loadAverage,
  };
}

/** Fails early, with the fix, when a database given with --shards is missing or unreachable. */
async function checkExistingShards(targets: readonly ShardTarget[]): Promise<void> {
  for (const target of targets) {
    let connection: Connection;
    try {
      connection = await connect(target);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(
        `--shards: cannot use ${target.url} (${message}); the database must exist (the bench creates only tables)`,
      );
    }
    try {
      const [rows] = await connection.query(
        "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'users'",
      );
      if (Number((rows as { n: number | string }[])[0]?.n ?? 0) > 0) {
        const [users] = await connection.query('SELECT COUNT(*) AS n FROM users');
        const existing = Number((users as { n: number | string }[])[0]?.n ?? 0);
        if (existing > 0) {
          log(
            `storage: ${target.database} already holds ${count(existing)} accounts; the figures include them`,
          );
        }
      }
    } finally {
      await connection.end();
    }
  }
}

const VARIABLES = [
  'version',
  'innodb_buffer_pool_size',
  'innodb_log_file_size',
  'innodb_flush_log_at_trx_commit',
  'log_bin',
  'max_connections',
];

/** The first shard's server settings that matter here, sizes in readable units. */
async function serverVariables(target: ShardTarget | undefined): Promise<Record<string, string>> {
  if (target === undefined) {
    return {};
  }
  const connection = await connect(target);
  try {
    const [rows] = await connection.query(
      `SHOW GLOBAL VARIABLES WHERE Variable_name IN (${VARIABLES.map((name) => `'${name}'`).join(', ')})`,
    );
    const found = new Map(
      (rows as { Variable_name: string; Value: string }[]).map((row) => [row.Variable_name, row.Value]),
    );
    return Object.fromEntries(
      VARIABLES.map((name) => {
        const value = found.get(name) ?? '?';
        return [name, name.endsWith('_size') && /^\d+$/.test(value) ? bytes(Number(value)) : value];
      }),
    );
  } finally {
    await connection.end();
  }
}

/** Runs `loadline admin create` with the server's environment; its exit status and last output lines. */
async function createAdmin(
  env: NodeJS.ProcessEnv,
  admin: { email: string; password: string },
  teardown: Teardown,
): Promise<{ name: string; exit: string; output: string }> {
  const cli = new NodeProcess(
    'loadline admin create',
    [
      '--import',
      'tsx',
      'apps/server/src/main.ts',
      'admin',
      'create',
      '--email',
      admin.email,
      '--password',
      admin.password,
      '--name',
      'Bench Admin',
    ],
    { cwd: repoRoot, env },
  );
  teardown.add(cli.name, () => cli.stop());
  await cli.exited;
  teardown.assertActive();
  return {
    name: cli.name,
    exit: String(cli.child.exitCode ?? cli.child.signalCode ?? '?'),
    output: cli.lastLines(),
  };
}

interface GenerationRun {
  entity: GenerationEntity;
  total: number;
  /** finishedAt - startedAt, as the job reports them. */
  jobSeconds: number;
  rowsPerSec: number;
  /** From sending the POST to the job's finishedAt. */
  wallSeconds: number;
  serverCpuSeconds: number | null;
  mariadbCpuSeconds: number | null;
}

/** Starts a generation job through the API and follows it to the end, printing progress. */
async function generate(run: {
  api: ApiClient;
  token: string;
  entity: GenerationEntity;
  total: number;
  pids: { server: number | undefined; mariadb: number | undefined };
  teardown: Teardown;
  server: NodeProcess;
}): Promise<GenerationRun> {
  const { api, token, entity, total, pids, teardown } = run;
  const cpu = (pid: number | undefined): number | null => (pid === undefined ? null : processCpuSeconds(pid));
  const cpuBefore = { server: cpu(pids.server), mariadb: cpu(pids.mariadb) };
  const postedAt = Date.now();
  const accepted = (
    await api.call('POST', '/v1/admin/generate', { token, body: { entity, count: total }, expect: [202] })
  ).body as GenerateAccepted;
  const progress = new Progress(entity);
  let job: GenerationJob | null = null;
  let last = { done: 0, at: performance.now(), changedAt: performance.now() };
  while (job?.state !== 'completed' && job?.state !== 'failed') {
    await sleep(POLL_MS);
    teardown.assertActive();
    if (!run.server.running) {
      throw new Error(`the server exited during the ${entity} job:\n${run.server.lastLines()}`);
    }
    job = (await api.call('GET', `/v1/admin/jobs/${accepted.jobId}`, { token })).body as GenerationJob;
    const now = performance.now();
    const recent = ((job.done - last.done) / Math.max(0.001, now - last.at)) * 1000;
    if (job.done !== last.done) {
      last.changedAt = now;
    } else if (now - last.changedAt > STALL_MS) {
      throw new Error(
        `the ${entity} job made no progress for ${STALL_MS / 1000} s (${job.done}/${job.total}, ${job.state}):\n` +
          run.server.lastLines(),
      );
    }
    last = { done: job.done, at: now, changedAt: last.changedAt };
    progress.draw(job, recent);
  }
  progress.end();
  const cpuAfter = { server: cpu(pids.server), mariadb: cpu(pids.mariadb) };
  if (job.state === 'failed' || job.finishedAt === undefined) {
    throw new Error(`the ${entity} job failed: ${job.error ?? 'no error given'}\n${run.server.lastLines()}`);
  }
  const finishedAt = Date.parse(job.finishedAt);
  const jobSeconds = Math.max(0.001, (finishedAt - Date.parse(job.startedAt)) / 1000);
  const used = (before: number | null, after: number | null): number | null =>
    before === null || after === null ? null : round(after - before, 1);
  const result: GenerationRun = {
    entity,
    total,
    jobSeconds: round(jobSeconds, 2),
    rowsPerSec: Math.round(job.done / jobSeconds),
    wallSeconds: round((finishedAt - postedAt) / 1000, 2),
    serverCpuSeconds: used(cpuBefore.server, cpuAfter.server),
    mariadbCpuSeconds: used(cpuBefore.mariadb, cpuAfter.mariadb),
  };
  log(
    `${entity}: ${count(job.done)} in ${result.jobSeconds} s (job's startedAt to finishedAt) = ` +
      `${count(result.rowsPerSec)} rows/s; ${result.wallSeconds} s from the POST; CPU: server ` +
      `${result.serverCpuSeconds ?? 'n/a'} s, MariaDB ${result.mariadbCpuSeconds === null ? 'n/a (not ours)' : `${result.mariadbCpuSeconds} s`}`,
  );
  return result;
}

/** One progress line per poll on a terminal (redrawn in place), one every few seconds otherwise. */
class Progress {
  private lastLineAt = 0;
  private drawn = false;

  constructor(private readonly entity: string) {}

  draw(job: GenerationJob, recentRate: number): void {
    const percent = job.total === 0 ? 100 : Math.floor((job.done / job.total) * 100);
    const eta = job.etaSeconds === null ? '' : `, ETA ${job.etaSeconds} s`;
    const line =
      `${this.entity}: ${count(job.done)}/${count(job.total)} (${percent} %), ${count(Math.round(job.rate))} rows/s ` +
      `overall, ${count(Math.round(recentRate))} since the last poll${eta} [${job.state}]`;
    if (process.stdout.isTTY) {
      process.stdout.write(`\r${line.padEnd(110)}`);
      this.drawn = true;
    } else if (Date.now() - this.lastLineAt >= PROGRESS_LINE_MS) {
      this.lastLineAt = Date.now();
      log(line);
    }
  }

  end(): void {
    if (this.drawn) {
      process.stdout.write('\n');
    }
  }
}

function formatGeneration(runs: readonly GenerationRun[]): string {
  const rows = runs.map((run) => [
    run.entity,
    count(run.total),
    run.jobSeconds.toFixed(1),
    count(run.rowsPerSec),
    run.wallSeconds.toFixed(1),
    run.serverCpuSeconds?.toFixed(1) ?? 'n/a',
    run.mariadbCpuSeconds?.toFixed(1) ?? 'n/a',
  ]);
  return table(['generated', 'rows', 'job s', 'rows/s', 'wall s', 'server CPU s', 'MariaDB CPU s'], rows, 1);
}

interface DataShape {
  accounts: number;
  perShard: number[];
  /** An account in the middle of shard 0, newest first: the deep cursor points at it. */
  middleId: string;
  /** Accounts listed before the deep cursor (IDs above it), over every shard. */
  newerThanMiddle: number;
  dataGiB: number;
}

/** Counts, the deep cursor's account and the tables' size, with the bench's own SQL (untimed). */
async function dataShape(targets: readonly ShardTarget[]): Promise<DataShape> {
  const connections = await Promise.all(targets.map(connect));
  try {
    const scalar = async (connection: Connection, query: string, params: unknown[] = []): Promise<string> => {
      const [rows] = await connection.query(query, params);
      const value = Object.values((rows as Record<string, unknown>[])[0] ?? {})[0];
      return typeof value === 'number' || typeof value === 'string' || typeof value === 'bigint'
        ? String(value)
        : '0';
    };
    const perShard = await Promise.all(
      connections.map(async (connection) => Number(await scalar(connection, 'SELECT COUNT(*) FROM users'))),
    );
    const first = connections[0];
    if (first === undefined) {
      throw new Error('no shards');
    }
    const middleId = await scalar(
      first,
      'SELECT CAST(id AS CHAR) FROM users ORDER BY id DESC LIMIT 1 OFFSET ?',
      [Math.floor((perShard[0] ?? 0) / 2)],
    );
    if (!/^\d+$/.test(middleId)) {
      throw new Error(`unexpected account id ${middleId}`);
    }
    // Inlined: a string parameter would be compared with the BIGINT ids as a double.
    const newer = await Promise.all(
      connections.map(async (connection) =>
        Number(await scalar(connection, `SELECT COUNT(*) FROM users WHERE id > ${middleId}`)),
      ),
    );
    const sizes = await Promise.all(
      connections.map(async (connection) =>
        Number(
          await scalar(
            connection,
            'SELECT SUM(data_length + index_length) FROM information_schema.tables WHERE table_schema = DATABASE()',
          ),
        ),
      ),
    );
    return {
      accounts: perShard.reduce((sum, n) => sum + n, 0),
      perShard,
      middleId,
      newerThanMiddle: newer.reduce((sum, n) => sum + n, 0),
      dataGiB: round(sizes.reduce((sum, n) => sum + n, 0) / 1024 ** 3, 2),
    };
  } finally {
    await Promise.all(connections.map((connection) => connection.end()));
  }
}

function expectPage(body: unknown, what: string, before: string | null): void {
  const page = body as { items?: { id: string }[]; nextCursor?: string | null };
  if (!Array.isArray(page.items)) {
    throw new Error(`unexpected ${what}: ${JSON.stringify(body).slice(0, 300)}`);
  }
  if (page.items.length !== PAGE_SIZE) {
    log(`note: the ${what} held ${page.items.length} accounts, not ${PAGE_SIZE}`);
  }
  const firstId = page.items[0]?.id;
  if (before !== null && firstId !== undefined && BigInt(firstId) >= BigInt(before)) {
    throw new Error(`the ${what} starts at ${firstId}, not after the cursor's ${before}`);
  }
}

interface PhaseResult {
  endpoint: string;
  how: string;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Size of one answer's body. */
  bytes: number;
  statuses: Record<string, number>;
  errors: number;
  firstError: string | null;
}

/** Sequential timed GETs from one client, each preceded by an untimed `before` step. */
class ReadTimer {
  constructor(private readonly deps: { url: string; token: string; requests: number; teardown: Teardown }) {}

  /**
   * One untimed request first (connection, JIT, and the `check` of its answer and of
   * the cache), then `requests` timed ones.
   */
  async phase(
    endpoint: string,
    how: string,
    path: string,
    steps: { before?: () => Promise<void>; check?: (body: unknown) => Promise<void> } = {},
  ): Promise<PhaseResult> {
    const { teardown } = this.deps;
    teardown.assertActive();
    await steps.before?.();
    const warm = await this.get(path);
    if (warm.status !== 200) {
      throw new Error(`GET ${path}: HTTP ${warm.status} ${warm.text.slice(0, 300)}`);
    }
    await steps.check?.(JSON.parse(warm.text) as unknown);
    const recorder = new LatencyRecorder();
    let errors = 0;
    let firstError: string | null = null;
    const started = performance.now();
    for (let i = 0; i < this.deps.requests; i += 1) {
      teardown.assertActive();
      await steps.before?.();
      const answer = await this.get(path);
      recorder.record(endpoint, answer.status, answer.ms);
      if (answer.status !== 200) {
        errors += 1;
        firstError ??= `GET ${path}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`;
      }
    }
    const summary = recorder.summary((performance.now() - started) / 1000)[endpoint];
    return {
      endpoint,
      how,
      requests: summary?.requests ?? 0,
      p50Ms: summary?.p50Ms ?? 0,
      p99Ms: summary?.p99Ms ?? 0,
      maxMs: summary?.maxMs ?? 0,
      bytes: Buffer.byteLength(warm.text),
      statuses: summary?.statuses ?? {},
      errors,
      firstError,
    };
  }

  /** One GET, timed from sending to the last byte of the body; a lost answer counts as status 0. */
  private async get(path: string): Promise<{ status: number; ms: number; text: string }> {
    const started = performance.now();
    try {
      const response = await fetch(`${this.deps.url}${path}`, {
        headers: { authorization: `Bearer ${this.deps.token}` },
        signal: AbortSignal.timeout(TIMED_REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      return { status: response.status, ms: performance.now() - started, text };
    } catch (error) {
      return {
        status: 0,
        ms: performance.now() - started,
        text: error instanceof Error ? error.message : String(error),
      };
    }
  }
}

function formatPhases(phases: readonly PhaseResult[]): string {
  const rows = phases.map((phase) => [
    phase.endpoint,
    phase.how,
    phase.p50Ms.toFixed(2),
    phase.p99Ms.toFixed(2),
    phase.maxMs.toFixed(2),
    count(phase.bytes),
    Object.entries(phase.statuses)
      .map(([status, n]) => `${status}:${n}`)
      .join(' '),
  ]);
  return table(['endpoint', 'cache', 'p50 ms', 'p99 ms', 'max ms', 'bytes', 'statuses'], rows, 2, 5);
}

/** A fixed-width table; columns from `firstNumeric` to `lastNumeric` are right-aligned. */
function table(
  header: string[],
  rows: string[][],
  firstNumeric: number,
  lastNumeric = header.length - 1,
): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) =>
        column >= firstNumeric && column <= lastNumeric
          ? cell.padStart(widths[column] ?? 0)
          : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Every key matching `pattern` (SCAN, so a busy shared Redis is not blocked). */
async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  return keys;
}

function freeGiB(dir: string): string {
  try {
    const stats = fs.statfsSync(dir);
    return ((stats.bavail * stats.bsize) / 1024 ** 3).toFixed(0);
  } catch {
    return '?';
  }
}

function bytes(value: number): string {
  return value >= 1024 ** 3 && value % 1024 ** 2 === 0
    ? `${round(value / 1024 ** 3, 2)}G`
    : `${Math.round(value / 1024 ** 2)}M`;
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
