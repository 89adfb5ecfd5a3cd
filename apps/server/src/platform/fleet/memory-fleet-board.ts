import type { FleetDriver } from '@loadline/contracts';
import { systemClock, type Clock } from '../../lib/clock';
import { mergeFleetEntry, type FleetBoard, type FleetChanges } from './fleet-board.port';

/** Embedded mode: the fleet map in this process's memory. */
export class MemoryFleetBoard implements FleetBoard {
  private readonly entries = new Map<string, { driver: FleetDriver; at: number }>();
  private changed = new Set<string>();
  private removed = new Set<string>();
  private leadUntil = 0;

  constructor(private readonly clock: Clock = systemClock) {}

  upsert(driver: FleetDriver, positionAt = Number.MAX_SAFE_INTEGER): Promise<void> {
    this.entries.set(driver.id, mergeFleetEntry(this.entries.get(driver.id), driver, positionAt));
    this.changed.add(driver.id);
    this.removed.delete(driver.id);
    return Promise.resolve();
  }

  remove(driverId: string): Promise<void> {
    this.entries.delete(driverId);
    this.removed.add(driverId);
    this.changed.delete(driverId);
    return Promise.resolve();
  }

  all(): Promise<FleetDriver[]> {
    return Promise.resolve([...this.entries.values()].map((entry) => ({ ...entry.driver })));
  }

  takeChanges(): Promise<FleetChanges> {
    const changed = [...this.changed]
      .map((id) => this.entries.get(id)?.driver)
      .filter((entry): entry is FleetDriver => entry !== undefined)
      .map((entry) => ({ ...entry }));
    const removed = [...this.removed];
    this.changed = new Set();
    this.removed = new Set();
    return Promise.resolve({ changed, removed });
  }

  tryLead(windowMs: number): Promise<boolean> {
    const now = this.clock.now();
    if (now < this.leadUntil) {
      return Promise.resolve(false);
    }
    this.leadUntil = now + windowMs;
    return Promise.resolve(true);
  }

  /** An in-process map is filled as the process boots and lives as long as it: never lost, never refilled. */
  claimRefill(): Promise<string | null> {
    return Promise.resolve(null);
  }

  completeRefill(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
