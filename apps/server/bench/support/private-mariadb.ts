import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { freePort } from './processes';

const run = promisify(execFile);
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const TAIL_LINES = 30;

/** InnoDB and server settings of a private MariaDB instance. */
export interface MariadbSettings {
  bufferPoolBytes: number;
  logFileBytes: number;
  flushLogAtTrxCommit: 0 | 1 | 2;
  maxConnections: number;
}

/**
 * Settings for a data set of millions of rows on one machine: a 6 GiB buffer
 * pool (at most 30 % of the RAM, so the server, Redis and the shared MariaDB
 * keep theirs), a 2 GiB redo log, the log flushed once a second rather than at
 * every commit, and room for several processes' connection pools.
 */
export function productionLikeSettings(totalMemoryBytes = os.totalmem()): MariadbSettings {
  const share = Math.floor((totalMemoryBytes * 0.3) / (128 * MiB)) * 128 * MiB;
  return {
    bufferPoolBytes: Math.max(256 * MiB, Math.min(6 * GiB, share)),
    logFileBytes: 2 * GiB,
    flushLogAtTrxCommit: 2,
    maxConnections: 500,
  };
}

/** `6G`, `1536M`: the form MariaDB's size options take. */
export function sizeOption(bytes: number): string {
  return bytes % GiB === 0 ? `${bytes / GiB}G` : `${Math.round(bytes / MiB)}M`;
}

/**
 * A MariaDB server of its own on a spare loopback port, with its data directory
 * under /var/tmp (on disk, unlike a tmpfs /tmp) and no binary log. Construct
 * it, register `stop()` for teardown, then `start()`: `stop()` works at any
 * point, kills the server and removes the directory. The data is thrown away,
 * so there is nothing to flush first.
 */
export class PrivateMariadb {
  /** Server options (besides paths and the port). */
  readonly options: readonly string[];
  private dir: string | null = null;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private installing: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly tail: string[] = [];
  private listenPort = 0;

  constructor(readonly settings: MariadbSettings) {
    this.options = [
      `--innodb-buffer-pool-size=${sizeOption(settings.bufferPoolBytes)}`,
      `--innodb-log-file-size=${sizeOption(settings.logFileBytes)}`,
      `--innodb-flush-log-at-trx-commit=${settings.flushLogAtTrxCommit}`,
      `--max-connections=${settings.maxConnections}`,
      '--skip-log-bin',
      '--skip-name-resolve',
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_ci',
    ];
  }

  /** Installs a fresh data directory, starts the server and creates `databases` (utf8mb4). */
  async start(databases: readonly string[]): Promise<void> {
    const dir = fs.mkdtempSync(path.join('/var/tmp', 'loadline-bench-mariadb-'));
    this.dir = dir;
    // The redo log is created at its final size here, not resized at the first start.
    this.installing = run('mariadb-install-db', [
      '--no-defaults',
      `--datadir=${dir}/data`,
      '--user=root',
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      `--innodb-log-file-size=${sizeOption(this.settings.logFileBytes)}`,
      // Its bootstrap server deletes every `#sql*` file in its tmpdir at start-up: in the shared /tmp
      // those are the temporary tables of queries the shared server is running.
      `--tmpdir=${dir}`,
    ]);
    await this.installing;
    if (this.stopped) {
      throw new Error('stopped while installing');
    }
    // Picked just before the spawn, so the port is most likely still free.
    this.listenPort = await freePort();
    const child = spawn(
      'mariadbd',
      [
        '--no-defaults',
        `--datadir=${dir}/data`,
        `--port=${this.listenPort}`,
        `--socket=${dir}/mariadb.sock`,
        `--pid-file=${dir}/mariadb.pid`,
        `--tmpdir=${dir}`,
        '--bind-address=127.0.0.1',
        '--user=root',
        ...this.options,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') {
          this.tail.push(line);
          if (this.tail.length > TAIL_LINES) {
            this.tail.shift();
          }
        }
      }
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    await this.createDatabases(databases);
  }

  get port(): number {
    return this.listenPort;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The data directory (null before `start`). */
  get dataDir(): string | null {
    return this.dir;
  }

  url(database: string): string {
    return `mysql://root@127.0.0.1:${this.listenPort}/${database}`;
  }

  /** Kills the server (SIGKILL) and removes its data directory. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.installing.catch(() => undefined);
    const child = this.child;
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
    await this.exited;
    if (this.dir !== null) {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  private async createDatabases(databases: readonly string[], timeoutMs = 120_000): Promise<void> {
    for (const name of databases) {
      if (!/^[a-z0-9_]+$/.test(name)) {
        throw new Error(`refusing an odd database name "${name}"`);
      }
    }
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.running()) {
        throw new Error(`mariadbd exited before it was ready:\n${this.tail.join('\n')}`);
      }
      try {
        const connection = await createConnection({
          host: '127.0.0.1',
          port: this.listenPort,
          user: 'root',
          connectTimeout: 2_000,
        });
        try {
          for (const name of databases) {
            await connection.query(
              `CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
            );
          }
          return;
        } finally {
          await connection.end();
        }
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await sleep(250);
    }
    throw new Error(`mariadbd was not ready after ${timeoutMs} ms (${last}):\n${this.tail.join('\n')}`);
  }
}
