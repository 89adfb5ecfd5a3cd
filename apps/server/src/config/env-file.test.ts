import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../test/support/throwaway-services';
import { ConfigError, loadConfig } from './config';
import { EnvFileError, loadEnvironment, parseEnvFile, withEnvFileValues } from './env-file';

const repoRoot = path.resolve(import.meta.dirname, '../../../..');
const made: string[] = [];

/** A fresh directory holding a `.env` (or the named file) with `text`. */
function directoryWith(text: string, name = '.env'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadline-env-'));
  made.push(dir);
  fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

afterEach(() => {
  for (const dir of made.splice(0)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('.env file parsing', () => {
  it('reads NAME=value lines, skipping blanks and comments, with export and inline comments', () => {
    const text = [
      '# Loadline on this laptop',
      '',
      'PORT=4000',
      'export LOG_LEVEL=debug',
      '  DATA_DIR = ./var/loadline   # next to the repo',
      'MAP_TILE_URL=https://tiles.example.com/{z}/{x}/{y}.png#no-comment-without-a-space',
      'EMPTY=',
      'PORT=4001',
    ].join('\n');
    expect(parseEnvFile(text)).toEqual({
      PORT: '4001',
      LOG_LEVEL: 'debug',
      DATA_DIR: './var/loadline',
      MAP_TILE_URL: 'https://tiles.example.com/{z}/{x}/{y}.png#no-comment-without-a-space',
      EMPTY: '',
    });
  });

  it('takes single quotes as written and reads escapes in double quotes, across lines too', () => {
    const text =
      "SINGLE='a #not a comment \\n $HOME'\r\n" +
      'DOUBLE="tab\\there \\"quoted\\" back\\\\slash" # comment\r\n' +
      'MULTI="first\nsecond"\n' +
      'ATTRIBUTION=&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>\n';
    expect(parseEnvFile(text)).toEqual({
      SINGLE: 'a #not a comment \\n $HOME',
      DOUBLE: 'tab\there "quoted" back\\slash',
      MULTI: 'first\nsecond',
      ATTRIBUTION: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
    });
  });

  it('names the file and the line of what it cannot read', () => {
    const cases: [string, RegExp][] = [
      ['PORT=1\nthis is not a setting', /^Invalid configuration: \/x\/\.env line 2: expected NAME=value/],
      ['1PORT=1', /line 1: "1PORT" is not a variable name/],
      ['A="open\nB=2', /line 1: the value of A has no closing "/],
      ["A='x' y", /line 1: unexpected "y" after the quoted value of A/],
    ];
    for (const [text, message] of cases) {
      expect(() => parseEnvFile(text, '/x/.env')).toThrow(EnvFileError);
      expect(() => parseEnvFile(text, '/x/.env')).toThrow(message);
    }
  });
});

describe('.env.example', () => {
  it('copied to .env as it ships, parses and sets every value to its default', () => {
    const values = parseEnvFile(fs.readFileSync(path.join(repoRoot, '.env.example'), 'utf8'));
    expect(Object.keys(values).length).toBeGreaterThan(30);
    expect(loadConfig(values)).toEqual(loadConfig({}));
  });
});

describe('.env precedence: environment over .env over defaults', () => {
  it('a variable of the environment wins over the file, even when empty; the file fills in the rest', () => {
    const merged = withEnvFileValues(
      { PORT: '5000', LOG_LEVEL: '', HOME: '/home/me' },
      { PORT: '4000', LOG_LEVEL: 'debug', DATA_DIR: './from-file' },
    );
    expect(merged).toEqual({ PORT: '5000', LOG_LEVEL: '', DATA_DIR: './from-file', HOME: '/home/me' });
  });

  it('the configuration takes the environment, then the .env file, then its defaults', () => {
    const dir = directoryWith('PORT=4000\nEMBEDDED_SHARDS=2\nOFFER_TTL_SECONDS=45\n');
    const { env, file } = loadEnvironment({ PORT: '5000' }, dir);
    expect(file).toBe(path.join(dir, '.env'));
    const config = loadConfig(env);
    expect(config.port).toBe(5000); // environment
    expect(config.embeddedShards).toBe(2); // .env
    expect(config.dispatch.offerTtlSeconds).toBe(45); // .env
    expect(config.dispatch.maxWaves).toBe(5); // default
  });

  it('a bad value in .env fails the start naming the variable, as one in the environment does', () => {
    const dir = directoryWith('PORT=eighty\n');
    expect(() => loadConfig(loadEnvironment({}, dir).env)).toThrow(/PORT must be a whole number/);
  });

  it('without a .env the environment is used as it is', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadline-env-'));
    made.push(dir);
    const env = { PORT: '5000' };
    expect(loadEnvironment(env, dir)).toEqual({ env, file: null });
  });

  it('ENV_FILE names another file; off reads none; a named file that is missing is an error', () => {
    const dir = directoryWith('PORT=4100\n', 'staging.env');
    fs.writeFileSync(path.join(dir, '.env'), 'PORT=4000\n');
    expect(loadEnvironment({ ENV_FILE: 'staging.env' }, dir).env.PORT).toBe('4100');
    expect(loadEnvironment({}, dir).env.PORT).toBe('4000');
    expect(loadEnvironment({ ENV_FILE: 'off' }, dir)).toEqual({ env: { ENV_FILE: 'off' }, file: null });
    expect(() => loadEnvironment({ ENV_FILE: 'missing.env' }, dir)).toThrow(ConfigError);
    expect(() => loadEnvironment({ ENV_FILE: 'missing.env' }, dir)).toThrow(
      /ENV_FILE names .*missing\.env, which does not exist/,
    );
  });
});

describe('loadline start with a .env file', () => {
  it('reads .env from its working directory: the file sets DATA_DIR, the environment PORT wins over the file', async () => {
    const [filePort, envPort] = [await freePort(), await freePort()];
    const dir = directoryWith(`PORT=${filePort}\nDATA_DIR=./data-from-env-file\nLOG_LEVEL=warn\n`);
    // The test runner's own variables must not decide: only what this test sets, and PATH.
    const child = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), path.join(repoRoot, 'apps/server/src/main.ts'), 'start'],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(envPort) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    try {
      const deadline = Date.now() + 60_000;
      let answered = false;
      while (!answered) {
        answered = await fetch(`http://127.0.0.1:${envPort}/healthz`).then(
          (response) => response.ok,
          () => false,
        );
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`loadline start did not come up: ${output.join('')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(fs.existsSync(path.join(dir, 'data-from-env-file'))).toBe(true);
      expect(fs.existsSync(path.join(dir, 'data'))).toBe(false);
      await expect(fetch(`http://127.0.0.1:${filePort}/healthz`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }
  });
});
