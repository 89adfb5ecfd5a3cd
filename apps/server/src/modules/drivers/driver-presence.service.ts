import {
  VEHICLE_TYPES,
  type AvailabilityResponse,
  type LocationAccepted,
  type LocationUpdate,
} from '@loadline/contracts';
import type { RateRule } from '../../config/config';
import type { Clock } from '../../lib/clock';
import { AppError, errors } from '../../lib/errors';
import type { ListCache } from '../../platform/cache/list-cache';
import type { ShardRouter } from '../../platform/db/shard-router';
import type { FleetBoard } from '../../platform/fleet/fleet-board.port';
import type { GeoIndex, GeoPoint } from '../../platform/geo/geo-index.port';
import { rateLimitedFor, type RateLimiter } from '../../platform/rate-limit/rate-limiter';
import { rooms, type RealtimeSink } from '../../platform/realtime/realtime-sink.port';
import { availableDriversSet } from './available-drivers';
import { dropDriverLists } from './driver-lists';
import type { ActiveTrip, DriverPresence, LiveLocation } from './driver-presence';
import type { DriverTripsRepository } from './driver-trips.repository';
import { isAvailable, type DriverFacts, type DriverLiveStore, type LiveTrip } from './driver-live.store';
import type { DriverPresenceRow, DriversRepository } from './drivers.repository';
import type { LocationSink } from './location-writer';
import { PingCoalescer } from './ping-coalescer';
import type { TripPositionObserver } from '../bookings/live-eta';

/** Fixed by the contract: up to 10 location updates a second per driver. */
export const LOCATION_RATE_RULE: RateRule = { limit: 10, windowSeconds: 1 };
/** The same rule as the live store counts it (milliseconds). */
const LOCATION_RATE = {
  limit: LOCATION_RATE_RULE.limit,
  windowMs: LOCATION_RATE_RULE.windowSeconds * 1000,
} as const;
/** Clocks drift; a position stamped more than this far ahead is refused. */
const MAX_FUTURE_MS = 60_000;
/** Redis GEO (and so the index port) cannot place points beyond the Web Mercator latitude limit. */
const MAX_INDEXABLE_LAT = 85.05112878;
const REBUILD_PAGE_SIZE = 500;
/** Every accepted ping's answer: one shared object, not one per ping. */
const ACCEPTED: LocationAccepted = Object.freeze({ accepted: true });

const messages = {
  suspended: 'This driver is suspended and cannot go online.',
  futureAt: 'at is more than a minute in the future.',
  badAt: 'at is not a valid time.',
  badPosition: 'lat and lng must be finite numbers within range.',
} as const;

export interface DriverPresenceServiceDeps {
  /** PING_BACKLOG: pings at work from which this process counts as behind and coalesces. */
  pingBacklog: number;
  router: ShardRouter;
  drivers: DriversRepository;
  /** The customer of the booking a driver holds, for the live copy of its facts. */
  trips: DriverTripsRepository;
  live: DriverLiveStore;
  locations: LocationSink;
  geo: GeoIndex;
  /** Where socket events go (the booking's room, the customer). */
  sink: RealtimeSink;
  /** The admin live map. */
  fleet: FleetBoard;
  rateLimiter: RateLimiter;
  clock: Clock;
  /** Admin list pages (drivers, users); dropped when a driver's availability changes. */
  lists?: ListCache;
  /** The live ETA, told of each position of an active trip (one in-process check per ping). */
  tripPositions?: TripPositionObserver;
}

interface LoadedState {
  facts: DriverFacts;
  position: LiveLocation | null;
}

function isIndexable(point: GeoPoint): boolean {
  return Math.abs(point.lat) <= MAX_INDEXABLE_LAT && Math.abs(point.lng) <= 180;
}

function positionOf(row: DriverPresenceRow): LiveLocation | null {
  if (row.last_lat === null || row.last_lng === null || row.last_seen_at === null) {
    return null;
  }
  return {
    lat: row.last_lat,
    lng: row.last_lng,
    heading: row.last_heading,
    speedKmh: null,
    at: row.last_seen_at,
  };
}

