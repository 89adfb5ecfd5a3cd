import type { AdminDriver, AdminVehicle } from '@loadline/contracts';
import type { Clock } from '../../lib/clock';
import { errors } from '../../lib/errors';
import type { ListCache } from '../../platform/cache/list-cache';
import { isId } from '../../platform/db/ids';
import { compareIds, scatterGather, type ScatterPage, type SortKey } from '../../platform/db/scatter';
import type { ShardRouter } from '../../platform/db/shard-router';
import type { OutboxWriter } from '../../platform/outbox/outbox';
import type { SessionStore } from '../../platform/sessions/session-store.port';
import type { RealtimeSink } from '../../platform/realtime/realtime-sink.port';
import type { UsersRepository } from '../users/users.repository';
import { DRIVERS_LIST, dropDriverLists } from './driver-lists';
import type { DriverPresence } from './driver-presence';
import type { DriverLiveStore } from './driver-live.store';
import { DRIVER_SUSPENSION_CHANGED, type DriverSuspensionChanged } from '../events/driver-events';
import { presentAdminDriver, presentAdminVehicle, withLivePosition } from './drivers.presenter';
import type {
  AdminDriverRow,
  AdminDriverStatus,
  AdminVehicleRow,
  DriversRepository,
} from './drivers.repository';

const messages = {
  badCursor: 'cursor is not valid',
} as const;

export interface FleetAdminServiceDeps {
  router: ShardRouter;
  drivers: DriversRepository;
  users: UsersRepository;
  /** Live positions, overlaid on the stored ones. */
  live: DriverLiveStore;
  /** Takes a suspended driver out of the available set and off the live map. */
  presence: Pick<DriverPresence, 'refreshAvailability'>;
  sessions: SessionStore;
  /** Closes a suspended driver's sockets. */
  sink: RealtimeSink;
  outbox: OutboxWriter;
  clock: Clock;
  /** Admin list pages (drivers, users): the drivers list is read through it and dropped on a suspension. */
  lists?: ListCache;
  /** Called after a commit that wrote outbox events (wakes the relay). */
  onCommitted?: () => void;
}

/** The ID in a list cursor's key: decodeCursor refused digit strings past 2^63-1; other strings stop here. */
function idFromKey(key: SortKey | null): string | null {
  if (key === null) {
    return null;
  }
  const [id] = key;
  if (typeof id !== 'string' || !isId(id)) {
    throw errors.validation(messages.badCursor, { field: 'cursor' });
  }
  return id;
}

function newestFirst(a: SortKey, b: SortKey): number {
  return compareIds(String(b[0]), String(a[0]));
}

/** The admin's fleet views across every shard: drivers (with suspension) and vehicles. */
export class FleetAdminService {
  constructor(private readonly deps: FleetAdminServiceDeps) {}

  /** Every driver on every shard, newest first; `status` filters (the statuses partition the fleet). */
  async listDrivers(query: {
    status?: AdminDriverStatus | undefined;
    limit: number;
    cursor: string | null;
  }): Promise<ScatterPage<AdminDriver>> {
    const load = async (): Promise<ScatterPage<AdminDriver>> => {
      const rows = await scatterGather<AdminDriverRow>({
        shards: this.deps.router.shards,
        limit: query.limit,
        cursor: query.cursor,
        keyArity: 1,
        keyOf: (row) => [row.user_id],
        compare: newestFirst,
        fetch: (shard, after, limit) =>
          this.deps.drivers.listAdmin(shard.db, { status: query.status, beforeId: idFromKey(after), limit }),
      });
      return { items: rows.items.map(presentAdminDriver), nextCursor: rows.nextCursor };
    };
    // Pages come from the cache until a driver changes; live positions are overlaid on every read.
    const lists = this.deps.lists;
    const page = lists === undefined ? await load() : await lists.read(DRIVERS_LIST, query, load);
    const positions = await this.deps.live.readPositions(page.items.map((driver) => driver.id));
    return {
      items: page.items.map((driver, index) => withLivePosition(driver, positions[index] ?? null)),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * Suspends a driver or lifts the suspension. Suspending also takes the
   * driver offline and revokes every session; the account status follows
   * (`suspended`/`active`) in the same transaction, with an outbox event when
   * the flag actually changed. A trip the driver holds is left to the admin.
   */
  async setSuspended(driverId: string, suspended: boolean): Promise<AdminDriver> {
    const shard = this.deps.router.forId(driverId);
    const now = this.deps.clock.now();
    const changed = await shard.db.transaction().execute(async (trx) => {
      const row = await this.deps.drivers.findForUpdate(trx, driverId, shard.dialect);
      if (row === undefined) {
        throw errors.notFound('Driver');
      }
      await this.deps.drivers.setSuspended(trx, driverId, suspended, now);
      await this.deps.users.setStatus(trx, driverId, suspended ? 'suspended' : 'active', now);
      const flipped = (row.suspended === 1) !== suspended;
      if (flipped) {
        const payload: DriverSuspensionChanged = { driverId, suspended, at: now };
        await this.deps.outbox.append(trx, {
          topic: DRIVER_SUSPENSION_CHANGED,
          aggregateId: driverId,
          payload,
        });
      }
      return flipped;
    });
    if (changed) {
      this.deps.onCommitted?.();
    }
    if (suspended) {
      await this.deps.sessions.revokeAllForUser(driverId);
      await this.deps.sink.disconnectUser(driverId);
    }
    await this.deps.presence.refreshAvailability(driverId);
    await dropDriverLists(this.deps.lists);
    return this.adminDriver(driverId);
  }

  async adminDriver(driverId: string): Promise<AdminDriver> {
    const row = await this.deps.drivers.findAdmin(this.deps.router.forId(driverId).db, driverId);
    if (row === undefined) {
      throw errors.notFound('Driver');
    }
    const [position] = await this.deps.live.readPositions([driverId]);
    return withLivePosition(presentAdminDriver(row), position ?? null);
  }

  /** Every vehicle on every shard, newest first. */
  async listVehicles(query: { limit: number; cursor: string | null }): Promise<ScatterPage<AdminVehicle>> {
    const page = await scatterGather<AdminVehicleRow>({
      shards: this.deps.router.shards,
      limit: query.limit,
      cursor: query.cursor,
      keyArity: 1,
      keyOf: (row) => [row.id],
      compare: newestFirst,
      fetch: (shard, after, limit) => this.deps.drivers.listVehicles(shard.db, idFromKey(after), limit),
    });
    return { items: page.items.map(presentAdminVehicle), nextCursor: page.nextCursor };
  }
}
