import type { Redis } from 'ioredis';
import { isRedisCluster, type RedisClient } from '../../src/platform/redis';

/**
 * ioredis enters monitoring mode once MONITOR's OK has been handled; a line of
 * other clients' traffic arriving with that OK (a shared Redis under other
 * tests' load) is taken for the reply of a command nobody sent and reported as
 * this error. Only lines from before the monitoring started are lost to it.
 */
const STARTUP_RACE = 'Command queue state error';

/** A MONITOR connection like `client`'s, resolved once it is monitoring. */
async function openMonitor(client: Redis): Promise<{ monitor: Redis; failures: Error[] }> {
  const monitor = client.duplicate({ monitor: true, lazyConnect: false });
  const failures: Error[] = [];
  await new Promise<void>((resolve, reject) => {
    monitor.on('error', (error: Error) => {
      if (error.message.startsWith(STARTUP_RACE)) {
        return;
      }
      failures.push(error);
      reject(error);
    });
    monitor.once('monitoring', () => resolve());
  }).catch((error: unknown) => {
    monitor.disconnect();
    throw error;
  });
  return { monitor, failures };
}

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
  const { monitor, failures } = await openMonitor(client);
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
  const [failure] = failures;
  if (failure !== undefined) {
    throw failure;
  }
  return seen;
}
