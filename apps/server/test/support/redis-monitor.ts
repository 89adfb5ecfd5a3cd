import { isRedisCluster, type RedisClient } from '../../src/platform/redis';

/**
 * The commands `work` made a standalone Redis run, read from MONITOR: each as
 * its arguments (the command name lower-cased first), only those `keep`
 * accepts. Commands a script runs inside Redis are left out: they are not
 * round trips.
 */
export async function commandsDuring(
  client: RedisClient,
  keep: (args: readonly string[]) => boolean,
  work: () => Promise<void>,
): Promise<string[][]> {
  if (isRedisCluster(client)) {
    throw new Error('MONITOR needs a standalone Redis');
  }
  const monitor = await client.monitor();
  const seen: string[][] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (!source.includes('lua') && keep(args)) {
      seen.push([args[0]?.toLowerCase() ?? '?', ...args.slice(1)]);
    }
  });
  try {
    await work();
    // MONITOR reports a command after running it; let the stream catch up.
    await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    monitor.disconnect();
  }
  return seen;
}
