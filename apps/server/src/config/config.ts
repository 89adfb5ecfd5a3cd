import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Boot configuration. `loadConfig` is the only reader of the environment; the
 * rest of the server receives the frozen object it returns.
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
  readonly redisUrl: string | null;
  /** Prefix of every Redis key and channel, so several deployments can share one Redis. */
  readonly redisPrefix: string;
  /** Fixed node number for the ID generator; null leases one at boot. */
  readonly nodeId: number | null;
  readonly sessionTtlSeconds: number;
  readonly rateLimits: {
    readonly enabled: boolean;
    readonly authPerIp: RateRule;
    readonly authPerEmail: RateRule;
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
    /** Drivers whose last position is older than this are not offered jobs (their app may be gone). */
    readonly maxPositionAgeSeconds: number;
    /** Scheduled bookings start searching this long before their time. */
    readonly scheduledLeadMinutes: number;
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
  readonly trustProxy: boolean;
  readonly cookieSecure: boolean;
  readonly webDistDir: string;
  readonly shutdownTimeoutMs: number;
  readonly bodyLimitBytes: number;
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
    redisUrl: redisRaw === null ? null : url('REDIS_URL', redisRaw, ['redis:', 'rediss:']),
    redisPrefix: text(env, 'REDIS_PREFIX', 'loadline:'),
    nodeId: nodeIdRaw === null ? null : integer(env, 'NODE_ID', 0, 0, 30),
    sessionTtlSeconds: integer(env, 'SESSION_TTL_HOURS', 720, 1, 24 * 365) * 3600,
    rateLimits: {
      enabled: flag(env, 'RATE_LIMITS', true),
      authPerIp: rateRule(env, 'AUTH_RATE_LIMIT_IP', { limit: 30, windowSeconds: 60 }),
      authPerEmail: rateRule(env, 'AUTH_RATE_LIMIT_EMAIL', { limit: 10, windowSeconds: 300 }),
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
      maxPositionAgeSeconds: integer(env, 'DISPATCH_MAX_POSITION_AGE_SECONDS', 120, 10, 86_400),
      scheduledLeadMinutes: integer(env, 'SCHEDULED_LEAD_MINUTES', 15, 0, 24 * 60),
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
    trustProxy: flag(env, 'TRUST_PROXY', false),
    cookieSecure: flag(env, 'COOKIE_SECURE', false),
    webDistDir: path.resolve(text(env, 'WEB_DIST_DIR', path.join(repoRoot, 'apps/web/dist'))),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    bodyLimitBytes: 64 * 1024,
  };
  return deepFreeze(config);
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
