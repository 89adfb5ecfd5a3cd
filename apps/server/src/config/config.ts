import { isIP } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Boot configuration. `loadConfig` is the only reader of the environment; the
 * rest of the server receives the frozen object it returns. Every variable is
 * here, parsed and checked in one pass, so one file is the whole list (with
 * .env.example); that is why it runs past ~400 lines.
 */
export type RunMode = 'embedded' | 'cluster';

export interface RateRule {
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
}

export interface Config {
  readonly mode: RunMode;
  readonly host: string;
  readonly port: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly dataDir: string;
  /** Embedded mode: how many SQLite shard files to keep under dataDir. */
  readonly embeddedShards: number;
  /** Cluster mode: one MySQL URL per physical shard, in shard order. */
  readonly databaseShards: readonly string[];
  readonly databasePoolSize: number;
  /**
   * Cluster mode: a query with no answer within this fails with 503 and its
   * connection is dropped, so a hung database cannot hold requests.
   */
  readonly databaseQueryTimeoutMs: number;
  /** The same for work that asks for it (migrations, bulk writes, rebuilds: `withLongQueries`). */
  readonly databaseLongQueryTimeoutMs: number;
  readonly redisUrl: string | null;
  /** A Redis command with no reply within this fails with 503 (blocking clients excepted). */
  readonly redisCommandTimeoutMs: number;
  /**
   * How long the Socket.IO adapter's stream read blocks waiting for messages from other instances.
   * A shutdown waits at most half a second for the read in progress; tests that stop many
   * servers set it low so that wait is shorter still.
   */
  readonly socketAdapterBlockMs: number;
  /**
   * Cluster mode: how long a queue job is leased to the worker running it. A
   * live worker renews its lease at half this; the jobs of a worker that died
   * go to another worker once the lease lapses (and the next stalled check runs).
   */
  readonly jobLeaseMs: number;
  /** Prefix of every Redis key and channel, so several deployments can share one Redis. */
  readonly redisPrefix: string;
  /** Fixed node number for the ID generator; null leases one at boot. */
  readonly nodeId: number | null;
  readonly sessionTtlSeconds: number;
  readonly rateLimits: {
    readonly enabled: boolean;
    /** Login and signup attempts per client address. */
    readonly authPerIp: RateRule;
    /** Failed logins (platform/rate-limit/login-throttle, docs/adr/0016). */
    readonly login: LoginLimits;
    /**
     * Client events per socket, a token bucket: a burst of `limit`, refilled at
     * `limit` per `windowSeconds`.
     */
    readonly socketEvents: RateRule;
    /** Public tracking reads (`GET /v1/track/:token`) per client address. */
    readonly trackPerIp: RateRule;
    /** Requests per API key (`Authorization: Bearer llk_...`), across every instance. */
    readonly apiKey: RateRule;
  };
  readonly pricing: {
    /** JSON file with regions and rates; null uses the built-in default region. */
    readonly file: string | null;
    /** OSRM-compatible routing service for road distances; null uses great-circle x road factor. */
    readonly routingUrl: string | null;
    readonly quoteTtlSeconds: number;
    /** Highest surge multiplier ever applied. */
    readonly surgeMax: number;
    /** H3 resolution of the cells whose demand and supply drive surge. */
    readonly surgeH3Resolution: number;
  };
  readonly dispatch: {
    readonly offersPerWave: number;
    readonly initialRadiusKm: number;
    /** Each wave searches this many times further than the previous one. */
    readonly radiusGrowth: number;
    readonly maxWaves: number;
    readonly offerTtlSeconds: number;
    /** When a wave found nobody, the next one comes after this (at most an offer's lifetime). */
    readonly emptyWaveDelayMs: number;
    /** Drivers whose last position is older than this are not offered bookings (their app may be gone). */
    readonly maxPositionAgeSeconds: number;
    /** Scheduled bookings start searching this long before their time. */
    readonly scheduledLeadMinutes: number;
    /** How often each worker sweeps SQL for overdue activations and dispatch steps (ADR 0018). */
    readonly sweepIntervalMs: number;
  };
  /** Location pings. */
  readonly pings: {
    /**
     * Pings at work in this process from which it counts as behind: a driver's
     * next ping then waits behind its one at work, newest only (coalesced).
     */
    readonly backlog: number;
    /** How often each driver's last position goes to SQL (the live state has it at once). */
    readonly lastPositionFlushMs: number;
  };
  /** Multi-stop bookings (ADR 0027). */
  readonly stops: {
    /** Arriving at or completing a stop farther than this from it (the driver's live position) is 422 too_far_from_stop. */
    readonly maxDistanceM: number;
    /** Also check a plain v1 `{ status: "delivered" }` move against its drop-off (off: v1 clients keep working). */
    readonly checkDistanceForAll: boolean;
    /** Whether a booking that does not say `handoverPins` gets PINs (off: v1 clients keep working). */
    readonly handoverPinsDefault: boolean;
  };
  readonly generation: {
    /** The city generated records live in: its centre and radius. */
    readonly center: { readonly lat: number; readonly lng: number };
    readonly radiusKm: number;
    /** Rows per queue job; each is written with multi-row inserts, once per shard. */
    readonly chunkSize: number;
    /** Chunks one worker process writes at the same time. */
    readonly concurrency: number;
    /** Generated records are spread over this many days before now. */
    readonly historyDays: number;
  };
  /** Password of the `--demo` administrator when it is created; null makes one up (printed once). */
  readonly demoAdminPassword: string | null;
  /** Password of every simulated account; null keeps a made-up one in DATA_DIR (see simulator/sim-password). */
  readonly simulatorPassword: string | null;
  /**
   * Which peers may set X-Forwarded-*: false (none), a hop count (the last N
   * proxies in front of the process), or addresses/CIDR ranges of trusted proxies.
   */
  readonly trustProxy: false | number | readonly string[];
  /** Served over HTTPS (directly or by the proxy): Secure cookie, HSTS and upgrade-insecure-requests. */
  readonly cookieSecure: boolean;
  /**
   * Origins besides the server's own from which cookie-authenticated browsers
   * may change state or open sockets (`https://app.example.com`).
   */
  readonly allowedOrigins: readonly string[];
  readonly http: {
    /** Whole request, headers and body, must arrive within this. */
    readonly requestTimeoutMs: number;
    /** Headers must arrive within this. */
    readonly headersTimeoutMs: number;
    /** An idle keep-alive connection is closed after this. */
    readonly keepAliveTimeoutMs: number;
    /** A connection with no activity at all is closed after this. */
    readonly idleTimeoutMs: number;
  };
  /** Bearer token `/metrics` requires; null leaves it open (bind METRICS_PORT to a private interface instead). */
  readonly metricsToken: string | null;
  readonly webDistDir: string;
  /** Map tiles the web app loads, served to it at run time by `GET /v1/config/client`. */
  readonly map: {
    /** Raster tile URL template; null (`MAP_TILE_URL=off`) leaves maps on their offline grid. */
    readonly tileUrl: string | null;
    readonly tileAttribution: string;
    readonly tileMaxZoom: number;
  };
  readonly webhooks: WebhookSettings;
  readonly shutdownTimeoutMs: number;
  readonly bodyLimitBytes: number;
}

