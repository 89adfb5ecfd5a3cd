import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('dependency timeouts in the configuration', () => {
  it('defaults to a few seconds for queries and Redis commands, and ten minutes for long work', () => {
    const config = loadConfig({});
    expect([
      config.databaseQueryTimeoutMs,
      config.databaseLongQueryTimeoutMs,
      config.redisCommandTimeoutMs,
    ]).toEqual([5_000, 600_000, 3_000]);
  });

  it('reads DB_QUERY_TIMEOUT_MS, DB_LONG_QUERY_TIMEOUT_MS and REDIS_COMMAND_TIMEOUT_MS', () => {
    const config = loadConfig({
      DB_QUERY_TIMEOUT_MS: '1500',
      DB_LONG_QUERY_TIMEOUT_MS: '90000',
      REDIS_COMMAND_TIMEOUT_MS: '800',
    });
    expect([
      config.databaseQueryTimeoutMs,
      config.databaseLongQueryTimeoutMs,
      config.redisCommandTimeoutMs,
    ]).toEqual([1_500, 90_000, 800]);
  });

  it('names the bad variable: not a number, out of range, or a long timeout shorter than the ordinary one', () => {
    const cases: [Record<string, string>, string][] = [
      [{ DB_QUERY_TIMEOUT_MS: 'soon' }, 'DB_QUERY_TIMEOUT_MS'],
      [{ DB_QUERY_TIMEOUT_MS: '10' }, 'DB_QUERY_TIMEOUT_MS'],
      [{ REDIS_COMMAND_TIMEOUT_MS: '0' }, 'REDIS_COMMAND_TIMEOUT_MS'],
      [{ DB_QUERY_TIMEOUT_MS: '20000', DB_LONG_QUERY_TIMEOUT_MS: '10000' }, 'DB_LONG_QUERY_TIMEOUT_MS'],
    ];
    for (const [env, variable] of cases) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
    }
  });
});
