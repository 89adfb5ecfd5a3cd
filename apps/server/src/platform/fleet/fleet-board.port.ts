import type { FleetDriver } from '@loadline/contracts';

export interface FleetChanges {
  changed: FleetDriver[];
  removed: string[];
}

/**
 * The live map of the fleet for admin views: the last known entry per driver,
 * plus the set of drivers changed since the last batch. Pings write here; one
 * process at a time takes the changes and pushes them, so admins get batches,
 * never one message per ping, and nobody scans the fleet per ping.
 */
export interface FleetBoard {
  upsert(driver: FleetDriver): Promise<void>;
  remove(driverId: string): Promise<void>;
  /** Everything on the map (for a new subscriber's snapshot). */
  all(): Promise<FleetDriver[]>;
  /** Atomically takes the changes since the previous call (each change is taken once). */
  takeChanges(): Promise<FleetChanges>;
  /** True for at most one caller per `windowMs` across every process: who pushes this window. */
  tryLead(windowMs: number): Promise<boolean>;
  close(): Promise<void>;
}
