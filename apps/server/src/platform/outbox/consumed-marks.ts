import type { Clock } from '../../lib/clock';
import { TurnGroups } from '../../lib/turn-groups';
import type { Shard } from '../db/shard-pool';

interface Mark {
  /** The event's shard; null when it is not known (every shard is asked). */
  shardIndex: number | null;
  eventId: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Marks outbox events consumed, one UPDATE per shard for every mark asked
 * for while the previous write was under way (a group commit): under load the
 * batches grow with the database's latency, idle each mark is written at once.
 * `mark` resolves once its row is written, so a job that awaits it completes
 * only when its event can no longer be re-driven.
 */
export class ConsumedMarks {
  private readonly groups = new TurnGroups<Mark>((marks) => this.write(marks));

  constructor(
    private readonly shards: readonly Shard[],
    private readonly clock: Clock,
  ) {}

  mark(shardIndex: number | null, eventId: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.groups.add({ shardIndex, eventId, resolve, reject });
    });
  }

  private async write(marks: readonly Mark[]): Promise<void> {
    const byShard = new Map<number | null, Mark[]>();
    for (const mark of marks) {
      const group = byShard.get(mark.shardIndex);
      if (group === undefined) {
        byShard.set(mark.shardIndex, [mark]);
      } else {
        group.push(mark);
      }
    }
    const now = this.clock.now();
    await Promise.all(
      [...byShard].map(async ([index, group]) => {
        const ids = group.map((mark) => mark.eventId);
        try {
          await Promise.all(
            this.shards
              .filter((shard) => index === null || shard.index === index)
              .map((shard) =>
                shard.db.updateTable('outbox').set({ consumed_at: now }).where('id', 'in', ids).execute(),
              ),
          );
          group.forEach((mark) => mark.resolve());
        } catch (error) {
          group.forEach((mark) => mark.reject(error));
        }
      }),
    );
  }
}
