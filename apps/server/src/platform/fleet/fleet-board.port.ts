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
  /**
   * Puts a driver on the map. `positionAt` (epoch ms) is when its position was
   * taken: an older position never replaces a newer one (the status still
   * updates), so a status refresh that read the position a moment ago cannot
   * move the marker back. Omitted, the position counts as the newest.
   */
  upsert(driver: FleetDriver, positionAt?: number): Promise<void>;
  remove(driverId: string): Promise<void>;
  /** Everything on the map (for a new subscriber's snapshot). */
  all(): Promise<FleetDriver[]>;
  /** Atomically takes the changes since the previous call (each change is taken once). */
  takeChanges(): Promise<FleetChanges>;
  /** True for at most one caller per `windowMs` across every process: who pushes this window. */
  tryLead(windowMs: number): Promise<boolean>;
  /**
   * A shared map is a copy that can be lost (Redis restarted or emptied). Every
   * process fills it from SQL as it boots, so the first call of a process finds
   * it whole (and marks it so). Once a map this process has seen whole is lost,
   * this hands one caller at a time a token (the claim lapses after `holdMs`),
   * and null otherwise; the holder puts every driver back from the source of
   * truth, then calls `completeRefill`. An in-process map is never lost.
   */
  claimRefill(holdMs: number): Promise<string | null>;
  /** Marks the map whole after a refill, unless the claim lapsed or the map was lost again meanwhile. */
  completeRefill(token: string): Promise<void>;
  close(): Promise<void>;
}

/** The entry to keep: the newer position, the latest status. */
export function mergeFleetEntry(
  current: { driver: FleetDriver; at: number } | undefined,
  driver: FleetDriver,
  at: number,
): { driver: FleetDriver; at: number } {
  if (current === undefined || at >= current.at) {
    return { driver: { ...driver }, at };
  }
  return { driver: { ...driver, lat: current.driver.lat, lng: current.driver.lng }, at: current.at };
}