/**
 * A driver's live presence: availability, the location hot path, and the
 * live copy of each driver's facts and position in the shared cache, with the
 * available-drivers geo index and the admin map that follow it. It is the
 * `DriverPresence` that dispatch and bookings use.
 *
 * A ping reads no SQL; SQL stays the source of truth and every fact change goes
 * through `refreshAvailability`, which recomputes the copy from SQL.
 */
export class DriverPresenceService implements DriverPresence {
  /** A driver's pings wait behind the one at work, the newest only (see `PingCoalescer`). */
  private readonly pings = new PingCoalescer<LocationUpdate, LocationAccepted>(
    (driverId, update) => this.applyLocation(driverId, update),
    { accepted: false, coalesced: true },
    (atWork) => atWork >= this.deps.pingBacklog,
  );

  constructor(private readonly deps: DriverPresenceServiceDeps) {}

  /** Goes online or offline; a suspended driver cannot go online (403 driver_suspended). */
  async setAvailability(driverId: string, online: boolean): Promise<AvailabilityResponse> {
    const db = this.deps.router.forId(driverId).db;
    const changed = await this.deps.drivers.setOnline(db, driverId, online, this.deps.clock.now());
    if (!changed) {
      const row = await this.deps.drivers.findPresence(db, driverId);
      if (row === undefined) {
        throw errors.notFound('Driver');
      }
      if (online && row.suspended === 1) {
        throw new AppError(403, 'driver_suspended', messages.suspended);
      }
    }
    await this.refreshAvailability(driverId);
    await dropDriverLists(this.deps.lists);
    return { online };
  }

  /**
   * A ping (REST and socket). Once the process is behind (PING_BACKLOG pings at
   * work), a ping of a driver whose earlier ping is at work waits, and a newer
   * one replaces it before any work is done on it (answered `{ accepted: false,
   * coalesced: true }`): a process that falls behind serves each driver's
   * newest position instead of a growing queue.
   */
  updateLocation(driverId: string, update: LocationUpdate): Promise<LocationAccepted> {
    return this.pings.run(driverId, update);
  }

  /** Pings replaced by a newer one of their driver before any work, since the process started. */
  get coalescedPings(): number {
    return this.pings.coalesced;
  }

  /**
   * The hot path of every ping (REST and socket): one step of the live state
   * (rate limit, stale refusal, the write, the geo index as the cached facts
   * say; one Redis round trip, ADR 0026), then in process the admin map's
   * batch, the breadcrumb batch, and the socket event and live ETA of an active
   * trip. SQL is read only when the cached facts are gone.
   */
  private async applyLocation(driverId: string, update: LocationUpdate): Promise<LocationAccepted> {
    const position = this.positionOf(update);
    const point = isIndexable(position) ? { lat: position.lat, lng: position.lng } : null;
    const rate = this.deps.rateLimiter.enabled ? LOCATION_RATE : null;
    let result = await this.deps.live.ping(driverId, position, point, rate);
    if (result.outcome === 'rate_limited') {
      throw rateLimitedFor(result.retryAfterMs);
    }
    if (result.outcome === 'no_facts') {
      await this.reloadFacts(driverId);
      // Counted once already.
      result = await this.deps.live.ping(driverId, position, point, null);
      if (result.outcome === 'rate_limited' || result.outcome === 'no_facts') {
        // Forgotten again at once: the driver was deleted meanwhile.
        throw errors.notFound('Driver');
      }
    }
    if (result.outcome === 'stale') {
      return { accepted: false };
    }

    const { facts } = result;
    this.deps.locations.enqueue(driverId, position, facts.activeTrip?.bookingId ?? null);
    if (facts.activeTrip !== null) {
      this.publishLocation(driverId, facts.activeTrip, position);
      this.deps.tripPositions?.observe(facts.activeTrip.bookingId, position);
    }
    await this.showOnBoard(driverId, facts, position);
    return ACCEPTED;
  }