/** Webhook deliveries (modules/integrations, ADR 0023). */
export interface WebhookSettings {
  /** Let endpoints resolve to private, loopback or link-local addresses (tests, on-premises receivers). */
  readonly allowPrivate: boolean;
  /** Base64 of 32 bytes sealing signing secrets at rest (AES-256-GCM); null stores them as given. */
  readonly secretKey: string | null;
  /** An attempt with no full answer within this failed. */
  readonly timeoutMs: number;
  /** First retry delay; each further one doubles, with jitter, up to `backoffMaxMs`. */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** How long a delivery is retried before it is given up. */
  readonly retryWindowMs: number;
  /** An endpoint whose attempts have all failed for this long is disabled. */
  readonly disableAfterMs: number;
  /** Finished deliveries (succeeded or failed) leave the log this long after their last attempt. */
  readonly logRetentionMs: number;
  /** How often each worker looks for deliveries due. */
  readonly sweepIntervalMs: number;
  /** Attempts in flight per process: in all, and to one endpoint. */
  readonly concurrency: number;
  readonly endpointConcurrency: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

function text(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? fallback : raw;
}

function optionalText(env: Env, name: string): string | null {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? null : raw;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optionalText(env, name);
  if (raw === null) {
    return fallback;
  }
  if (!/^-?\d+$/.test(raw)) {
    throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  }
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function decimal(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optionalText(env, name);
  if (raw === null) {
    return fallback;
  }
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !Number.isFinite(value)) {
    throw new ConfigError(name, `must be a number, got "${raw}"`);
  }
  if (value < min || value > max) {
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = optionalText(env, name)?.toLowerCase();
  if (raw === undefined) {
    return fallback;
  }
  if (['1', 'true', 'on', 'yes'].includes(raw)) {
    return true;
  }
  if (['0', 'false', 'off', 'no'].includes(raw)) {
    return false;
  }
  throw new ConfigError(name, `must be on/off (or true/false), got "${raw}"`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = optionalText(env, name);
  if (raw === null) {
    return fallback;
  }
  const found = allowed.find((candidate) => candidate === raw);
  if (found === undefined) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return found;
}

function point(env: Env, name: string, fallback: { lat: number; lng: number }): { lat: number; lng: number } {
  const raw = optionalText(env, name);
  if (raw === null) {
    return fallback;
  }
  const parts = raw.split(',').map((part) => Number(part.trim()));
  const [lat, lng] = parts;
  if (
    parts.length !== 2 ||
    lat === undefined ||
    lng === undefined ||
    !Number.isFinite(lat) ||
    !Number.isFinite(lng) ||
    Math.abs(lat) > 90 ||
    Math.abs(lng) > 180
  ) {
    throw new ConfigError(name, `must be "lat,lng" in degrees (got "${raw}")`);
  }
  return { lat, lng };
}

function rateRule(env: Env, name: string, fallback: RateRule): RateRule {
  const raw = optionalText(env, name);
  if (raw === null) {
    return fallback;
  }
  const match = /^(\d+)\/(\d+)$/.exec(raw);
  if (match === null || Number(match[1]) < 1 || Number(match[2]) < 1) {
    throw new ConfigError(name, `must look like LIMIT/WINDOW_SECONDS (e.g. 20/60), got "${raw}"`);
  }
  return { limit: Number(match[1]), windowSeconds: Number(match[2]) };
}

export interface LoginLimits {
  /** Failures for one email from one address before that address is locked out of it. */
  readonly failuresBeforeLock: number;
  /** The first lock; every further failure doubles it, up to `maxLockSeconds`. */
  readonly lockSeconds: number;
  readonly maxLockSeconds: number;
  /** How long an address's failures for an email are remembered after its last one. */
  readonly memorySeconds: number;
  /** Failures for one email from every address together, per window. */
  readonly perEmail: RateRule;
}

function loginLimits(env: Env): LoginLimits {
  const lockSeconds = integer(env, 'AUTH_LOGIN_LOCK_SECONDS', 60, 1, 86_400);
  const maxLockSeconds = integer(env, 'AUTH_LOGIN_LOCK_MAX_SECONDS', 900, 1, 7 * 86_400);
  if (maxLockSeconds < lockSeconds) {
    throw new ConfigError(
      'AUTH_LOGIN_LOCK_MAX_SECONDS',
      `must be at least AUTH_LOGIN_LOCK_SECONDS (${lockSeconds}), got ${maxLockSeconds}`,
    );
  }
  const memorySeconds = integer(env, 'AUTH_LOGIN_FAILURE_MEMORY_SECONDS', 43_200, 60, 30 * 86_400);
  if (memorySeconds < maxLockSeconds) {
    // The lock is kept with the failures: forgetting them sooner would end the lock early.
    throw new ConfigError(
      'AUTH_LOGIN_FAILURE_MEMORY_SECONDS',
      `must be at least AUTH_LOGIN_LOCK_MAX_SECONDS (${maxLockSeconds}), got ${memorySeconds}`,
    );
  }
  // AUTH_RATE_LIMIT_EMAIL is the older name of the per-email cap, read when the new one is unset.
  const perEmailName =
    optionalText(env, 'AUTH_LOGIN_FAILURES_PER_EMAIL') === null &&
    optionalText(env, 'AUTH_RATE_LIMIT_EMAIL') !== null
      ? 'AUTH_RATE_LIMIT_EMAIL'
      : 'AUTH_LOGIN_FAILURES_PER_EMAIL';
  return {
    failuresBeforeLock: integer(env, 'AUTH_LOGIN_FAILURES_BEFORE_LOCK', 5, 1, 1_000),
    lockSeconds,
    maxLockSeconds,
    memorySeconds,
    perEmail: rateRule(env, perEmailName, { limit: 100, windowSeconds: 3600 }),
  };
}

function queryTimeouts(env: Env): Pick<Config, 'databaseQueryTimeoutMs' | 'databaseLongQueryTimeoutMs'> {
  const databaseQueryTimeoutMs = integer(env, 'DB_QUERY_TIMEOUT_MS', 5_000, 100, 600_000);
  const databaseLongQueryTimeoutMs = integer(env, 'DB_LONG_QUERY_TIMEOUT_MS', 600_000, 1_000, 86_400_000);
  if (databaseLongQueryTimeoutMs < databaseQueryTimeoutMs) {
    throw new ConfigError(
      'DB_LONG_QUERY_TIMEOUT_MS',
      `must be at least DB_QUERY_TIMEOUT_MS (${databaseQueryTimeoutMs}), got ${databaseLongQueryTimeoutMs}`,
    );
  }
  return { databaseQueryTimeoutMs, databaseLongQueryTimeoutMs };
}

function url(name: string, raw: string, protocols: readonly string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `contains an invalid URL "${raw}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `URL "${raw}" must use ${protocols.join(' or ')}`);
  }
  return raw;
}

/**
 * One `redis://` URL (a standalone Redis) or a comma-separated list of them (the
 * seed nodes of a Redis Cluster, which has only database 0).
 */
function redisUrlList(raw: string): string {
  const parts = raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const urls = parts.map((part) => url('REDIS_URL', part, ['redis:', 'rediss:']));
  const [first] = urls;
  if (first === undefined) {
    throw new ConfigError('REDIS_URL', 'lists no URL');
  }
  if (urls.length === 1) {
    return first;
  }
  if (new Set(urls).size !== urls.length) {
    throw new ConfigError('REDIS_URL', 'lists the same Redis Cluster node twice');
  }
  for (const entry of urls) {
    const database = new URL(entry).pathname.replace(/^\//, '');
    if (database !== '' && database !== '0') {
      throw new ConfigError(
        'REDIS_URL',
        `URL "${entry}" names database ${database}; a Redis Cluster has only 0`,
      );
    }
  }
  return urls.join(',');
}

/**
 * `off` (default) trusts no forwarded header; `on` trusts exactly one proxy hop
 * (the shipped nginx); a number trusts that many hops; otherwise a comma list of
 * proxy addresses or CIDR ranges (`127.0.0.1,10.0.0.0/8`). Never "any hop": the
 * left-most X-Forwarded-For is whatever the client wrote.
 */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function trustProxy(env: Env, name: string): false | number | readonly string[] {
  const raw = optionalText(env, name)?.toLowerCase();
  if (raw === undefined || ['0', 'false', 'off', 'no'].includes(raw)) {
    return false;
  }
  if (['true', 'on', 'yes'].includes(raw)) {
    return 1;
  }
  if (/^\d+$/.test(raw)) {
    return integer(env, name, 1, 1, 10);
  }
  const entries = raw.split(',').map((part) => part.trim());
  for (const entry of entries) {
    if (PROXY_RANGE_NAMES.includes(entry)) {
      continue;
    }
    const [address, bits, ...rest] = entry.split('/');
    const family = address === undefined ? 0 : isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    const validBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= maxBits);
    if (family === 0 || !validBits || rest.length > 0) {
      throw new ConfigError(
        name,
        `must be off, on, a hop count, or a comma list of proxy addresses, CIDR ranges or loopback/linklocal/uniquelocal; "${entry}" is none of these`,
      );
    }
  }
  return entries;
}

function origins(env: Env, name: string): readonly string[] {
  const raw = optionalText(env, name);
  if (raw === null) {
    return [];
  }
  return raw.split(',').map((part) => {
    const entry = part.trim();
    let parsed: URL;
    try {
      parsed = new URL(entry);
    } catch {
      throw new ConfigError(name, `contains "${entry}", which is not an origin like https://app.example.com`);
    }
    if (!['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== entry.replace(/\/$/, '')) {
      throw new ConfigError(name, `contains "${entry}", which is not an origin like https://app.example.com`);
    }
    return parsed.origin;
  });
}

/** Parses and validates the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const shardsRaw = optionalText(env, 'DATABASE_SHARDS');
  const redisRaw = optionalText(env, 'REDIS_URL');
  if ((shardsRaw === null) !== (redisRaw === null)) {
    const missing = shardsRaw === null ? 'DATABASE_SHARDS' : 'REDIS_URL';
    throw new ConfigError(
      missing,
      'is required in cluster mode (set both DATABASE_SHARDS and REDIS_URL, or neither)',
    );
  }
  const databaseShards =
    shardsRaw === null
      ? []
      : shardsRaw.split(',').map((part) => url('DATABASE_SHARDS', part.trim(), ['mysql:', 'mariadb:']));
  if (shardsRaw !== null && new Set(databaseShards).size !== databaseShards.length) {
    throw new ConfigError('DATABASE_SHARDS', 'lists the same database twice');
  }
  const nodeIdRaw = optionalText(env, 'NODE_ID');

  const config: Config = {
    mode: shardsRaw === null ? 'embedded' : 'cluster',
    host: text(env, 'HOST', '0.0.0.0'),
    port: integer(env, 'PORT', 3000, 0, 65535),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    dataDir: path.resolve(text(env, 'DATA_DIR', './data')),
    embeddedShards: integer(env, 'EMBEDDED_SHARDS', 4, 1, 64),
    databaseShards,
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 500),
    ...queryTimeouts(env),
    redisUrl: redisRaw === null ? null : redisUrlList(redisRaw),
    redisCommandTimeoutMs: integer(env, 'REDIS_COMMAND_TIMEOUT_MS', 3_000, 100, 600_000),
    socketAdapterBlockMs: integer(env, 'SOCKET_ADAPTER_BLOCK_MS', 5_000, 10, 60_000),
    jobLeaseMs: integer(env, 'JOB_LEASE_MS', 30_000, 2_000, 600_000),
    redisPrefix: text(env, 'REDIS_PREFIX', 'loadline:'),
    nodeId: nodeIdRaw === null ? null : integer(env, 'NODE_ID', 0, 0, 30),
    sessionTtlSeconds: integer(env, 'SESSION_TTL_HOURS', 720, 1, 24 * 365) * 3600,
    rateLimits: {
      enabled: flag(env, 'RATE_LIMITS', true),
      authPerIp: rateRule(env, 'AUTH_RATE_LIMIT_IP', { limit: 30, windowSeconds: 60 }),
      login: loginLimits(env),
      socketEvents: rateRule(env, 'SOCKET_EVENT_RATE', { limit: 100, windowSeconds: 2 }),
      trackPerIp: rateRule(env, 'TRACK_RATE_LIMIT_IP', { limit: 120, windowSeconds: 60 }),
      apiKey: rateRule(env, 'API_KEY_RATE_LIMIT', { limit: 600, windowSeconds: 60 }),
    },
    pricing: {
      file: optionalText(env, 'PRICING_FILE'),
      routingUrl: (() => {
        const raw = optionalText(env, 'ROUTING_URL');
        return raw === null ? null : url('ROUTING_URL', raw, ['http:', 'https:']);
      })(),
      quoteTtlSeconds: integer(env, 'QUOTE_TTL_SECONDS', 600, 10, 86_400),
      surgeMax: decimal(env, 'SURGE_MAX', 2.5, 1, 10),
      surgeH3Resolution: integer(env, 'SURGE_H3_RESOLUTION', 7, 4, 10),
    },
    dispatch: {
      offersPerWave: integer(env, 'DISPATCH_OFFERS_PER_WAVE', 3, 1, 50),
      initialRadiusKm: decimal(env, 'DISPATCH_RADIUS_KM', 3, 0.1, 100),
      radiusGrowth: decimal(env, 'DISPATCH_RADIUS_GROWTH', 1.6, 1, 10),
      maxWaves: integer(env, 'DISPATCH_MAX_WAVES', 5, 1, 50),
      offerTtlSeconds: integer(env, 'OFFER_TTL_SECONDS', 20, 2, 600),
      emptyWaveDelayMs: integer(env, 'DISPATCH_EMPTY_WAVE_DELAY_MS', 5_000, 100, 600_000),
      maxPositionAgeSeconds: integer(env, 'DISPATCH_MAX_POSITION_AGE_SECONDS', 120, 10, 86_400),
      scheduledLeadMinutes: integer(env, 'SCHEDULED_LEAD_MINUTES', 15, 0, 24 * 60),
      sweepIntervalMs: integer(env, 'DISPATCH_SWEEP_INTERVAL_MS', 10_000, 100, 600_000),
    },
    pings: {
      backlog: integer(env, 'PING_BACKLOG', 1_000, 1, 1_000_000),
      lastPositionFlushMs: integer(env, 'LAST_POSITION_FLUSH_MS', 5_000, 100, 600_000),
    },
    stops: {
      maxDistanceM: integer(env, 'STOP_MAX_DISTANCE_M', 300, 10, 100_000),
      checkDistanceForAll: flag(env, 'CHECK_STOP_DISTANCE_FOR_ALL', false),
      handoverPinsDefault: flag(env, 'HANDOVER_PINS_DEFAULT', false),
    },
    generation: {
      center: point(env, 'CITY_CENTER', { lat: 12.9716, lng: 77.5946 }),
      radiusKm: decimal(env, 'CITY_RADIUS_KM', 15, 0.5, 200),
      chunkSize: integer(env, 'GENERATION_CHUNK_SIZE', 20_000, 10, 50_000),
      concurrency: integer(env, 'GENERATION_CONCURRENCY', 2, 1, 64),
      historyDays: integer(env, 'GENERATION_HISTORY_DAYS', 90, 1, 3650),
    },
    demoAdminPassword: (() => {
      const raw = optionalText(env, 'DEMO_ADMIN_PASSWORD');
      if (raw !== null && raw.length < 8) {
        throw new ConfigError('DEMO_ADMIN_PASSWORD', 'must be at least 8 characters');
      }
      return raw;
    })(),
    simulatorPassword: (() => {
      const raw = optionalText(env, 'SIMULATOR_PASSWORD');
      if (raw !== null && raw.length < 8) {
        throw new ConfigError('SIMULATOR_PASSWORD', 'must be at least 8 characters');
      }
      return raw;
    })(),
    trustProxy: trustProxy(env, 'TRUST_PROXY'),
    cookieSecure: flag(env, 'COOKIE_SECURE', false),
    allowedOrigins: origins(env, 'ALLOWED_ORIGINS'),
    http: {
      requestTimeoutMs: integer(env, 'HTTP_REQUEST_TIMEOUT_MS', 30_000, 1_000, 600_000),
      headersTimeoutMs: integer(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000, 500, 600_000),
      keepAliveTimeoutMs: integer(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 65_000, 1_000, 600_000),
      idleTimeoutMs: integer(env, 'HTTP_IDLE_TIMEOUT_MS', 120_000, 1_000, 3_600_000),
    },
    metricsToken: (() => {
      const raw = optionalText(env, 'METRICS_TOKEN');
      if (raw !== null && raw.length < 16) {
        throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters');
      }
      return raw;
    })(),
    webDistDir: path.resolve(text(env, 'WEB_DIST_DIR', path.join(repoRoot, 'apps/web/dist'))),
    map: mapTiles(env),
    webhooks: webhookSettings(env),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    bodyLimitBytes: 64 * 1024,
  };
  return deepFreeze(config);
}

/** OpenStreetMap's standard tiles: free under its tile usage policy (light use, attribution shown). */
const OSM_TILE_URL = 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';
const OSM_ATTRIBUTION =
  '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';

function mapTiles(env: Env): Config['map'] {
  const raw = text(env, 'MAP_TILE_URL', OSM_TILE_URL);
  const tileUrl = raw.toLowerCase() === 'off' ? null : url('MAP_TILE_URL', raw, ['http:', 'https:']);
  if (tileUrl !== null && !['{z}', '{x}', '{y}'].every((part) => tileUrl.includes(part))) {
    throw new ConfigError('MAP_TILE_URL', `must contain {z}, {x} and {y}, got "${raw}"`);
  }
  return {
    tileUrl,
    tileAttribution: text(env, 'MAP_TILE_ATTRIBUTION', tileUrl === OSM_TILE_URL ? OSM_ATTRIBUTION : ''),
    tileMaxZoom: integer(env, 'MAP_TILE_MAX_ZOOM', 19, 1, 22),
  };
}

function webhookSettings(env: Env): WebhookSettings {
  const secretKey = optionalText(env, 'WEBHOOK_SECRET_KEY');
  if (secretKey !== null && Buffer.from(secretKey, 'base64').length !== 32) {
    throw new ConfigError('WEBHOOK_SECRET_KEY', 'must be 32 bytes in base64 (openssl rand -base64 32)');
  }
  const backoffBaseMs = integer(env, 'WEBHOOK_BACKOFF_BASE_MS', 30_000, 10, 3_600_000);
  const backoffMaxMs = integer(env, 'WEBHOOK_BACKOFF_MAX_MS', 3_600_000, 10, 86_400_000);
  if (backoffMaxMs < backoffBaseMs) {
    throw new ConfigError(
      'WEBHOOK_BACKOFF_MAX_MS',
      `must be at least WEBHOOK_BACKOFF_BASE_MS (${backoffBaseMs}), got ${backoffMaxMs}`,
    );
  }
  const concurrency = integer(env, 'WEBHOOK_CONCURRENCY', 32, 1, 1_000);
  return {
    allowPrivate: flag(env, 'WEBHOOK_ALLOW_PRIVATE', false),
    secretKey,
    timeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
    backoffBaseMs,
    backoffMaxMs,
    retryWindowMs: integer(env, 'WEBHOOK_RETRY_HOURS', 24, 1, 24 * 30) * 3600_000,
    disableAfterMs: integer(env, 'WEBHOOK_DISABLE_AFTER_HOURS', 72, 1, 24 * 90) * 3600_000,
    logRetentionMs: integer(env, 'WEBHOOK_LOG_RETENTION_DAYS', 30, 1, 3650) * 86_400_000,
    sweepIntervalMs: integer(env, 'WEBHOOK_SWEEP_INTERVAL_MS', 1_000, 10, 60_000),
    concurrency,
    endpointConcurrency: Math.min(concurrency, integer(env, 'WEBHOOK_ENDPOINT_CONCURRENCY', 2, 1, 100)),
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) {
      deepFreeze(inner);
    }
    Object.freeze(value);
  }
  return value;
}
