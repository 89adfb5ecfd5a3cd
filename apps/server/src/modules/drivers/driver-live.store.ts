import { VEHICLE_TYPES, type VehicleType } from '@loadline/contracts';
import type { Cache } from '../../platform/cache/cache.port';
import type { LiveLocation } from './driver-presence';

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

/**
 * Facts expire so that a copy gone wrong (a write that raced another) heals by
 * itself: the next ping after expiry reloads them from SQL.
 */
const FACTS_TTL_SECONDS = 600;
/** Positions outlive facts; SQL has the last one anyway (flushed every second). */
const POSITION_TTL_SECONDS = 24 * 3600;

/**
 * Facts and position live under two keys so that their writers never
 * overwrite each other: pings write only the position, everything else only
 * the facts.
 */
export function factsKey(driverId: string): string {
  return `driver:facts:${driverId}`;
}

export function liveKey(driverId: string): string {
  return `driver:live:${driverId}`;
}

/** The driver's live state in the shared cache (Redis in cluster mode). */
export class DriverLiveStore {
  constructor(private readonly cache: Cache) {}

  /** Facts and position in one round trip. */
  async read(driverId: string): Promise<LiveState> {
    const [facts, position] = await this.cache.getMany([factsKey(driverId), liveKey(driverId)]);
    return { facts: parseFacts(facts ?? null), position: parsePosition(position ?? null) };
  }

  async readFacts(driverId: string): Promise<DriverFacts | null> {
    return parseFacts(await this.cache.get(factsKey(driverId)));
  }

  async readPositions(driverIds: readonly string[]): Promise<(LiveLocation | null)[]> {
    const values = await this.cache.getMany(driverIds.map(liveKey));
    return values.map(parsePosition);
  }

  async writeFacts(driverId: string, facts: DriverFacts): Promise<void> {
    await this.cache.set(factsKey(driverId), JSON.stringify(storedFacts(facts)), FACTS_TTL_SECONDS);
  }

  async writePosition(driverId: string, position: LiveLocation): Promise<void> {
    await this.cache.set(liveKey(driverId), JSON.stringify(position), POSITION_TTL_SECONDS);
  }

  /** Seeds the position from SQL without clobbering one a ping wrote meanwhile. */
  async seedPosition(driverId: string, position: LiveLocation): Promise<void> {
    await this.cache.setIfAbsent(liveKey(driverId), JSON.stringify(position), POSITION_TTL_SECONDS);
  }

  async forgetFacts(driverId: string): Promise<void> {
    await this.cache.delete(factsKey(driverId));
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

/**
 * Facts as cached. The trip keeps its original key, `activeJob`: entries
 * written by processes still running the older code stay readable, and theirs by them.
 */
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
