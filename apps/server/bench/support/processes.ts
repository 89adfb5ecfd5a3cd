import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Teardown steps, run once in reverse order of registration: at the normal
 * end, on an error, and on SIGINT/SIGTERM. Each step is bounded by its own
 * timeouts, so teardown always ends.
 */
export class Teardown {
  private readonly steps: { name: string; run: () => Promise<void> }[] = [];
  private running: Promise<void> | null = null;

  add(name: string, run: () => Promise<void>): void {
    this.steps.push({ name, run });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of [...this.steps].reverse()) {
        try {
          await step.run();
        } catch (error) {
          process.stderr.write(`teardown: ${step.name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
        }
      }
    })();
    return this.running;
  }

  /** Runs the teardown and exits on SIGINT/SIGTERM; returns a function that removes the handlers. */
  onSignals(): () => void {
    const handler = (signal: NodeJS.Signals): void => {
      process.stderr.write(`\n${signal}: stopping and cleaning up\n`);
      void this.run().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  }
}

/** A free TCP port on 127.0.0.1 (free when asked; good enough for a local bench). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') {
          reject(new Error('could not pick a free port'));
        } else {
          resolve(address.port);
        }
      });
    });
  });
}

const TAIL_LINES = 40;

/** A child Node process whose output is kept (last lines) rather than printed. */
export class NodeProcess {
  readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private lines = 0;
  private exitCode: number | null | undefined = undefined;
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    args: readonly string[],
    options: { cwd: string; env: NodeJS.ProcessEnv },
  ) {
    this.child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal === null ? null : -1);
        resolve();
      });
    });
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') {
          continue;
        }
        this.lines += 1;
        this.tail.push(line);
        if (this.tail.length > TAIL_LINES) {
          this.tail.shift();
        }
      }
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** How many output lines the process wrote (at LOG_LEVEL=warn: warnings and errors). */
  get outputLines(): number {
    return this.lines;
  }

  lastLines(): string {
    return this.tail.join('\n');
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) {
      return;
    }
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Polls `url` until it answers 200; fails early when the process exits, or after `timeoutMs`. */
export async function waitForOk(url: string, owner: NodeProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!owner.running) {
      throw new Error(`${owner.name} exited before ${url} was ready:\n${owner.lastLines()}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) {
        return;
      }
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(200);
  }
  throw new Error(`${url} was not ready after ${timeoutMs} ms (${last}):\n${owner.lastLines()}`);
}
