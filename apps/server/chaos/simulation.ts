import { spawn, type ChildProcess } from 'node:child_process';
import { repoRoot } from '../test/support/processes';
import type { Profile } from './profile';

/**
 * The shipped simulator (`loadline simulate`) as its own process against
 * nginx: drivers who go online, ping, accept and deliver, and customers who
 * book, for the whole run.
 */
export class Simulation {
  readonly output: string[] = [];

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
  }

  static start(url: string, env: Record<string, string>, profile: Profile): Simulation {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'apps/server/src/main.ts',
        'simulate',
        '--url',
        url,
        '--drivers',
        String(profile.drivers),
        '--customers',
        String(profile.customers),
        '--booking-rate',
        String(profile.bookingsPerMinute),
        '--time-scale',
        String(profile.timeScale),
        '--seed',
        '7',
      ],
      { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return new Simulation(child);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM (drivers go offline, sockets close), then SIGKILL if it takes longer than `timeoutMs`. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (!this.running) {
      return;
    }
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  /** The simulator's closing summary, or its last lines when it has none. */
  summary(): string {
    const text = this.output.join('');
    const at = text.lastIndexOf('simulated ');
    return at === -1 ? text.split('\n').slice(-5).join('\n') : text.slice(at).trim();
  }
}
