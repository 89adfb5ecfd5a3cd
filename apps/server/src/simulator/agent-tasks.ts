import { setTimeout as sleep } from 'node:timers/promises';
import { StoppedError } from './api-client';

/** A plan cut short on purpose (an offer revoked, a trip cancelled, a drive interrupted): not a failure. */
export class Interrupted extends Error {
  constructor(reason = 'interrupted') {
    super(reason);
    this.name = 'Interrupted';
  }
}

/** True for the ways a task ends on purpose rather than by failing. */
export function isDeliberateStop(error: unknown): boolean {
  return error instanceof Interrupted || error instanceof StoppedError;
}

/** How long stop() waits for work in flight (requests time out after 15 s). */
const DRAIN_TIMEOUT_MS = 20_000;

/**
 * The background work of one simulated person: every script and request runs
 * through `spawn`, so stop() can end the sleeps, wait for what is in flight,
 * and only then send the last requests (going offline). A failure is reported
 * once through `onError` and never reaches the event loop unhandled.
 */
export class AgentTasks {
  private readonly controller = new AbortController();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly onError: (what: string, error: unknown) => void) {}

  get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  /** Aborted at stop: pass it to anything that waits. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Runs `work` in the background; ignored once stopping. */
  spawn(what: string, work: () => Promise<void>): void {
    if (this.stopped) {
      return;
    }
    const task = work()
      .catch((error: unknown) => {
        if (!isDeliberateStop(error)) {
          this.onError(what, error);
        }
      })
      .finally(() => {
        this.running.delete(task);
      });
    this.running.add(task);
  }

  /** Throws StoppedError once stopping: call it before starting a new request in a script. */
  check(): void {
    if (this.stopped) {
      throw new StoppedError();
    }
  }

  /**
   * Waits `ms` of wall time. Rejects with StoppedError when the agent stops and
   * with Interrupted when `scope` (a trip, a drive, an offer) is aborted first.
   */
  async sleep(ms: number, scope?: AbortSignal): Promise<void> {
    this.check();
    if (scope?.aborted === true) {
      throw new Interrupted();
    }
    const signal = scope === undefined ? this.signal : AbortSignal.any([this.signal, scope]);
    try {
      await sleep(Math.max(0, ms), undefined, { signal });
    } catch {
      this.check();
      throw new Interrupted();
    }
  }

  /** Ends every sleep and waits (bounded) for the work in flight to finish. */
  async stop(): Promise<void> {
    this.controller.abort();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
    });
    // Tasks may spawn others while finishing; loop until none are left.
    while (this.running.size > 0) {
      const drained = Promise.allSettled([...this.running]).then(() => 'drained' as const);
      if ((await Promise.race([drained, timeout.then(() => 'timeout' as const)])) === 'timeout') {
        break;
      }
    }
    clearTimeout(timer);
  }
}
