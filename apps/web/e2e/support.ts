import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';

const execFileAsync = promisify(execFile);

export const repoRoot = path.resolve(import.meta.dirname, '../../..');
export const artifactsDir = path.join(repoRoot, 'artifacts/e2e');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export interface RunningServer {
  baseUrl: string;
  /** The server's own data directory (removed on stop). */
  dataDir: string;
  /** The environment the server runs with (PORT, DATA_DIR, ...). */
  env: Record<string, string>;
  /** Creates an admin through the CLI against this server's DATA_DIR (SQLite WAL lets it write alongside). */
  createAdmin(email: string, password: string): Promise<void>;
  stop(): Promise<void>;
}

export interface AdminAccount {
  email: string;
  password: string;
}

export interface StartServerOptions {
  env?: Record<string, string>;
  /** Admins created through `loadline admin create` before the server boots. */
  admins?: AdminAccount[];
}

/** Runs `loadline admin create` with the given environment (DATA_DIR decides which data it writes). */
async function runAdminCreate(env: Record<string, string>, admin: AdminAccount): Promise<void> {
  await execFileAsync(
    process.execPath,
    [
      '--import',
      'tsx',
      'apps/server/src/main.ts',
      'admin',
      'create',
      '--email',
      admin.email,
      '--password',
      admin.password,
    ],
    { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 60_000 },
  );
}

/** Starts `loadline start` in embedded mode on a spare port with its own data directory. */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadline-e2e-'));
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  for (const admin of options.admins ?? []) {
    await runAdminCreate(env, admin);
  }
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'apps/server/src/main.ts', 'start'],
    {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.ok) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`server did not come up on ${baseUrl}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    baseUrl,
    dataDir,
    env,
    createAdmin: (email, password) => runAdminCreate(env, { email, password }),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Debian's Chromium, headless, with the flags this machine needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-dev-shm-usage',
    ],
  });
}
