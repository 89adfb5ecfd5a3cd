import type { Clock } from '../../lib/clock';
import type { Shard } from '../db/shard-pool';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Marks waiting to be written to one shard; key `null`: events whose shard is not known (every shard is asked). */
type Batch = Map<number | null, { ids: string[]; waiters: Waiter[] }>;

/**
 * Marks outbox events consumed, one UPDATE per shard for every mark asked
 * for while the previous write was under way (a group commit): under load the
 * batches grow with the database's latency, idle each mark is written at once.
 * `mark` resolves once its row is written, so a job that awaits it completes
 * only when its event can no longer be re-driven.
 */
export class ConsumedMarks {
  private next: Batch = new Map();
  private writing: Promise<void> | null = null;

  constructor(
    private readonly shards: readonly Shard[],
    private readonly clock: Clock,
  ) {}

  mark(shardIndex: number | null, eventId: string): Promise<void> {
    let entry = this.next.get(shardIndex);
    if (entry === undefined) {
      entry = { ids: [], waiters: [] };
      this.next.set(shardIndex, entry);
    }
    entry.ids.push(eventId);
    const { waiters } = entry;
    const written = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
    this.writing ??= this.writeBatches();
    return written;
  }

  private async writeBatches(): Promise<void> {
    // Let the marks asked for in this turn of the event loop join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.next.size > 0) {
      const batch = this.next;
      this.next = new Map();
      const now = this.clock.now();
      await Promise.all(
        [...batch].map(async ([index, { ids, waiters }]) => {
          try {
            await Promise.all(
              this.shards
                .filter((shard) => index === null || shard.index === index)
                .map((shard) =>
                  shard.db.updateTable('outbox').set({ consumed_at: now }).where('id', 'in', ids).execute(),
                ),
            );
            waiters.forEach((waiter) => waiter.resolve());
          } catch (error) {
            waiters.forEach((waiter) => waiter.reject(error));
          }
        }),
      );
    }
    this.writing = null;
  }
}
