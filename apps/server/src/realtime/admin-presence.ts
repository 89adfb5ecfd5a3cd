import type { Cache } from '../platform/cache/cache.port';
import type { Logger } from '../lib/logger';
import { rooms } from '../platform/realtime/realtime-sink.port';
import type { LoadlineServer } from './socket-server';

const PRESENT_KEY = 'admins:present';
const BEAT_MS = 1_000;
const PRESENT_SECONDS = 3;

/**
 * Whether any admin is connected to any realtime process: each process with
 * an admin socket renews a short-lived cache key every second. The live feeds
 * skip the overview (a count on every shard each second) while nobody watches.
 */
export class AdminPresence {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: { io: LoadlineServer; cache: Cache; logger: Logger }) {}

  start(): void {
    this.timer = setInterval(() => {
      this.beat().catch((error: unknown) =>
        this.deps.logger.warn({ err: error }, 'admin presence not renewed'),
      );
    }, BEAT_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Renews the presence key when this process holds an admin socket. */
  async beat(): Promise<void> {
    const local = this.deps.io.of('/').adapter.rooms.get(rooms.admin)?.size ?? 0;
    if (local > 0) {
      await this.deps.cache.set(PRESENT_KEY, '1', PRESENT_SECONDS);
    }
  }
}

/** True while some realtime process has reported an admin socket in the last few seconds. */
export async function adminsPresent(cache: Cache): Promise<boolean> {
  return (await cache.get(PRESENT_KEY)) !== null;
}
