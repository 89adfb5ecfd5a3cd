import type { VehicleType } from '@loadline/contracts';
import type {
  BookingEventsTable,
  BookingsTable,
  DriverTripsTable,
  DriversTable,
  LookupDirectoryTable,
  OffersTable,
  UsersTable,
  VehiclesTable,
} from '../../platform/db/schema';
import type { BookingDailyDelta, DriverDailyDelta } from '../analytics/rollups.repository';
import type { UnfilledDelta } from '../analytics/contributions';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export interface GenerationArea {
  center: { lat: number; lng: number };
  radiusKm: number;
}

export interface PooledDriver {
  id: string;
  vehicleType: VehicleType;
  capacityKg: number;
}

/** Everything a chunk is built from; the same plan always builds the same records. */
export interface ChunkPlan {
  entity: 'users' | 'drivers' | 'bookings';
  seed: number;
  chunk: number;
  /** The chunk's first row within its job, and how many rows it has. */
  firstRow: number;
  rows: number;
  /** The job's row count and the generation index of its row 0 (see generated-ids). */
  total: number;
  indexBase: number;
  /** When the job was created: every record happened before it. */
  startedAt: number;
  historyDays: number;
  area: GenerationArea;
  customers: readonly string[];
  drivers: readonly PooledDriver[];
}

/** Where rows go: the physical shard of an ID, and of a looked-up value. */
export interface Placement {
  shardOfId(id: string): number;
  shardOfLogical(logicalShard: number): number;
  logicalForKey(key: string): number;
  shardOfKey(key: string): number;
}

/** The rows and roll-up deltas a chunk writes on one shard, in one transaction. */
export interface ShardBatch {
  users: UsersTable[];
  lookups: LookupDirectoryTable[];
  vehicles: VehiclesTable[];
  drivers: DriversTable[];
  bookings: BookingsTable[];
  events: BookingEventsTable[];
  driverTrips: DriverTripsTable[];
  offers: OffersTable[];
  bookingDaily: BookingDailyDelta[];
  driverDaily: DriverDailyDelta[];
  unfilled: UnfilledDelta[];
}

export function emptyBatch(): ShardBatch {
  return {
    users: [],
    lookups: [],
    vehicles: [],
    drivers: [],
    bookings: [],
    events: [],
    driverTrips: [],
    offers: [],
    bookingDaily: [],
    driverDaily: [],
    unfilled: [],
  };
}

/** A chunk's batches by physical shard, each made when a first row goes there. */
export class Batches {
  readonly byShard = new Map<number, ShardBatch>();

  on(shard: number): ShardBatch {
    let batch = this.byShard.get(shard);
    if (batch === undefined) {
      batch = emptyBatch();
      this.byShard.set(shard, batch);
    }
    return batch;
  }
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
