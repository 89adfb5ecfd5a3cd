/**
 * Which tier the test run is: `embedded` (no external service; `npm test`) or
 * `cluster` (MariaDB shards and Redis; `npm run test:cluster`). Tests that need
 * Redis or MySQL run only in the cluster tier, and there they never skip: the
 * global setup fails the run when a service is unreachable.
 */
export type TestTier = 'embedded' | 'cluster';

export const tier: TestTier = process.env.LOADLINE_TEST_TIER === 'cluster' ? 'cluster' : 'embedded';

export const isCluster = tier === 'cluster';

/** Base URL of the MariaDB/MySQL server the cluster tier uses. */
export const mysqlBaseUrl = process.env.LOADLINE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

/** Redis the cluster tier uses. Each test file isolates itself with its own key prefix. */
export const redisUrl = process.env.LOADLINE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix unique to this test file's run, so parallel files never share Redis keys. */
export function uniquePrefix(label: string): string {
  return `lltest:${label}:${process.pid}:${Math.random().toString(36).slice(2, 8)}:`;
}
