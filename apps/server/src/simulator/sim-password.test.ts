import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/config';
import { customerSignup, driverSignup } from './sim-accounts';
import { SIMULATOR_PASSWORD_FILE, simulatorPassword } from './sim-password';

describe('the simulated accounts’ password', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadline-simpw-'));
  });

  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is SIMULATOR_PASSWORD when that is set, and no file is written', () => {
    const config = loadConfig({ DATA_DIR: dataDir, SIMULATOR_PASSWORD: 'from the environment' });
    expect(simulatorPassword(config)).toEqual({ password: 'from the environment', source: 'environment' });
    expect(fs.existsSync(path.join(dataDir, SIMULATOR_PASSWORD_FILE))).toBe(false);
  });

  it('is made up on the first run, kept in DATA_DIR for its owner only, and read back on the next', () => {
    const config = loadConfig({ DATA_DIR: path.join(dataDir, 'not-yet-there') });
    const file = path.join(config.dataDir, SIMULATOR_PASSWORD_FILE);
    const first = simulatorPassword(config);
    expect(first).toEqual({
      password: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/) as string,
      source: 'created',
      file,
    });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(simulatorPassword(config)).toEqual({ password: first.password, source: 'file', file });
    // Another data directory (another deployment) gets its own.
    const other = simulatorPassword(loadConfig({ DATA_DIR: dataDir }));
    expect(other.password).not.toBe(first.password);
  });

  it('refuses a kept password under 8 characters, naming the file', () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    fs.writeFileSync(path.join(dataDir, SIMULATOR_PASSWORD_FILE), 'short\n', { mode: 0o600 });
    expect(() => simulatorPassword(config)).toThrow(
      `${path.join(dataDir, SIMULATOR_PASSWORD_FILE)} holds a password under 8 characters`,
    );
  });

  it('SIMULATOR_PASSWORD under 8 characters fails the configuration', () => {
    let caught: unknown;
    try {
      loadConfig({ SIMULATOR_PASSWORD: 'short' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(caught).toMatchObject({ variable: 'SIMULATOR_PASSWORD' });
  });

  it('is what every simulated account signs up with; none is written in the code', () => {
    expect(driverSignup(1, 'this run’s password').password).toBe('this run’s password');
    expect(customerSignup(2, 'this run’s password').password).toBe('this run’s password');
  });
});
