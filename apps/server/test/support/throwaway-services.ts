import { execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { Redis } from 'ioredis';
import { spawnProgram, type SpawnedProgram } from './programs';
import { waitFor } from './wait';

const run = promisify(execFile);

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') {
          reject(new Error('no port'));
        } else {
          resolve(address.port);
        }
      });
    });
  });
}

interface Throwaway {
  readonly url: string;
  readonly port: number;
  /** Kills the server at once, as a crash would. */
  kill(): Promise<void>;
  /** Kills it if still running and removes its files. */
  dispose(): Promise<void>;
  /** Starts it again on the same port once killed (MariaDB keeps its data; Redis comes back empty). */
  restart(): Promise<void>;
  /** SIGSTOP: the server hangs with its connections open, as a stalled host does. */
  pause(): void;
  /** SIGCONT after `pause`. */
  resume(): void;
}

/** Throws once `child` has ended: a server that exited before it was ready is not waited for. */
function stillRunning(child: ChildProcess, name: string): void {
  if (child.exitCode !== null || child.signalCode !== null) {
    throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready`);
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

type Controls = Pick<Throwaway, 'kill' | 'restart' | 'pause' | 'resume'>;

/**
 * Starts a server with `start` and waits for `ready` (a server that cannot start
 * fails at once, naming its package), and gives the controls over whichever process runs now.
 */
async function supervise(
  start: () => SpawnedProgram,
  ready: (child: ChildProcess) => Promise<void>,
): Promise<Controls> {
  const started = async (): Promise<ChildProcess> => {
    const program = start();
    await Promise.race([program.failed, ready(program.child)]);
    return program.child;
  };
  let child = await started();
  const kill = async (): Promise<void> => {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited(child);
  };
  return {
    kill,
    restart: async () => {
      await kill();
      child = await started();
    },
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
  };
}

/**
 * A private MariaDB server on a spare port, for tests that must take a shard
 * down without touching the shared one.
 */
export async function startThrowawayMariadb(databases: readonly string[]): Promise<Throwaway> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadline-mariadb-'));
  const port = await freePort();
  await run('mariadb-install-db', [
    '--no-defaults',
    `--datadir=${dir}/data`,
    '--user=root',
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
    // The installer's bootstrap server cleans its tmpdir at start-up too (see below).
    `--tmpdir=${dir}`,
  ]);
  const start = (): SpawnedProgram =>
    spawnProgram(
      'mariadbd',
      [
        '--no-defaults',
        `--datadir=${dir}/data`,
        `--port=${port}`,
        `--socket=${dir}/mariadb.sock`,
        `--pid-file=${dir}/mariadb.pid`,
        // Its own temporary directory: at start-up a MariaDB server deletes every `#sql*` file in
        // its tmpdir, which in the shared /tmp are the temporary tables of queries other servers run.
        `--tmpdir=${dir}`,
        '--bind-address=127.0.0.1',
        '--user=root',
        '--innodb-buffer-pool-size=16M',
        '--skip-log-bin',
      ],
      { stdio: 'ignore' },
    );
  const url = `mysql://root@127.0.0.1:${port}`;
  const ready = (child: ChildProcess): Promise<void> =>
    waitFor(async () => {
      stillRunning(child, 'mariadbd');
      try {
        const connection = await createConnection({ host: '127.0.0.1', port, user: 'root' });
        for (const name of databases) {
          await connection.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4`);
        }
        await connection.end();
        return true;
      } catch {
        return false;
      }
    }, 30_000);
  const controls = await supervise(start, ready);
  return {
    url,
    port,
    ...controls,
    dispose: async () => {
      await controls.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A private Redis on a spare port that keeps nothing on disk. */
export async function startThrowawayRedis(): Promise<Throwaway> {
  const port = await freePort();
  const start = (): SpawnedProgram =>
    spawnProgram(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
  const url = `redis://127.0.0.1:${port}`;
  const ready = (child: ChildProcess): Promise<void> =>
    waitFor(async () => {
      stillRunning(child, 'redis-server');
      const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      // Refused connections are expected until the server listens.
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        await probe.ping();
        return true;
      } catch {
        return false;
      } finally {
        probe.disconnect();
      }
    }, 15_000);
  const controls = await supervise(start, ready);
  return { url, port, ...controls, dispose: controls.kill };
}

export interface ThrowawayRedisCluster {
  /** The seed nodes, comma-separated, as `REDIS_URL` takes them. */
  readonly url: string;
  readonly ports: readonly number[];
  /** SIGSTOP to the node on `port`: it hangs with its connections open, as a stalled host does. */
  pause(port: number): void;
  /** SIGCONT after `pause`. */
  resume(port: number): void;
  /** Kills every node and removes their files. */
  dispose(): Promise<void>;
}

/** A port that is free, with its cluster bus port (port + 10000) free too. */
async function freeClusterPort(taken: ReadonlySet<number>): Promise<number> {
  for (let tries = 0; tries < 50; tries += 1) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (!taken.has(port) && (await portIsFree(port)) && (await portIsFree(port + 10_000))) {
      return port;
    }
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A private Redis Cluster of `masters` masters (no replicas) on spare ports that
 * keeps nothing on disk: `redis-server --cluster-enabled yes` per node, then
 * `redis-cli --cluster create`; resolves once every node reports `cluster_state:ok`.
 */
export async function startThrowawayRedisCluster(masters = 3): Promise<ThrowawayRedisCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadline-redis-cluster-'));
  const ports: number[] = [];
  for (let index = 0; index < masters; index += 1) {
    ports.push(await freeClusterPort(new Set(ports)));
  }
  const nodes = ports.map((port) =>
    spawnProgram(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        path.join(dir, `nodes-${port}.conf`),
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ],
      { stdio: 'ignore' },
    ),
  );
  const children = nodes.map((node) => node.child);
  const dispose = async (): Promise<void> => {
    await Promise.all(
      children.map((child) => {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
        return exited(child);
      }),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const info = async (port: number, ...command: string[]): Promise<string> =>
    (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...command])).stdout;
  try {
    await Promise.race([
      ...nodes.map((node) => node.failed),
      waitFor(
        async () => {
          const replies = await Promise.all(ports.map((port) => info(port, 'ping').catch(() => '')));
          return replies.every((reply) => reply.trim() === 'PONG');
        },
        15_000,
        100,
      ),
    ]);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await waitFor(
      async () => {
        const states = await Promise.all(ports.map((port) => info(port, 'cluster', 'info').catch(() => '')));
        return states.every((state) => state.includes('cluster_state:ok'));
      },
      30_000,
      100,
    );
  } catch (error) {
    await dispose();
    throw error;
  }
  const signal = (port: number, name: NodeJS.Signals): void => {
    const child = children[ports.indexOf(port)];
    if (child === undefined) {
      throw new Error(`no cluster node on port ${port}`);
    }
    child.kill(name);
  };
  return {
    url: ports.map((port) => `redis://127.0.0.1:${port}`).join(','),
    ports,
    pause: (port) => signal(port, 'SIGSTOP'),
    resume: (port) => signal(port, 'SIGCONT'),
    dispose,
  };
}
