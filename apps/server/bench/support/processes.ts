import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVER_NODE_FLAGS } from '../../src/http/node-flags';

/** Thrown at a phase boundary once teardown has begun (Ctrl-C): not a failure of the bench. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/**
 * Teardown steps, run once in reverse order of registration: at the normal
 * end, on an error, and on SIGINT/SIGTERM. Each step is bounded by its own
 * timeouts, so teardown always ends.
 */
export class Teardown {
  private readonly steps: { name: string; run: () => Promise<void> }[] = [];
  private running: Promise<void> | null = null;

  /** @param first runs before every step (e.g. stopping load generators). */
  constructor(private readonly first: () => void = () => undefined) {}

  /** True once teardown has begun (normal end, error or signal): start nothing new. */
  get started(): boolean {
    return this.running !== null;
  }

  /** Registers a step; after teardown has begun, the step runs at once instead. */
  add(name: string, run: () => Promise<void>): void {
    if (this.running !== null) {
      void runStep({ name, run });
      return;
    }
    this.steps.push({ name, run });
  }

  /** Throws when teardown has begun, so the bench stops between phases rather than starting the next. */
  assertActive(): void {
    if (this.running !== null) {
      throw new Interrupted();
    }
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      this.first();
      for (const step of [...this.steps].reverse()) {
        await runStep(step);
      }
    })();
    return this.running;
  }

  /** Runs the teardown and exits on SIGINT/SIGTERM; returns a function that removes the handlers. */
  /**
   * Runs the teardown on SIGINT/SIGTERM, then exits. Later signals are
   * swallowed: Ctrl-C often arrives twice (from the terminal and relayed by
   * tsx's parent), and a second one must not kill the process halfway
   * through its cleanup. Every teardown step ends by itself.
   */
  onSignals(): () => void {
    let stopping = false;
    const handler = (signal: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write('already stopping: waiting for the teardown to finish\n');
        return;
      }
      stopping = true;
      process.stderr.write(`\n${signal}: stopping and cleaning up\n`);
      void this.run().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  }
}

async function runStep(step: { name: string; run: () => Promise<void> }): Promise<void> {
  try {
    await step.run();
  } catch (error) {
    process.stderr.write(
      `teardown: ${step.name} failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
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
const PINO_LEVELS: Readonly<Record<number, string>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** A child Node process whose output is kept (last lines) rather than printed. */
/**
 * Node's arguments for a Loadline server running `args` (e.g. `start`), with
 * the V8 flags the image starts servers with, after `before` (a profiler's).
 */
export function loadlineServerArgs(before: readonly string[], args: readonly string[]): string[] {
  return [...before, ...SERVER_NODE_FLAGS, '--import', 'tsx', 'apps/server/src/main.ts', ...args];
}

export class NodeProcess {
  readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private lines = 0;
  private readonly kinds = new Map<string, number>();
  private exitCode: number | null | undefined = undefined;
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    args: readonly string[],
    options: { cwd: string; env: NodeJS.ProcessEnv; stdin?: 'ignore' | 'pipe' },
  ) {
    this.child = spawn(process.execPath, args, {
      cwd: options.cwd,
      env: options.env,
      // A piped stdin lets the parent send commands; the child sees EOF when the parent dies.
      stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
    });
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
        this.countKind(line);
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

  /** Output lines grouped by level, message and error message (pino JSON), most frequent first. */
  lineKinds(): [string, number][] {
    return [...this.kinds.entries()].sort(([, a], [, b]) => b - a);
  }

  private countKind(line: string): void {
    let kind = line.slice(0, 120);
    try {
      const entry = JSON.parse(line) as {
        level?: number;
        module?: string;
        msg?: string;
        err?: { message?: string };
      };
      kind = [
        entry.level === undefined ? '' : (PINO_LEVELS[entry.level] ?? String(entry.level)),
        entry.module,
        entry.msg,
        entry.err?.message,
      ]
        .filter((part) => part !== undefined && part !== '')
        .join(' | ');
    } catch {
      // Not a pino line: keep its start as the kind.
    }
    if (this.kinds.has(kind) || this.kinds.size < 50) {
      this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1);
    }
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
