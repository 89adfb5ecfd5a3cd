import { TurnGroups } from '../../lib/turn-groups';
import type { Shard } from '../../platform/db/shard-pool';
import { groupByShard, type ShardRouter } from '../../platform/db/shard-router';
import type { OfferRow, OffersRepository } from './offers.repository';

/** Keys per statement: each is a primary-key range for the optimizer, which a huge OR would give up on. */
const MAX_KEYS_PER_READ = 100;

interface PendingRead {
  driverId: string;
  bookingId: string;
  resolve: (row: OfferRow | undefined) => void;
  reject: (error: unknown) => void;
}

/**
 * Reads offers by driver and booking, taking the reads asked for in one turn
 * of the event loop, or while the previous read was under way, together: one
 * statement per shard for the lot (a group read, as the outbox's consumed
 * marks are a group commit). Under load the projector pushes many offers at
 * once and reads them in a few statements; idle, each is read at once. A read
 * is never older than the call that asked for it.
 */
export class OfferReads {
  private readonly groups = new TurnGroups<PendingRead>((reads) => this.read(reads));

  constructor(
    private readonly router: ShardRouter,
    private readonly offers: Pick<OffersRepository, 'findMany'>,
  ) {}

  find(driverId: string, bookingId: string): Promise<OfferRow | undefined> {
    return new Promise((resolve, reject) => {
      this.groups.add({ driverId, bookingId, resolve, reject });
    });
  }

  private async read(reads: readonly PendingRead[]): Promise<void> {
    const byShard = groupByShard(this.router, reads, (read) => read.driverId);
    await Promise.all([...byShard].map(([shard, pending]) => this.readShard(shard, pending)));
  }

  private async readShard(shard: Shard, pending: readonly PendingRead[]): Promise<void> {
    const chunks: PendingRead[][] = [];
    for (let first = 0; first < pending.length; first += MAX_KEYS_PER_READ) {
      chunks.push(pending.slice(first, first + MAX_KEYS_PER_READ));
    }
    await Promise.all(chunks.map((chunk) => this.readChunk(shard, chunk)));
  }

  private async readChunk(shard: Shard, pending: readonly PendingRead[]): Promise<void> {
    try {
      const rows = await this.offers.findMany(shard.db, pending);
      const byKey = new Map(rows.map((row) => [keyOf(row.driver_id, row.booking_id), row]));
      for (const read of pending) {
        read.resolve(byKey.get(keyOf(read.driverId, read.bookingId)));
      }
    } catch (error) {
      for (const read of pending) {
        read.reject(error);
      }
    }
  }
}

function keyOf(driverId: string, bookingId: string): string {
  return `${driverId}:${bookingId}`;
}
