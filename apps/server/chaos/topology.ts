import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startNginx, startServerProcess, type RunningProcess } from '../test/support/processes';
import { startThrowawayMariadb, startThrowawayRedis } from '../test/support/throwaway-services';
import type { Profile } from './profile';

type Throwaway = Awaited<ReturnType<typeof startThrowawayRedis>>;

/** The programs the topology starts besides Node, each from its Debian package. */
export const REQUIRED_PROGRAMS = ['mariadb-install-db', 'mariadbd', 'redis-server', 'nginx'] as const;

/** The shard a fault takes down on its own lives on a second server, so the others keep serving. */
export const LONE_SHARD = 3;
const SHARDS = 4;

/**
 * The production topology on private servers: four shard databases (shards
 * 0-2 on one MariaDB, shard 3 on another), a Redis without persistence, two
 * `api,realtime` instances and one `worker` behind the shipped nginx.
 */
export class Topology {
  private constructor(
    readonly main: Throwaway,
    readonly lone: Throwaway,
    readonly redis: Throwaway,
    readonly shardUrls: readonly string[],
    readonly env: Record<string, string>,
    readonly instances: RunningProcess[],
    public worker: RunningProcess,
    readonly nginx: RunningProcess,
    private readonly dataDir: string,
  ) {}

  static async start(profile: Profile): Promise<Topology> {
    const names = Array.from({ length: SHARDS }, (_, index) => `chaos_${index}`);
    // What started so far, stopped again when a later step fails: nothing is left running.
    const started: { stop(): Promise<void> }[] = [];
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadline-chaos-'));
    try {
      const servers = await Promise.allSettled([
        startThrowawayMariadb(names.filter((_, index) => index !== LONE_SHARD)),
        startThrowawayMariadb([names[LONE_SHARD] ?? '']),
        startThrowawayRedis(),
      ]);
      for (const server of servers) {
        if (server.status === 'fulfilled') {
          started.push({ stop: server.value.dispose });
        }
      }
      const [main, lone, redis] = servers.map((server) => {
        if (server.status === 'rejected') {
          throw server.reason;
        }
        return server.value;
      });
      if (main === undefined || lone === undefined || redis === undefined) {
        throw new Error('a private server did not start');
      }
      const shardUrls = names.map((name, index) => `${(index === LONE_SHARD ? lone : main).url}/${name}`);
      const env: Record<string, string> = {
        DATABASE_SHARDS: shardUrls.join(','),
        DATABASE_POOL_SIZE: '4',
        REDIS_URL: redis.url,
        REDIS_PREFIX: 'chaos:',
        DATA_DIR: dataDir,
        WEB_DIST_DIR: path.join(dataDir, 'no-web'),
        TRUST_PROXY: 'on',
        RATE_LIMITS: 'off',
        LOG_LEVEL: 'error',
        OFFER_TTL_SECONDS: String(profile.offerTtlSeconds),
        DISPATCH_MAX_WAVES: String(profile.maxWaves),
        SCHEDULED_LEAD_MINUTES: '0',
        SIMULATOR_PASSWORD: 'chaos simulator password',
      };
      const serve = async (roles: string): Promise<RunningProcess> => {
        const running = await startServerProcess(env, roles);
        started.push(running);
        return running;
      };
      // The worker first: the first process applies the migrations.
      const worker = await serve('worker');
      const instances = [await serve('api,realtime'), await serve('api,realtime')];
      const nginx = await startNginx(instances.map((instance) => instance.port));
      return new Topology(main, lone, redis, shardUrls, env, instances, worker, nginx, dataDir);
    } catch (error) {
      await Promise.allSettled(started.reverse().map((running) => running.stop()));
      fs.rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  get url(): string {
    return this.nginx.url;
  }

  /** Every process answers /readyz with 200. */
  async ready(): Promise<boolean> {
    const answers = await Promise.all(
      [...this.instances, this.worker].map((process) =>
        fetch(`${process.url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
          (response) => response.status === 200,
          () => false,
        ),
      ),
    );
    return answers.every(Boolean);
  }

  async killWorker(): Promise<void> {
    await this.worker.kill();
  }

  async restartWorker(): Promise<void> {
    this.worker = await startServerProcess(this.env, 'worker');
  }

  async killInstance(index: number): Promise<void> {
    await this.instanceAt(index).kill();
  }

  /** Starts the instance again on its port, so nginx finds it where it was. */
  async restartInstance(index: number): Promise<void> {
    this.instances[index] = await startServerProcess(this.env, 'api,realtime', this.instanceAt(index).port);
  }

  /** The last lines every process wrote, for a failed run. */
  logs(lines = 20): string {
    return [...this.instances, this.worker]
      .map((process) => `--- ${process.url}\n${process.output.slice(-lines).join('')}`)
      .join('\n');
  }

  async stop(): Promise<void> {
    await this.nginx.stop().catch(() => undefined);
    await Promise.allSettled([...this.instances, this.worker].map((process) => process.stop()));
    await Promise.allSettled([this.main.dispose(), this.lone.dispose(), this.redis.dispose()]);
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  private instanceAt(index: number): RunningProcess {
    const instance = this.instances[index];
    if (instance === undefined) {
      throw new Error(`no instance ${index}`);
    }
    return instance;
  }
}
