import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The Debian package of each program the tests, the benches and the chaos suite start. */
const PACKAGES: Readonly<Record<string, string>> = {
  nginx: 'nginx',
  mariadbd: 'mariadb-server',
  'mariadb-install-db': 'mariadb-server',
  'redis-server': 'redis-server',
  'redis-cli': 'redis-tools',
};

/** Where Debian puts daemons, which a non-root PATH often leaves out. */
const SYSTEM_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

/** The path of `name` on PATH or in the system directories; null when it is not installed. */
export function findProgram(name: string): string | null {
  const dirs = [
    ...(process.env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== ''),
    ...SYSTEM_DIRS,
  ];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** How to get the programs in `names`, for a message: "nginx (Debian: apt-get install nginx)". */
export function installHint(names: readonly string[]): string {
  const packages = [...new Set(names.map((name) => PACKAGES[name] ?? name))];
  return `${names.join(', ')} (Debian: apt-get install ${packages.join(' ')})`;
}

/** The error for a program that did not start: what was run and, when it is missing, where to get it. */
export function startFailure(command: string, error: NodeJS.ErrnoException): Error {
  const name = path.basename(command);
  return error.code === 'ENOENT'
    ? new Error(`${name} is not installed or not on PATH: install ${installHint([name])}`, { cause: error })
    : new Error(`${name} could not be started: ${error.message}`, { cause: error });
}

export interface SpawnedProgram {
  readonly child: ChildProcess;
  /**
   * Rejects with `startFailure` when the program cannot start (not installed, not
   * executable). Until then it stays pending; it never rejects unobserved.
   */
  readonly failed: Promise<never>;
}

/**
 * Starts a program the tests need. A program that cannot start raises an `error`
 * event on its child, which with no listener ends the whole run with a stack
 * trace; here it rejects `failed` instead, naming the program and its package.
 */
export function spawnProgram(
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): SpawnedProgram {
  const child = spawn(command, args, options);
  const failed = new Promise<never>((_resolve, reject) => {
    child.on('error', (error: NodeJS.ErrnoException) => reject(startFailure(command, error)));
  });
  // Whoever waits on the start races it; a failure after the start (a signal that could not be sent) is not fatal.
  failed.catch(() => undefined);
  return { child, failed };
}
