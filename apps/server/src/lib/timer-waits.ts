import { performance } from 'node:perf_hooks';

/** How often the watch's own timer runs. */
const TICK_MS = 100;
/** Waits shorter than this are ordinary scheduling, not worth keeping. */
const KEEP_ABOVE_MS = 2 * TICK_MS;
/** How long a kept wait is remembered (readers look back to their previous read). */
const KEEP_FOR_MS = 15 * 60_000;

/** A wait the watch's timer saw: how long, and when it ended (performance.now()). */
interface Wait {
  ms: number;
  endedAt: number;
}

/**
 * How long the event loop's timers wait. A loop can be busy answering I/O for
 * seconds while no timer runs (libuv's poll phase polls again, up to 48
 * rounds, while epoll keeps returning a full 1,024 ready sockets), and the
 * delay histogram, itself a timer, takes no reading meanwhile. One timer per
 * process records each wait longer than KEEP_ABOVE_MS as it ends; a reader
 * also counts the wait still going on as it reads.
 */
class TimerWatch {
  private ranAt = performance.now();
  private readonly waits: Wait[] = [];

  constructor() {
    setInterval(() => this.tick(), TICK_MS).unref();
  }

  /** The longest wait since `since` (performance.now()), counting one still going on at `now`. */
  longestSince(since: number, now = performance.now()): number {
    let longest = Math.max(0, now - this.ranAt - TICK_MS);
    for (const wait of this.waits) {
      if (wait.endedAt > since) {
        longest = Math.max(longest, wait.ms);
      }
    }
    return longest;
  }

  private tick(): void {
    const now = performance.now();
    const waited = now - this.ranAt - TICK_MS;
    this.ranAt = now;
    if (waited > KEEP_ABOVE_MS) {
      this.waits.push({ ms: waited, endedAt: now });
    }
    while (this.waits.length > 0 && (this.waits[0]?.endedAt ?? now) < now - KEEP_FOR_MS) {
      this.waits.shift();
    }
  }
}

let watch: TimerWatch | null = null;

/**
 * A reader of the process's timer waits: each call answers the longest wait
 * (ms) since this reader's previous call, or since it was made.
 */
export function timerWaitReader(): () => number {
  watch ??= new TimerWatch();
  const shared = watch;
  let readAt = performance.now();
  return () => {
    const now = performance.now();
    const longest = shared.longestSince(readAt, now);
    readAt = now;
    return longest;
  };
}
