import { describe, expect, it } from 'vitest';
import { findProgram, installHint, spawnProgram } from './programs';

describe('programs the tests start', () => {
  it('finds an installed program and answers null for a missing one', () => {
    expect(findProgram('sh')).toMatch(/\/sh$/);
    expect(findProgram('loadline-no-such-program')).toBeNull();
  });

  it('names the Debian package of each program in a hint', () => {
    expect(installHint(['mariadbd', 'mariadb-install-db', 'nginx'])).toBe(
      'mariadbd, mariadb-install-db, nginx (Debian: apt-get install mariadb-server nginx)',
    );
  });

  it('turns a program that cannot start into a rejection naming it, not an unhandled error event', async () => {
    const { child, failed } = spawnProgram('redis-server', [], {
      stdio: 'ignore',
      env: { PATH: '/loadline-nowhere' },
    });
    // Without spawnProgram's listener this error event would end the test run.
    await expect(failed).rejects.toThrow(
      'redis-server is not installed or not on PATH: install redis-server (Debian: apt-get install redis-server)',
    );
    expect(child.exitCode).not.toBeNull();
  });

  it('stays pending while the program runs', async () => {
    const { child, failed } = spawnProgram(process.execPath, ['-e', 'setTimeout(() => {}, 200)'], {
      stdio: 'ignore',
    });
    const outcome = await Promise.race([
      failed.then(
        () => 'settled',
        () => 'rejected',
      ),
      new Promise((resolve) => child.once('exit', () => resolve('exited'))),
    ]);
    expect(outcome).toBe('exited');
  });
});