  /**
   * Recomputes the cached facts from the drivers row (and the booking's
   * customer when the driver holds a trip), then adds the driver to or removes
   * it from its vehicle type's available set.
   */
  async refreshAvailability(driverId: string): Promise<void> {
    const row = await this.deps.drivers.findPresence(this.deps.router.forId(driverId).db, driverId);
    if (row === undefined) {
      await this.deps.live.forgetFacts(driverId);
      await Promise.all(
        VEHICLE_TYPES.map((type) => this.deps.geo.remove(availableDriversSet(type), driverId)),
      );
      return;
    }
    await this.refreshFromRow(row);
  }

  async positionTimes(driverIds: readonly string[]): Promise<(number | null)[]> {
    const positions = await this.deps.live.readPositions(driverIds);
    return positions.map((position) => position?.at ?? null);
  }

  async liveLocation(driverId: string): Promise<LiveLocation | null> {
    const [cached] = await this.deps.live.readPositions([driverId]);
    if (cached !== undefined && cached !== null) {
      return cached;
    }
    const row = await this.deps.drivers.findPresence(this.deps.router.forId(driverId).db, driverId);
    return row === undefined ? null : positionOf(row);
  }

  async setActiveTrip(driverId: string, trip: ActiveTrip | null): Promise<void> {
    const state = await this.loadState(driverId);
    const facts: DriverFacts = { ...state.facts, activeTrip: trip === null ? null : { ...trip } };
    await this.deps.live.writeFacts(driverId, facts);
    await this.applyMembership(driverId, facts, state.position);
  }

