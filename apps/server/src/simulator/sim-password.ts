import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config';

/** The file under DATA_DIR holding the simulated accounts' password when SIMULATOR_PASSWORD is unset. */
export const SIMULATOR_PASSWORD_FILE = 'simulator-password';

export type SimulatorPassword =
  | { password: string; source: 'environment' }
  | { password: string; source: 'file' | 'created'; file: string };

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}

function readKept(file: string): string {
  const password = fs.readFileSync(file, 'utf8').trim();
  if (password.length < 8) {
    throw new Error(`${file} holds a password under 8 characters; delete it or set SIMULATOR_PASSWORD`);
  }
  return password;
}

/**
 * The password every simulated account signs up and logs in with. Nothing is
 * committed: it is SIMULATOR_PASSWORD, or one made up on the first run and
 * kept in DATA_DIR (mode 0600), beside the embedded databases holding those
 * accounts, so reruns and `start --demo` after a restart log in to them again.
 */
export function simulatorPassword(config: Pick<Config, 'simulatorPassword' | 'dataDir'>): SimulatorPassword {
  if (config.simulatorPassword !== null) {
    return { password: config.simulatorPassword, source: 'environment' };
  }
  const file = path.join(config.dataDir, SIMULATOR_PASSWORD_FILE);
  try {
    return { password: readKept(file), source: 'file', file };
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) {
      throw error;
    }
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  const password = randomBytes(18).toString('base64url');
  // Written aside, then linked into place: a run starting at the same moment
  // finds either no file or a complete one, and the first link wins.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(draft, `${password}\n`, { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(draft, file);
  } catch (error) {
    if (isErrno(error, 'EEXIST')) {
      return { password: readKept(file), source: 'file', file };
    }
    throw error;
  } finally {
    fs.rmSync(draft, { force: true });
  }
  return { password, source: 'created', file };
}
