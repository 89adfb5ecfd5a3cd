import { Kysely, MysqlDialect } from 'kysely';
import { createPool, format, type SqlValue } from 'mysql2';
import { guardDialect } from './guarded-dialect';
import { localInfiles } from './local-infile';
import type { QueryTimeouts } from './query-timeout';
import type { Database } from './schema';
import { KyselyShardPool, shardLabel, type Shard } from './shard-pool';
import { pipelineTransactions } from './pipelined-transactions';
import { timedMysqlPool } from './timed-mysql-pool';

export interface MysqlShardPoolOptions {
  urls: readonly string[];
  connectionsPerShard: number;
  /** A query unanswered past this fails with 503 and its connection is destroyed (default 5 s and 10 min). */
  timeouts?: QueryTimeouts;
}

const ID_STRING = /^[1-9]\d{15,18}$/;
const MAX_BIGINT = (1n << 63n) - 1n;

/**
 * A decimal ID string as a BIGINT parameter; anything else unchanged. MySQL
 * compares a BIGINT column with a quoted string as doubles, which makes
 * 19-digit IDs that differ in their last digits compare equal, so the MySQL
 * shards bind every parameter through this (their `queryFormat`) and each ID
 * comparison is exact. Shorter digit strings (phone numbers) stay strings.
 */
function asBigIntIfId(value: unknown): unknown {
  if (typeof value === 'string' && ID_STRING.test(value)) {
    const big = BigInt(value);
    return big <= MAX_BIGINT ? big : value;
  }
  return value;
}

const DEFAULT_TIMEOUTS: QueryTimeouts = { queryMs: 5_000, longQueryMs: 600_000 };

/**
 * mysql2's own formatting, with decimal ID strings bound as BIGINT (see
 * `asBigIntIfId`), except that a statement with no values is sent as it is:
 * scanning a megabyte of bulk INSERT for placeholders that cannot be there
 * cost a tenth of a generation worker's CPU. Binding IDs here rather than in a
 * Kysely plugin spares every query a copy of its whole operation tree.
 */
export function formatQuery(query: string, values: unknown): string {
  if (!Array.isArray(values) || values.length === 0) {
    return query;
  }
  return format(query, values.map(asBigIntIfId) as SqlValue[], false, 'Z');
}

/**
 * Cluster mode: one MySQL/MariaDB database per physical shard, each with its
 * own pool. Nothing waits on a hung server for long: a new connection gives up
 * after 3 s, a query after its timeout (and its connection is destroyed, so
 * the pool heals by itself once the server answers again).
 */
export class MysqlShardPool extends KyselyShardPool {
  readonly shards: readonly Shard[];

  constructor(options: MysqlShardPoolOptions) {
    super();
    this.shards = options.urls.map((url, index) => {
      const label = shardLabel(index);
      const parsed = new URL(url);
      const pool = createPool({
        host: parsed.hostname,
        port: parsed.port === '' ? 3306 : Number(parsed.port),
        user: decodeURIComponent(parsed.username),
        password: decodeURIComponent(parsed.password),
        database: decodeURIComponent(parsed.pathname.replace(/^\//, '')),
        connectionLimit: options.connectionsPerShard,
        // Fail fast rather than queueing behind a dead server.
        connectTimeout: 3000,
        waitForConnections: true,
        queueLimit: 0,
        supportBigNumbers: true,
        bigNumberStrings: false,
        decimalNumbers: true,
        timezone: 'Z',
        charset: 'utf8mb4_unicode_ci',
        enableKeepAlive: true,
        queryFormat: formatQuery,
        // Statements go as text (Kysely's driver calls query(), formatted here): none is ever prepared,
        // and mysql2 would otherwise allocate its prepared-statement cache for 16,000 on every connection.
        maxPreparedStatements: 16,
        // A transaction's held-back writes travel with its next statement or its COMMIT (ADR 0034). No
        // request text ever becomes SQL: values are bound by Kysely or rendered by mysql2's escaping.
        multipleStatements: true,
        // LOAD DATA LOCAL INFILE reads only streams registered for it, never a file (see local-infile).
        infileStreamFactory: localInfiles.open,
      });
      return {
        index,
        label,
        dialect: 'mysql' as const,
        db: new Kysely<Database>({
          dialect: guardDialect(
            pipelineTransactions(
              new MysqlDialect({ pool: timedMysqlPool(pool, options.timeouts ?? DEFAULT_TIMEOUTS) }),
            ),
            label,
          ),
        }),
      };
    });
  }
}
