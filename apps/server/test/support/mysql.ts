import { createConnection, type Connection } from 'mysql2/promise';
import { mysqlBaseUrl } from './tier';

/** One connection to the cluster tier's MariaDB/MySQL server, no database chosen, closed after `work`. */
export async function withMysql<T>(
  work: (connection: Connection) => Promise<T>,
  options: { connectTimeoutMs?: number } = {},
): Promise<T> {
  const url = new URL(mysqlBaseUrl);
  const connection = await createConnection({
    host: url.hostname,
    port: url.port === '' ? 3306 : Number(url.port),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    connectTimeout: options.connectTimeoutMs,
  });
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

/** Creates the databases, as the shards want them (utf8mb4, Unicode collation). */
export async function createDatabases(
  connection: Connection,
  names: readonly string[],
  options: { ifNotExists?: boolean } = {},
): Promise<void> {
  for (const name of names) {
    await connection.query(
      `CREATE DATABASE ${options.ifNotExists === true ? 'IF NOT EXISTS ' : ''}${quoted(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  }
}

/** Drops the databases that exist among `names`. */
export async function dropDatabases(connection: Connection, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await connection.query(`DROP DATABASE IF EXISTS ${quoted(name)}`);
  }
}

/** A database name as a quoted identifier (names here are made by the test support: letters, digits, `_`). */
export function quoted(name: string): string {
  if (!/^\w+$/.test(name)) {
    throw new Error(`unexpected database or table name: ${name}`);
  }
  return `\`${name}\``;
}
