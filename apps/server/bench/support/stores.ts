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
