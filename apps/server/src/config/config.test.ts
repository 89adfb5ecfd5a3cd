import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('config', () => {
  it('is embedded with defaults when no cluster settings are given', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('embedded');
    expect(config.port).toBe(3000);
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(config.rateLimits.enabled).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.rateLimits)).toBe(true);
  });

  it('is cluster mode when both DATABASE_SHARDS and REDIS_URL are set', () => {
    const config = loadConfig({
      DATABASE_SHARDS: 'mysql://root@127.0.0.1:3306/a, mysql://root@127.0.0.1:3306/b',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(config.mode).toBe('cluster');
    expect(config.databaseShards).toEqual(['mysql://root@127.0.0.1:3306/a', 'mysql://root@127.0.0.1:3306/b']);
  });

  it('takes a comma-separated REDIS_URL as the seed nodes of a Redis Cluster, and refuses bad lists', () => {
    const shards = 'mysql://root@127.0.0.1:3306/a';
    const config = loadConfig({
      DATABASE_SHARDS: shards,
      REDIS_URL: 'redis://127.0.0.1:7101, redis://127.0.0.1:7102,redis://127.0.0.1:7103',
    });
    expect(config.redisUrl).toBe('redis://127.0.0.1:7101,redis://127.0.0.1:7102,redis://127.0.0.1:7103');
    expect(loadConfig({ DATABASE_SHARDS: shards, REDIS_URL: 'redis://127.0.0.1:6379/2' }).redisUrl).toBe(
      'redis://127.0.0.1:6379/2',
    );
    for (const bad of [
      'redis://127.0.0.1:7101,redis://127.0.0.1:7101',
      'redis://127.0.0.1:7101,redis://127.0.0.1:7102/3',
      'redis://127.0.0.1:7101,http://127.0.0.1:7102',
      ',',
    ]) {
      expect(() => loadConfig({ DATABASE_SHARDS: shards, REDIS_URL: bad }), bad).toThrow(/REDIS_URL/);
    }
  });

  it('names the missing half of the cluster settings', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(/DATABASE_SHARDS/);
    expect(() => loadConfig({ DATABASE_SHARDS: 'mysql://root@h/a' })).toThrow(/REDIS_URL/);
  });

  it('fails fast naming the bad variable', () => {
    const cases: [Record<string, string>, string][] = [
      [{ PORT: 'eighty' }, 'PORT'],
      [{ PORT: '70000' }, 'PORT'],
      [{ RATE_LIMITS: 'maybe' }, 'RATE_LIMITS'],
      [{ AUTH_RATE_LIMIT_IP: '10 per minute' }, 'AUTH_RATE_LIMIT_IP'],
      [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
      [{ DATABASE_SHARDS: 'postgres://x/y', REDIS_URL: 'redis://h' }, 'DATABASE_SHARDS'],
      [{ DATABASE_SHARDS: 'mysql://h/a', REDIS_URL: 'http://h' }, 'REDIS_URL'],
      [{ NODE_ID: '40' }, 'NODE_ID'],
    ];
    for (const [env, variable] of cases) {
      let caught: unknown;
      try {
        loadConfig(env);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).variable).toBe(variable);
    }
  });

  it('turns every rate limit off with RATE_LIMITS=off', () => {
    expect(loadConfig({ RATE_LIMITS: 'off' }).rateLimits.enabled).toBe(false);
  });

  it('parses rate rules as LIMIT/WINDOW_SECONDS', () => {
    expect(loadConfig({ AUTH_RATE_LIMIT_IP: '3/60' }).rateLimits.authPerIp).toEqual({
      limit: 3,
      windowSeconds: 60,
    });
  });

  it('reads the failed-login limits, with defaults, and the older AUTH_RATE_LIMIT_EMAIL as the per-email cap', () => {
    expect(loadConfig({}).rateLimits.login).toEqual({
      failuresBeforeLock: 5,
      lockSeconds: 60,
      maxLockSeconds: 900,
      memorySeconds: 43_200,
      perEmail: { limit: 100, windowSeconds: 3600 },
    });
    expect(
      loadConfig({
        AUTH_LOGIN_FAILURES_BEFORE_LOCK: '3',
        AUTH_LOGIN_LOCK_SECONDS: '30',
        AUTH_LOGIN_LOCK_MAX_SECONDS: '600',
        AUTH_LOGIN_FAILURE_MEMORY_SECONDS: '3600',
        AUTH_LOGIN_FAILURES_PER_EMAIL: '50/600',
        AUTH_RATE_LIMIT_EMAIL: '10/300',
      }).rateLimits.login,
    ).toEqual({
      failuresBeforeLock: 3,
      lockSeconds: 30,
      maxLockSeconds: 600,
      memorySeconds: 3600,
      perEmail: { limit: 50, windowSeconds: 600 },
    });
    expect(loadConfig({ AUTH_RATE_LIMIT_EMAIL: '20/300' }).rateLimits.login.perEmail).toEqual({
      limit: 20,
      windowSeconds: 300,
    });
  });

  it('refuses failed-login limits that contradict each other, naming the variable', () => {
    const cases: [Record<string, string>, string][] = [
      [{ AUTH_LOGIN_FAILURES_BEFORE_LOCK: '0' }, 'AUTH_LOGIN_FAILURES_BEFORE_LOCK'],
      [{ AUTH_LOGIN_LOCK_SECONDS: '120', AUTH_LOGIN_LOCK_MAX_SECONDS: '60' }, 'AUTH_LOGIN_LOCK_MAX_SECONDS'],
      [{ AUTH_LOGIN_FAILURE_MEMORY_SECONDS: '600' }, 'AUTH_LOGIN_FAILURE_MEMORY_SECONDS'],
      [{ AUTH_LOGIN_FAILURES_PER_EMAIL: '100 an hour' }, 'AUTH_LOGIN_FAILURES_PER_EMAIL'],
      [{ AUTH_RATE_LIMIT_EMAIL: 'ten' }, 'AUTH_RATE_LIMIT_EMAIL'],
    ];
    for (const [env, variable] of cases) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(`Invalid configuration: ${variable} `);
    }
  });
});
