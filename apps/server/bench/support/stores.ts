import { Redis } from 'ioredis';
import { createConnection } from 'mysql2/promise';

export const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root' } as const;
export const REDIS_URL = 'redis://127.0.0.1:6379';

/** Drops and creates each database on the local MariaDB, so every run starts empty. */
export async function recreateDatabases(names: readonly string[]): Promise<void> {
  const connection = await createConnection({ ...MARIADB, connectTimeout: 5_000 });
  try {
    for (const name of names) {
      if (!/^[a-z0-9_]+$/.test(name)) {
        throw new Error(`refusing an odd database name "${name}"`);
      }
      await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    }
  } finally {
    await connection.end();
  }
}

export function mysqlUrl(database: string): string {
  return `mysql://${MARIADB.user}@${MARIADB.host}:${MARIADB.port}/${database}`;
}

/** Deletes every Redis key under `prefix` (SCAN + UNLINK); returns how many went. */
export async function deleteRedisPrefix(prefix: string): Promise<number> {
  if (prefix.length < 4) {
    throw new Error(`refusing to delete under the short prefix "${prefix}"`);
  }
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000 });
  await redis.connect();
  try {
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) {
        deleted += await redis.unlink(...keys);
      }
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}

/** Server-wide counters of the local Redis and MariaDB (shared with any other client of theirs). */
export interface BackendCounters {
  redisCommands: number;
  /** Statements clients sent to MariaDB (`Questions`). */
  sqlStatements: number;
  /** `Com_*` counters of MariaDB: select, insert, update, delete, begin, commit, rollback. */
  sql: Record<string, number>;
  /** Calls per Redis command (`INFO commandstats`). */
  redis: Record<string, number>;
  /** Outbox rows in the given databases: every committed event (none is pruned within a run). */
  outboxEvents: number;
  /** Of those, the events whose consumers have not all run yet: work the server still owes. */
  unconsumedEvents: number;
  /**
   * Queue jobs due and not yet taken (waiting, prioritized, or delayed past their time) under
   * the queue prefix, by queue: the rest of the work the server still owes.
   */
  dueJobs: Record<string, number>;
}

/** BullMQ's delayed-set score: the due time in ms times 0x1000, plus a counter below it. */
const DELAYED_SCORE_FACTOR = 0x1000;

/** Jobs due and not taken, by queue, under `queuePrefix` (e.g. `llbench:123:`). */
async function dueJobs(redis: Redis, queuePrefix: string): Promise<Record<string, number>> {
  const due: Record<string, number> = {};
  const now = Date.now();
  for (const suffix of ['wait', 'prioritized', 'delayed']) {
    for await (const keys of redis.scanStream({ match: `${queuePrefix}*:${suffix}`, count: 1000 })) {
      for (const key of keys as string[]) {
        const queue = key.slice(queuePrefix.length, key.length - suffix.length - 1);
        const count =
          suffix === 'wait'
            ? await redis.llen(key)
            : suffix === 'prioritized'
              ? await redis.zcard(key)
              : await redis.zcount(key, 0, (now + 1) * DELAYED_SCORE_FACTOR - 1);
        due[queue] = (due[queue] ?? 0) + count;
      }
    }
  }
  return due;
}

const SQL_COUNTERS = [
  'Com_select',
  'Com_insert',
  'Com_update',
  'Com_delete',
  'Com_begin',
  'Com_commit',
  'Com_rollback',
];

export async function readBackendCounters(
  outboxDatabases: readonly string[] = [],
  queuePrefix: string | null = null,
): Promise<BackendCounters> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000 });
  const connection = await createConnection({ ...MARIADB, connectTimeout: 5_000 });
  try {
    await redis.connect();
    const [stats, commandStats] = await Promise.all([redis.info('stats'), redis.info('commandstats')]);
    const [rows] = await connection.query(
      `SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', ${SQL_COUNTERS.map((name) => `'${name}'`).join(', ')})`,
    );
    const status = new Map(
      (rows as { Variable_name: string; Value: string }[]).map((row) => [
        row.Variable_name,
        Number(row.Value),
      ]),
    );
    let outboxEvents = 0;
    let unconsumedEvents = 0;
    for (const database of outboxDatabases) {
      const [counted] = await connection.query(
        `SELECT COUNT(*) AS n, COALESCE(SUM(consumed_at IS NULL), 0) AS open FROM \`${database}\`.outbox`,
      );
      const [row] = counted as { n: number | string; open: number | string }[];
      outboxEvents += Number(row?.n ?? 0);
      unconsumedEvents += Number(row?.open ?? 0);
    }
    const redisCalls: Record<string, number> = {};
    for (const match of commandStats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      redisCalls[match[1] ?? '?'] = Number(match[2]);
    }
    return {
      redisCommands: Number(/total_commands_processed:(\d+)/.exec(stats)?.[1] ?? 0),
      sqlStatements: status.get('Questions') ?? 0,
      sql: Object.fromEntries(SQL_COUNTERS.map((name) => [name.slice(4), status.get(name) ?? 0])),
      redis: redisCalls,
      outboxEvents,
      unconsumedEvents,
      dueJobs: queuePrefix === null ? {} : await dueJobs(redis, queuePrefix),
    };
  } finally {
    redis.disconnect();
    await connection.end();
  }
}

/** Per-request rates of the counters' growth between two readings; Redis commands above 1 % of the total listed. */
export function backendPerRequest(
  before: BackendCounters,
  after: BackendCounters,
  requests: number,
): {
  redisCommands: number;
  sqlStatements: number;
  sql: Record<string, number>;
  redis: Record<string, number>;
  /** Events committed (outbox rows written) per request. */
  events: number;
} {
  const per = (value: number): number => Math.round((value / Math.max(1, requests)) * 100) / 100;
  const redisTotal = after.redisCommands - before.redisCommands;
  const redis = Object.entries(after.redis)
    .map(([name, calls]): [string, number] => [name, calls - (before.redis[name] ?? 0)])
    .filter(([, calls]) => calls > redisTotal * 0.01)
    .sort(([, a], [, b]) => b - a)
    .map(([name, calls]): [string, number] => [name, per(calls)]);
  return {
    redisCommands: per(redisTotal),
    sqlStatements: per(after.sqlStatements - before.sqlStatements),
    sql: Object.fromEntries(
      Object.entries(after.sql).map(([name, value]) => [name, per(value - (before.sql[name] ?? 0))]),
    ),
    redis: Object.fromEntries(redis),
    events: per(after.outboxEvents - before.outboxEvents),
  };
}
