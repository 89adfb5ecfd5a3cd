import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';

function normalizeInteger(value: unknown): unknown {
  if (typeof value !== 'bigint') {
    return value;
  }
  return value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)
    ? value.toString()
    : Number(value);
}

/**
 * better-sqlite3 runs with safe integers so 64-bit IDs keep every digit; this
 * turns them into what mysql2 returns with `supportBigNumbers`: numbers when
 * they fit, decimal strings when they do not. Both dialects then look alike.
 */
export class SqliteIntegersPlugin implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const rows = args.result.rows.map((row) => {
      const out: UnknownRow = {};
      for (const [key, value] of Object.entries(row)) {
        out[key] = normalizeInteger(value);
      }
      return out;
    });
    return Promise.resolve({ ...args.result, rows });
  }
}
