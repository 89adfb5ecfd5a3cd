import { VEHICLE_TYPES, type VehicleType } from '@loadline/contracts';
import type { GeoPoint } from '../../platform/geo/geo-index.port';
import type { LiveStateStore } from '../../platform/live/live-state.port';
import { availableDriversSet } from './available-drivers';
import type { LiveLocation } from './driver-presence';
import { BoundedMap } from '../../lib/bounded-map';

/** The trip a driver's pings belong to; `customerId` is null only when the booking could not be read. */
export interface LiveTrip {
  bookingId: string;
  customerId: string | null;
}

/**
 * The facts the location hot path needs, cached so a ping reads no SQL. A copy
 * of the drivers row (and the booking's customer) kept by the drivers service.
 */
export interface DriverFacts {
  vehicleType: VehicleType;
  online: boolean;
  suspended: boolean;
  activeTrip: LiveTrip | null;
}

export interface LiveState {
  facts: DriverFacts | null;
  position: LiveLocation | null;
}

/** What one ping did: the 429 wait, a reload of the facts needed, or the facts it was judged by. */
export type DriverPingResult =
  | { outcome: 'rate_limited'; retryAfterMs: number }
  | { outcome: 'no_facts' }
  | { outcome: 'accepted' | 'stale'; facts: DriverFacts };

/**
 * Facts expire so that a copy gone wrong (a write that raced another) heals by
 * itself: the next ping after expiry reloads them from SQL.
 */
const FACTS_TTL_MS = 600_000;
/** Positions outlive facts; SQL has the last one anyway (LAST_POSITION_FLUSH_MS behind at most). */
const POSITION_TTL_MS = 24 * 3_600_000;
/** Distinct facts texts kept parsed: free drivers share a few; each busy driver has its own. */
const MAX_PARSED_FACTS = 50_000;
/** Every set a driver's facts can name: the only sets a ping may write. */
const AVAILABLE_SETS = VEHICLE_TYPES.map(availableDriversSet);

/** Free, online and not suspended: may be offered a booking. */
export function isAvailable(facts: DriverFacts): boolean {
  return facts.online && !facts.suspended && facts.activeTrip === null;
}

/**
 * The driver's live state (the LiveStateStore port: Redis in cluster mode).
 * Facts and position live apart so that their writers never overwrite each
 * other: pings write only the position, everything else only the facts. The
 * facts carry the driver's available set and whether it belongs there, so a
 * ping keeps the geo index right in the same step (ADR 0026).
 */
export class DriverLiveStore {
  /**
   * Facts a ping was answered with, parsed, by their stored text. Most drivers'
   * facts read alike (every free van driver's are one string), so pings seldom
   * parse; emptied when it grows past `MAX_PARSED_FACTS`. Frozen: shared.
   */
  private readonly parsed = new BoundedMap<string, DriverFacts>(MAX_PARSED_FACTS);

  constructor(private readonly store: LiveStateStore) {}

  /**
   * The hot path: counts the ping against `rate` (null: not limited), refuses a
   * position older than the stored one, stores it, and puts the driver in or
   * out of its available set as its cached facts say. `point` is null when the
   * geo index cannot hold the position.
   */
  async ping(
    driverId: string,
    position: LiveLocation,
    point: GeoPoint | null,
    rate: { limit: number; windowMs: number } | null,
  ): Promise<DriverPingResult> {
    const result = await this.store.ping({
      member: driverId,
      at: position.at,
      position: JSON.stringify(position),
      point,
      sets: AVAILABLE_SETS,
      rate,
      positionTtlMs: POSITION_TTL_MS,
    });
    if (result.outcome === 'rate_limited' || result.outcome === 'no_facts') {
      return result;
    }
    const facts = this.parsedFacts(result.facts);
    // Unreadable facts count as absent: reloaded from SQL rather than trusted.
    return facts === null ? { outcome: 'no_facts' } : { outcome: result.outcome, facts };
  }

  /** Facts and position in one round trip. */
  async read(driverId: string): Promise<LiveState> {
    const { facts, position } = await this.store.read(driverId);
    return { facts: parseFacts(facts), position: parsePosition(position) };
  }

  async readFacts(driverId: string): Promise<DriverFacts | null> {
    return parseFacts(await this.store.readFacts(driverId));
  }

  async readPositions(driverIds: readonly string[]): Promise<(LiveLocation | null)[]> {
    const values = await this.store.readPositions(driverIds);
    return values.map(parsePosition);
  }

  async writeFacts(driverId: string, facts: DriverFacts): Promise<void> {
    await this.store.writeFacts(
      driverId,
      {
        doc: JSON.stringify(storedFacts(facts)),
        set: availableDriversSet(facts.vehicleType),
        indexed: isAvailable(facts),
      },
      FACTS_TTL_MS,
    );
  }

  /** Seeds the position from SQL without clobbering one a ping wrote meanwhile. */
  async seedPosition(driverId: string, position: LiveLocation): Promise<void> {
    await this.store.seedPosition(driverId, position.at, JSON.stringify(position), POSITION_TTL_MS);
  }

  async forgetFacts(driverId: string): Promise<void> {
    await this.store.forgetFacts(driverId);
  }

  private parsedFacts(doc: string): DriverFacts | null {
    const known = this.parsed.get(doc);
    if (known !== undefined) {
      return known;
    }
    const facts = parseFacts(doc);
    if (facts !== null) {
      Object.freeze(facts.activeTrip);
      this.parsed.set(doc, Object.freeze(facts));
    }
    return facts;
  }
}

function parseJson(raw: string | null): Record<string, unknown> | null {
  if (raw === null) {
    return null;
  }
  try {
    const value = JSON.parse(raw) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function isNumberOrNull(value: unknown): value is number | null {
  return value === null || typeof value === 'number';
}

/** Facts as cached. The trip keeps its original key, `activeJob`, as every earlier version wrote it. */
interface StoredFacts extends Omit<DriverFacts, 'activeTrip'> {
  activeJob: LiveTrip | null;
}

function storedFacts(facts: DriverFacts): StoredFacts {
  const { activeTrip, ...rest } = facts;
  return { ...rest, activeJob: activeTrip };
}

/** Anything unreadable counts as absent, so it is reloaded rather than trusted. */
function parseFacts(raw: string | null): DriverFacts | null {
  const value = parseJson(raw);
  if (value === null) {
    return null;
  }
  const { vehicleType, online, suspended, activeJob: storedTrip } = value;
  const type = VEHICLE_TYPES.find((candidate) => candidate === vehicleType);
  if (type === undefined || typeof online !== 'boolean' || typeof suspended !== 'boolean') {
    return null;
  }
  let trip: LiveTrip | null = null;
  if (storedTrip !== null) {
    if (typeof storedTrip !== 'object') {
      return null;
    }
    const { bookingId, customerId } = storedTrip as Record<string, unknown>;
    if (typeof bookingId !== 'string' || (customerId !== null && typeof customerId !== 'string')) {
      return null;
    }
    trip = { bookingId, customerId };
  }
  return { vehicleType: type, online, suspended, activeTrip: trip };
}

function parsePosition(raw: string | null): LiveLocation | null {
  const value = parseJson(raw);
  if (value === null) {
    return null;
  }
  const { lat, lng, heading, speedKmh, at } = value;
  if (
    typeof lat !== 'number' ||
    typeof lng !== 'number' ||
    typeof at !== 'number' ||
    !isNumberOrNull(heading) ||
    !isNumberOrNull(speedKmh)
  ) {
    return null;
  }
  return { lat, lng, heading, speedKmh, at };
}
