import { spawn, type ChildProcess } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { freePort } from '../../test/support/throwaway-services';
import { isCluster, redisUrl } from '../../test/support/tier';
import { waitFor } from '../../test/support/wait';
import { createLogger } from '../lib/logger';
import {
  closeRedis,
  connectRedis,
  createRedis,
  isRedisCluster,
  redisKey,
  redisScript,
  runScript,
  type RedisClient,
} from './redis';

// Connection errors are the point of these tests; keep them out of the output.
const logger = createLogger('silent');

describe('redisKey', () => {
  it('joins the parts under the prefix', () => {
    expect(redisKey('loadline:', 'sess', 'abc')).toBe('loadline:sess:abc');
    expect(redisKey('loadline:', 'geo', 'van', 'x')).toBe('loadline:geo:van:x');
  });
});

describe('connecting to an unreachable Redis', () => {
  it('connectRedis rejects instead of waiting forever', async () => {
    await expect(
      connectRedis('redis://127.0.0.1:1', 'unreachable', { logger, timeoutMs: 500 }),
    ).rejects.toThrow(/not ready within 500 ms/);
  });

  it('closeRedis ends a client that never connected', async () => {
    const redis = createRedis('redis://127.0.0.1:1', 'unreachable', { logger });
    await closeRedis(redis);
    await closeRedis(redis);
    expect(redis.status).toBe('end');
  });
});

describe.runIf(isCluster)('createRedis', () => {
  function startServer(port: number): ChildProcess {
    return spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
  }

  async function stopServer(server: ChildProcess): Promise<void> {
    if (server.exitCode !== null || server.signalCode !== null) {
      return;
    }
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGKILL');
    await exited;
  }

  async function answers(redis: RedisClient): Promise<boolean> {
    try {
      await redis.ping();
      return true;
    } catch {
      return false;
    }
  }

  it('a command sent before the first connection waits for it', async () => {
    const redis = createRedis(redisUrl, 'early-command', { logger });
    try {
      expect(await redis.ping()).toBe('PONG');
    } finally {
      await closeRedis(redis);
    }
  });

  it('writes a script at once, while the auto-pipeline before it still waits for its reply', async () => {
    const redis = createRedis(redisUrl, 'scripts-at-once', { logger });
    try {
      await redis.ping();
      if (isRedisCluster(redis)) {
        throw new Error('this test needs a standalone Redis');
      }
      // Everything the client writes to its connection, in order (the spy still writes it).
      const write = vi.spyOn(redis.stream, 'write');
      const written = () => write.mock.calls.map(([chunk]) => String(chunk)).join('');
      // WAIT for a replica that does not exist holds this connection's pipeline for its whole timeout.
      const held = redis.wait(1, 300);
      await new Promise((resolve) => setImmediate(resolve));
      expect(written()).toContain('wait');

      const answered = runScript(redis, redisScript("return 'at once'"), [], []);
      const get = redis.get('scripts-at-once:nothing');
      await new Promise((resolve) => setImmediate(resolve));
      const sent = written();
      // The script went out behind the WAIT; the GET of the same turn waits for the pipeline in flight.
      expect(sent).toMatch(/evalsha/i);
      expect(sent).not.toContain('scripts-at-once:nothing');
      expect(await held).toBe(0);
      expect(await answered).toBe('at once');
      expect(await get).toBeNull();
    } finally {
      await closeRedis(redis);
    }
  });

  it('fails commands at once while Redis is down and recovers when it is back', async () => {
    const port = await freePort();
    let server = startServer(port);
    const redis = createRedis(`redis://127.0.0.1:${port}`, 'outage', { logger });
    try {
      await waitFor(() => answers(redis), 10_000);
      await redis.set('k', 'v');

      await stopServer(server);
      await waitFor(() => redis.status !== 'ready');
      // At once (the offline queue is off), and typed as an outage of Redis.
      const failure: unknown = await redis.get('k').catch((error: unknown) => error);
      expect(failure).toMatchObject({ status: 503, code: 'unavailable', details: { dependency: 'redis' } });
      expect(failure).toHaveProperty('cause.message', expect.stringMatching(/enableOfflineQueue/));

      server = startServer(port);
      await waitFor(() => answers(redis), 10_000);
      // A fresh server without persistence: the key went with the old one.
      expect(await redis.get('k')).toBeNull();
    } finally {
      await closeRedis(redis);
      await stopServer(server);
    }
  });

  it('a blocking client keeps its commands through an outage', async () => {
    const port = await freePort();
    let server = startServer(port);
    const redis = createRedis(`redis://127.0.0.1:${port}`, 'outage-blocking', { logger, forBlocking: true });
    try {
      await waitFor(() => answers(redis), 10_000);
      await stopServer(server);
      await waitFor(() => redis.status !== 'ready');

      const pending = redis.set('k', 'v');
      server = startServer(port);
      expect(await pending).toBe('OK');
      expect(await redis.get('k')).toBe('v');
    } finally {
      await closeRedis(redis);
      await stopServer(server);
    }
  });
});
