import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createApp, type CreateAppOptions, type LoadlineApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config/config';
import { testPricingFile } from './pricing-fixture';
import { closeRedis, connectRedis } from '../../src/platform/redis';
import { leaseEpochKey } from '../../src/platform/db/node-lease';
import { deleteKeysByPrefix } from './redis-keys';
import { createDatabases, dropDatabases, withMysql } from './mysql';
import { copySchemaTemplate } from './schema-template';
import { isCluster, mysqlBaseUrl, redisUrl, uniquePrefix } from './tier';

export interface TestEnvironmentOptions {
  /** Physical shards (default 4). */
  shards?: number;
  /** Extra environment variables, as a deployment would set them. */
  env?: Record<string, string>;
  /**
   * Cluster tier: `migrated` (the default) copies the run's migrated schema
   * template into the fresh databases; `empty` leaves them empty, so the first
   * app runs every migration itself.
   */
  schema?: 'migrated' | 'empty';
}

/**
 * Private storage for one test file in the current tier: a temp data directory
 * (embedded) or fresh MySQL databases and a Redis key prefix (cluster). Apps
 * started from it share that storage, so a test can restart the server.
 */
export class TestEnvironment {
  private readonly apps = new Set<LoadlineApp>();

  private constructor(
    readonly env: Record<string, string>,
    private readonly databases: string[],
    private readonly dataDir: string | null,
    readonly redisPrefix: string | null,
  ) {}

  static async create(label: string, options: TestEnvironmentOptions = {}): Promise<TestEnvironment> {
    const shards = options.shards ?? 4;
    const base: Record<string, string> = {
      LOG_LEVEL: process.env.LOADLINE_TEST_LOG_LEVEL ?? 'silent',
      HOST: '127.0.0.1',
      PORT: '0',
      // Tests book all over India; '' in options.env gives the built-in one-city region.
      PRICING_FILE: testPricingFile(),
      ...options.env,
    };
    if (!isCluster) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `loadline-${label}-`));
      return new TestEnvironment(
        {
          ...base,
          DATA_DIR: dataDir,
          EMBEDDED_SHARDS: String(shards),
          WEB_DIST_DIR: path.join(dataDir, 'no-web'),
        },
        [],
        dataDir,
        null,
      );
    }
    const tag = `${label.replace(/[^a-z0-9]/gi, '').slice(0, 12)}_${randomBytes(3).toString('hex')}`;
    const databases = Array.from({ length: shards }, (_, index) => `lt_${tag}_${index}`);
    await withMysql((connection) => createDatabases(connection, databases));
    if ((options.schema ?? 'migrated') === 'migrated') {
      await copySchemaTemplate(databases);
    }
    const prefix = uniquePrefix(label);
    await seedLeaseEpoch(prefix);
    return new TestEnvironment(
      {
        ...base,
        DATABASE_SHARDS: databases.map((name) => `${mysqlBaseUrl}/${name}`).join(','),
        REDIS_URL: redisUrl,
        REDIS_PREFIX: prefix,
        DATABASE_POOL_SIZE: '4',
        // Every app a test closes waits up to 0.5 s for the adapter's read in progress; 0.1 s with this.
        SOCKET_ADAPTER_BLOCK_MS: '100',
        WEB_DIST_DIR: path.join(os.tmpdir(), 'loadline-no-web'),
      },
      databases,
      null,
      prefix,
    );
  }

  config(overrides: Record<string, string> = {}): Config {
    return loadConfig({ ...this.env, ...overrides });
  }

  /** Starts an app on this storage; it is closed by `destroy()` if the test does not close it. */
  async start(
    options: Partial<CreateAppOptions> & { env?: Record<string, string> } = {},
  ): Promise<LoadlineApp> {
    const app = await createApp({ ...options, config: options.config ?? this.config(options.env) });
    this.apps.add(app);
    const close = app.close.bind(app);
    return Object.assign(app, {
      close: async () => {
        this.apps.delete(app);
        await close();
      },
    });
  }

  async destroy(): Promise<void> {
    await Promise.allSettled([...this.apps].map((app) => app.close()));
    if (this.dataDir !== null) {
      fs.rmSync(this.dataDir, { recursive: true, force: true });
    }
    if (this.databases.length > 0) {
      await withMysql((connection) => dropDatabases(connection, this.databases));
    }
    if (this.redisPrefix !== null) {
      await deleteRedisPrefix(this.redisPrefix);
    }
  }
}

/**
 * As in a deployment whose Redis has kept its data a while, the ID node
 * leases' epoch began a minute ago: the first app need not wait out the
 * seconds a new epoch asks (NodeLease), since no process can have held a node
 * under this fresh prefix before.
 */
async function seedLeaseEpoch(prefix: string): Promise<void> {
  const redis = await connectRedis(redisUrl, 'test-env');
  try {
    const [seconds] = await redis.time();
    await redis.set(leaseEpochKey(prefix), String(Number(seconds) * 1000 - 60_000), 'NX');
  } finally {
    await closeRedis(redis);
  }
}

async function deleteRedisPrefix(prefix: string): Promise<void> {
  const redis = await connectRedis(redisUrl, 'test-cleanup');
  try {
    await deleteKeysByPrefix(redis, prefix);
  } finally {
    await closeRedis(redis);
  }
}