  /**
   * Refreshes every online driver on every shard. The geo index is a copy
   * (in-process in embedded mode, so empty after a restart); this rebuilds it
   * from SQL. Returns how many drivers were refreshed.
   */
  async rebuildAvailability(): Promise<number> {
    const counts = await Promise.all(
      this.deps.router.shards.map(async (shard) => {
        let count = 0;
        let after: string | null = null;
        for (;;) {
          const page = await this.deps.drivers.listOnline(shard.db, after, REBUILD_PAGE_SIZE);
          await Promise.all(page.map((row) => this.refreshFromRow(row)));
          count += page.length;
          const last = page[page.length - 1];
          if (last === undefined || page.length < REBUILD_PAGE_SIZE) {
            return count;
          }
          after = last.user_id;
        }
      }),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /** The contract's `driverLocation`, to the booking's subscribers and its customer. */
  private publishLocation(driverId: string, trip: LiveTrip, position: LiveLocation): void {
    this.deps.sink.deliver({
      rooms:
        trip.customerId === null
          ? [rooms.booking(trip.bookingId)]
          : [rooms.booking(trip.bookingId), rooms.user(trip.customerId)],
      event: 'driverLocation',
      data: {
        bookingId: trip.bookingId,
        driverId,
        lat: position.lat,
        lng: position.lng,
        heading: position.heading,
        at: new Date(position.at).toISOString(),
      },
    });
  }

  /** A ping's position, checked: a readable time at most a minute ahead, coordinates in range. */
  private positionOf(update: LocationUpdate): LiveLocation {
    const now = this.deps.clock.now();
    const at = update.at === undefined ? now : Date.parse(update.at);
    if (!Number.isFinite(at)) {
      throw errors.validation(messages.badAt, { field: 'at' });
    }
    if (at > now + MAX_FUTURE_MS) {
      throw errors.validation(messages.futureAt, { field: 'at', maxFutureMs: MAX_FUTURE_MS });
    }
    if (
      !Number.isFinite(update.lat) ||
      !Number.isFinite(update.lng) ||
      Math.abs(update.lat) > 90 ||
      Math.abs(update.lng) > 180
    ) {
      throw errors.validation(messages.badPosition, { field: 'lat' });
    }
    return {
      lat: update.lat,
      lng: update.lng,
      heading: update.heading ?? null,
      speedKmh: update.speedKmh ?? null,
      at,
    };
  }

  /** The facts from SQL after they expired from the live state (404 for a driver that does not exist). */
  private async reloadFacts(driverId: string): Promise<void> {
    const row = await this.deps.drivers.findPresence(this.deps.router.forId(driverId).db, driverId);
    if (row === undefined) {
      throw errors.notFound('Driver');
    }
    await this.refreshFromRow(row);
  }

  /** Cached facts and position; the facts come from SQL only when the cache has none. */
  private async loadState(driverId: string): Promise<LoadedState> {
    const cached = await this.deps.live.read(driverId);
    if (cached.facts !== null) {
      return { facts: cached.facts, position: cached.position };
    }
    const row = await this.deps.drivers.findPresence(this.deps.router.forId(driverId).db, driverId);
    if (row === undefined) {
      throw errors.notFound('Driver');
    }
    const facts = await this.factsOf(row, null);
    await this.deps.live.writeFacts(driverId, facts);
    return { facts, position: cached.position ?? positionOf(row) };
  }

  private async refreshFromRow(row: DriverPresenceRow): Promise<void> {
    const driverId = row.user_id;
    const cached = await this.deps.live.read(driverId);
    const facts = await this.factsOf(row, cached.facts?.activeTrip ?? null);
    let position = cached.position;
    if (position === null) {
      position = positionOf(row);
      if (position !== null) {
        await this.deps.live.seedPosition(driverId, position);
      }
    }
    await this.deps.live.writeFacts(driverId, facts);
    await this.applyMembership(driverId, facts, position);
  }

  /** Facts from a drivers row; the trip's customer is reused from the cache when it is the same booking. */
  private async factsOf(row: DriverPresenceRow, cachedTrip: LiveTrip | null): Promise<DriverFacts> {
    let activeTrip: LiveTrip | null = null;
    if (row.active_booking_id !== null) {
      const bookingId = row.active_booking_id;
      if (cachedTrip?.bookingId === bookingId && cachedTrip.customerId !== null) {
        activeTrip = cachedTrip;
      } else {
        const customerId = await this.deps.trips.findBookingCustomer(
          this.deps.router.forId(bookingId).db,
          bookingId,
        );
        activeTrip = { bookingId, customerId: customerId ?? null };
      }
    }
    return {
      vehicleType: row.vehicle_type,
      online: row.online === 1,
      suspended: row.suspended === 1,
      activeTrip,
    };
  }

  private async applyMembership(
    driverId: string,
    facts: DriverFacts,
    position: GeoPoint | null,
  ): Promise<void> {
    if (isAvailable(facts) && position !== null && isIndexable(position)) {
      await this.indexAvailable(driverId, facts, position);
    } else {
      await this.deps.geo.remove(availableDriversSet(facts.vehicleType), driverId);
    }
    await this.showOnBoard(driverId, facts, position);
  }

  /**
   * Online drivers with a position are on the admin map, as available or busy;
   * others are taken off. Not async: on every ping, it hands back the board's
   * promise rather than wrapping it in one of its own.
   */
  private showOnBoard(
    driverId: string,
    facts: DriverFacts,
    position: (GeoPoint & { at?: number }) | null,
  ): Promise<void> {
    if (!facts.online || facts.suspended || position === null || !isIndexable(position)) {
      return this.deps.fleet.remove(driverId);
    }
    return this.deps.fleet.upsert(
      {
        id: driverId,
        lat: position.lat,
        lng: position.lng,
        status: facts.activeTrip === null ? 'available' : 'busy',
        vehicleType: facts.vehicleType,
      },
      position.at,
    );
  }

  /**
   * Adds the driver to its available set, then reads the facts again: a writer
   * that made the driver unavailable in between removed the member before our
   * add, so this second look removes it after. Without it a ping racing
   * "go offline" could leave an offline driver matchable.
   */
  private async indexAvailable(driverId: string, facts: DriverFacts, point: GeoPoint): Promise<void> {
    const set = availableDriversSet(facts.vehicleType);
    if (!isIndexable(point)) {
      await this.deps.geo.remove(set, driverId);
      return;
    }
    await this.deps.geo.upsert(set, driverId, { lat: point.lat, lng: point.lng });
    const latest = await this.deps.live.readFacts(driverId);
    if (latest !== null && !isAvailable(latest)) {
      await this.deps.geo.remove(set, driverId);
    }
  }
}
