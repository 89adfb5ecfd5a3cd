import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findProgram, spawnProgram } from './programs';
import { freePort } from './throwaway-services';

export const repoRoot = path.resolve(import.meta.dirname, '../../../..');

export interface RunningProcess {
  readonly url: string;
  readonly port: number;
  readonly output: string[];
  /** The process started (for a server with `--processes`, the primary). */
  readonly pid: number;
  /** SIGKILL: a crash, nothing is drained. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

async function waitForHttp(
  url: string,
  child: ChildProcess,
  output: string[],
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) {
        return;
      }
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) {
      throw new Error(`process exited with ${child.exitCode}: ${output.slice(-20).join('')}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * `loadline start` as its own process with the given environment, on a spare port
 * or on `port` (a restarted instance keeps its place behind nginx).
 */
export async function startServerProcess(
  env: Record<string, string>,
  roles = 'api,realtime,worker',
  port?: number,
  extraArgs: readonly string[] = [],
): Promise<RunningProcess> {
  port ??= await freePort();
  const output: string[] = [];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'apps/server/src/main.ts', 'start', '--roles', roles, ...extraArgs],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
        // A developer's .env in the repository must not change what the tests run against.
        ENV_FILE: 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/readyz`, child, output);
  return {
    url,
    port,
    output,
    pid: child.pid ?? 0,
    kill: async () => {
      child.kill('SIGKILL');
      await exited(child);
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}

/** nginx rendered from deploy/nginx/nginx.conf.template in front of `upstreamPorts`. */
export async function startNginx(upstreamPorts: readonly number[]): Promise<RunningProcess> {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'loadline-nginx-'));
  const port = await freePort();
  const template = fs.readFileSync(path.join(repoRoot, 'deploy/nginx/nginx.conf.template'), 'utf8');
  const config = template
    .replaceAll('{{PREFIX}}', prefix)
    .replaceAll('{{LISTEN}}', `127.0.0.1:${port}`)
    .replaceAll(
      '{{UPSTREAMS}}',
      upstreamPorts
        .map((upstream) => `    server 127.0.0.1:${upstream} max_fails=1 fail_timeout=10s;`)
        .join('\n'),
    );
  const file = path.join(prefix, 'nginx.conf');
  fs.writeFileSync(file, config);
  const output: string[] = [];
  const { child, failed } = spawnProgram(
    findProgram('nginx') ?? 'nginx',
    ['-p', prefix, '-c', file, '-g', 'daemon off;'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([failed, waitForHttp(`${url}/healthz`, child, output, 15_000)]);
  } catch (error) {
    fs.rmSync(prefix, { recursive: true, force: true });
    throw error;
  }
  const stop = async () => {
    child.kill('SIGQUIT');
    await exited(child);
    fs.rmSync(prefix, { recursive: true, force: true });
  };
  return { url, port, output, pid: child.pid ?? 0, kill: stop, stop };
}

/** This process's open sockets, read from an instance's /metrics. */
export async function socketCount(instanceUrl: string): Promise<number> {
  const text = await (await fetch(`${instanceUrl}/metrics`)).text();
  const match = /^loadline_socket_connections (\d+)/m.exec(text);
  return match === null ? 0 : Number(match[1]);
}
