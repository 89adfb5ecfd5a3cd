import type {
  Booking,
  BookingEvent,
  BookingListQuery,
  BookingStatus,
  Coordinates,
  CreateBookingBody,
  Goods,
  Money,
  QuoteStop,
  Role,
  Tracking,
  VehicleType,
} from '@loadline/contracts';
import { isActiveTripStatus } from '@loadline/contracts';
import type { Updateable } from 'kysely';
import { BoundedMap } from '../../lib/bounded-map';
import type { Clock } from '../../lib/clock';
import { AppError, errors } from '../../lib/errors';
import { isTransientConflict, isUniqueViolation, retryOnConflict } from '../../platform/db/db-errors';
import { logicalShardOf, type IdGenerator } from '../../platform/db/ids';
import type { BookingsTable } from '../../platform/db/schema';
import { decodeIdCursor, encodeCursor, type ScatterPage } from '../../platform/db/scatter';
import type { Executor } from '../../platform/db/shard-pool';
import type { ShardRouter } from '../../platform/db/shard-router';
import type { OutboxWriter } from '../../platform/outbox/outbox';
import {
  BOOKING_RATED,
  BOOKING_STATUS_CHANGED,
  type BookingActor,
  type BookingRated,
  type BookingStatusChanged,
} from '../events/booking-events';
import {
  bookingEventRow,
  combinedGoods,
  newBookingRow,
  newStopRows,
  type BookingTerms,
} from './booking-rows';
import { BookingStopsRepository, type BookingStopRow } from './booking-stops.repository';
import { randomRef, REF_ATTEMPTS, type RefMinter } from './booking-refs';
import { assertTransition } from './booking-state';
import { presentBookingWithStops, presentEvent } from './bookings.presenter';
import type { IdempotencyKeys } from './idempotency';
import { assertNearStop } from './stop-distance';
import { knownMinutes, type EtaBooking, type KnownEta, type LiveEta } from './live-eta';
import type { BookingRow, BookingsRepository } from './bookings.repository';
import { bookingVersion, type BookingReadCache } from './booking-read-cache';
import { PICKUP_HANDOVER } from './handover-pin-codes';
import type { HandoverPinsService } from './handover-pins.service';

const MAX_SCHEDULE_AHEAD_MS = 30 * 24 * 3600_000;
const MIN_SCHEDULE_AHEAD_MS = 60_000;

/** User-facing messages of the module that are not a shared error's. */
const messages = {
  goodsWithStops: 'With stops, each stop carries its own goods; send no goods for the whole booking.',
} as const;

/** Everything bookings need from pricing; the pricing module implements it. */
export interface BookingPricing {
  /** A stored quote; `stops` when it was asked with stops. */
  quoteForBooking(
    customerId: string,
    quoteId: string,
  ): Promise<Omit<BookingTerms, 'quoteId'> & { id: string; stops?: QuoteStop[] }>;
  /**
   * Prices a trip to `dropoff`, or over every leg of `stops` (exactly one of
   * the two, else 400); `stops` in the answer when the request had them.
   * Stops whose goods together exceed the vehicle are 422 over_capacity (a
   * quote's stops were checked so when it was given).
   */
  estimate(request: {
    pickup: Coordinates;
    dropoff?: Coordinates;
    stops?: CreateBookingBody['stops'];
    vehicleType: VehicleType;
  }): Promise<{
    dropoff: Coordinates;
    stops?: QuoteStop[];
    distanceKm: number;
    durationMinutes: number;
    price: Money;
    surgeMultiplier: number;
  }>;
  /** Throws when goods are heavier than the vehicle type carries. */
  assertCapacity(vehicleType: VehicleType, weightKg: number): void;
  /** Minutes to drive between two points in a vehicle of this type. */
  travelMinutes(vehicleType: VehicleType, from: Coordinates, to: Coordinates): number;
}

/**
 * Where bookings read a driver's live position, for tracking. The drivers
 * module's presence service is the one in production; bookings owns the
 * interface so that it needs nothing else of that module.
 */
export interface DriverLocator {
  liveLocation(driverId: string): Promise<LiveLocationReading | null>;
}

/** A driver's last position, `at` in epoch milliseconds. */
export interface LiveLocationReading {
  lat: number;
  lng: number;
  heading: number | null;
  at: number;
}

/** A driver as a booking's customer sees them. */
export interface DriverCard {
  name: string;
  phone: string | null;
  vehicle: { type: VehicleType; plate: string };
}

/**
 * Where bookings read who drives, for tracking (the drivers module implements
 * it, as it does `DriverLocator`). Null when the driver no longer exists.
 */
export interface DriverDirectory {
  card(driverId: string): Promise<DriverCard | null>;
}

/** What tracking reads of a booking's driver: the position and known ETA only while the trip is live. */
interface TrackedDriver {
  card: DriverCard | null;
  location: LiveLocationReading | null;
  known: KnownEta | null;
}

/** Bookings whose driver tracking remembers per process (a booking's driver is one id). */
const TRACKED_DRIVERS_LIMIT = 50_000;

export interface Caller {
  userId: string;
  role: Role;
}

export interface TransitionOptions {
  /** Business checks on the freshly read booking; may throw (e.g. 404, 409). */
  check?: (row: BookingRow) => void;
  /** Checks that need I/O, on the same row once the move is allowed (e.g. a handover PIN); may throw. */
  verify?: (row: BookingRow) => Promise<void>;
  /** Columns to set besides status, seq and updated_at. */
  set?: (row: BookingRow, now: number) => Updateable<BookingsTable>;
  requireNoDriver?: boolean;
  requireDriver?: string;
  /** The driver to name in the event when the change removes the driver (a release). */
  eventDriverId?: string;
  /**
   * More writes of the same change, in its transaction after the booking's
   * update (e.g. the last stop's completion); `next` is the booking as moved.
   */
  alsoWrite?: (trx: Executor, next: BookingRow, now: number) => Promise<void>;
  /**
   * Events `alsoWrite` records before the status change, each with its own
   * seq: the status change then takes the seq after them.
   */
  eventsBefore?: number;
}

export interface BookingsServiceDeps {
  router: ShardRouter;
  ids: IdGenerator;
  clock: Clock;
  outbox: OutboxWriter;
  bookings: BookingsRepository;
  /** The booking's stops; a `BookingStopsRepository` unless given (it holds no state). */
  stops?: BookingStopsRepository;
  pricing: BookingPricing;
  presence: DriverLocator;
  drivers: DriverDirectory;
  /**
   * STOP_MAX_DISTANCE_M and CHECK_STOP_DISTANCE_FOR_ALL: whether a v1
   * `delivered` is refused far from its drop-off (unchecked when absent).
   */
  stopDistance?: { maxDistanceM: number; checkDistanceForAll: boolean };
  /** The published live ETA, which `etaUpdated` pushes and tracking answers with. */
  eta: Pick<LiveEta, 'current' | 'knownFor'>;
  scheduledLeadMinutes: number;
  idempotency: IdempotencyKeys;
  /** Warm reads of `GET /v1/bookings/:id`; every change here fences its version in it. */
  readCache: Pick<BookingReadCache, 'read' | 'store' | 'fence'>;
  /** Handover PINs: made at each assignment, dropped at a release, checked at each handover. */
  pins: Pick<HandoverPinsService, 'issue' | 'revoke' | 'check'>;
  /** HANDOVER_PINS_DEFAULT: whether a booking that does not say `handoverPins` gets them (false when absent). */
  handoverPinsDefault?: boolean;
  /** Mints booking references; `randomRef` unless a test needs repeats. */
  mintRef?: RefMinter;
  onCommitted?: () => void;
}

/** What a booking request asks for, priced: the terms, the stops in order and the goods as one load. */
interface BookingOrder {
  terms: BookingTerms;
  stops: QuoteStop[];
  goods: Goods | null;
}

export interface CreateResult {
  booking: Booking;
  /** True when an Idempotency-Key replayed an earlier answer. */
  replayed: boolean;
}

/**
 * Bookings: creation (with idempotency), reads, cancellation and every status
 * change. Every move of a booking goes through `transition` and `recordChange`
 * here (state machine, seq, event row, outbox event in one transaction), and
 * every read through `readable` (who may see it); keeping both in one class is
 * why it runs past ~400 lines.
 */
export class BookingsService {
  private readonly stops: BookingStopsRepository;

  /**
   * The driver each booking's last tracking read named, and whether its trip
   * was live: the next read asks for that driver beside the booking. A hint
   * only; the booking read decides whose card is shown.
   */
  private readonly trackedDrivers = new BoundedMap<string, { driverId: string; live: boolean }>(
    TRACKED_DRIVERS_LIMIT,
  );

  constructor(private readonly deps: BookingsServiceDeps) {
    this.stops = deps.stops ?? new BookingStopsRepository();
  }

  async create(customerId: string, body: CreateBookingBody, idempotencyKey?: string): Promise<CreateResult> {
    const { router, clock, bookings, idempotency } = this.deps;
    const db = router.forId(customerId).db;
    const keyed = idempotency.request(customerId, idempotencyKey, body);
    // No read of the key first: a repeated request meets the stored key when its transaction
    // commits (below), which saves every first request a round trip.
    const now = clock.now();
    let order: BookingOrder;
    try {
      order = await this.order(customerId, body);
    } catch (error) {
      // A repeated request is answered as the first one was, even once its quote has lapsed.
      const earlier = keyed === null ? null : await idempotency.replay(db, keyed);
      if (earlier !== null) {
        return { booking: earlier, replayed: true };
      }
      throw error;
    }
    const { terms, stops, goods } = order;
    const scheduledAt = this.scheduleTime(body.scheduledAt, now);
    const status =
      scheduledAt !== null && scheduledAt - this.deps.scheduledLeadMinutes * 60_000 > now
        ? 'scheduled'
        : 'searching';
    const logicalShard = logicalShardOf(customerId);
    const id = this.deps.ids.next(logicalShard);
    const mintRef = this.deps.mintRef ?? randomRef;
    let booking: Booking | null = null;
    for (let attempt = 0; booking === null; attempt += 1) {
      const row = newBookingRow({
        id,
        ref: mintRef(logicalShard, attempt),
        customerId,
        terms,
        goods,
        scheduledAt,
        status,
        handoverPins: body.handoverPins ?? this.deps.handoverPinsDefault ?? false,
        createdAt: now,
      });
      const stopRows = newStopRows(id, stops);
      const presented = presentBookingWithStops(row, stopRows);
      try {
        await retryOnConflict(() =>
          db.transaction().execute(async (trx) => {
            if (keyed !== null) {
              await idempotency.remember(trx, keyed, presented, now);
            }
            await bookings.insert(trx, row);
            await this.stops.insertMany(trx, stopRows);
            await this.recordChange(trx, row, null, { role: 'customer', id: customerId }, now);
          }),
        );
        booking = presented;
        await this.deps.readCache.store(presented, bookingVersion(row));
      } catch (error) {
        if (!isUniqueViolation(error)) {
          throw error;
        }
        // The ID is minted unique, so the write hit the idempotency key or the reference, and rolled back whole.
        if (keyed !== null) {
          // An earlier or concurrent request with the same key: answer as it did.
          const winner = await idempotency.replay(db, keyed);
          if (winner !== null) {
            return { booking: winner, replayed: true };
          }
        }
        // Another booking on this shard has the reference (or the key had lapsed and is gone now): mint again.
        if (attempt + 1 < REF_ATTEMPTS) {
          continue;
        }
        throw new Error(`no free booking reference after ${REF_ATTEMPTS} tries`);
      }
    }
    this.deps.onCommitted?.();
    return { booking, replayed: false };
  }

  /**
   * A booking the caller may see (see `readable`): from the read cache when
   * warm, else from its shard, which warms the cache for the next read.
   */
  async get(caller: Caller, bookingId: string): Promise<Booking> {
    const cached = await this.deps.readCache.read(bookingId);
    if (cached === null) {
      return this.present(await this.readable(caller, bookingId));
    }
    if (!mayRead(caller, cached.customerId, cached.driverId)) {
      throw errors.notFound('Booking');
    }
    return cached;
  }

  /**
   * The booking as the API answers it, with its stops read from its shard,
   * and kept in the read cache at its version (ADR 0030): `row` is committed
   * (read from the shard, or a change's row once it committed), so the read
   * after a change finds it warm. The cache keeps the newest version only.
   */
  async present(row: BookingRow): Promise<Booking> {
    const booking = presentBookingWithStops(
      row,
      await this.stops.forBooking(this.deps.router.forId(row.id).db, row.id),
    );
    await this.deps.readCache.store(booking, bookingVersion(row));
    return booking;
  }

  async list(customerId: string, query: BookingListQuery): Promise<ScatterPage<Booking>> {
    const limit = query.limit ?? 20;
    const beforeId = query.cursor === undefined ? null : decodeIdCursor(query.cursor);
    const shard = this.deps.router.forId(customerId);
    const rows = await this.deps.bookings.listPage(shard, {
      customerId,
      status: query.status,
      beforeId,
      limit: limit + 1,
    });
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    // A customer's bookings live on the customer's shard, and so do their stops.
    const stops = await this.stops.forBookings(
      shard.db,
      items.map((row) => row.id),
    );
    return {
      items: items.map((row) => presentBookingWithStops(row, stops.get(row.id) ?? [])),
      nextCursor: rows.length > limit && last !== undefined ? encodeCursor([last.id]) : null,
    };
  }

  async events(caller: Caller, bookingId: string): Promise<BookingEvent[]> {
    await this.readable(caller, bookingId);
    const rows = await this.deps.bookings.events(this.deps.router.forId(bookingId).db, bookingId);
    return rows.map(presentEvent);
  }

  async tracking(caller: Caller, bookingId: string): Promise<Tracking> {
    // The driver the booking's last tracking read named is read beside the booking itself, so a
    // warm read is one round trip; a booking whose driver changed since reads its new driver after.
    const hint = this.trackedDrivers.get(bookingId);
    const early = hint === undefined ? null : this.trackingDriver(hint.driverId, bookingId, hint.live);
    // Unused when the read below fails or names another driver; a failure is seen where it is used.
    early?.catch(() => undefined);
    const row = await this.tracked(caller, bookingId);
    const active = isActiveTripStatus(row.status);
    const driverId = row.driver_id;
    if (driverId === null) {
      this.trackedDrivers.delete(bookingId);
      return { status: row.status, driverLocation: null, etaMinutes: null };
    }
    if (hint?.driverId !== driverId || hint.live !== active) {
      this.trackedDrivers.set(bookingId, { driverId, live: active });
    }
    const { card, location, known } =
      early !== null && hint?.driverId === driverId && (hint.live || !active)
        ? await early
        : await this.trackingDriver(driverId, bookingId, active);
    const answer: Tracking = {
      status: row.status,
      driverLocation: null,
      etaMinutes: null,
      // The phone only while the trip is active, so a finished trip's customer cannot keep calling.
      ...(card === null
        ? {}
        : {
            driver: {
              id: driverId,
              name: card.name,
              phone: active ? card.phone : null,
              vehicle: card.vehicle,
            },
          }),
    };
    if (!active || location === null) {
      return answer;
    }
    const eta = knownMinutes(known, row.status) ?? (await this.deps.eta.current(row, location));
    return {
      ...answer,
      driverLocation: {
        lat: location.lat,
        lng: location.lng,
        heading: location.heading,
        at: new Date(location.at).toISOString(),
      },
      etaMinutes: eta,
    };
  }

  /**
   * What tracking needs of a booking the caller may see: read as `get` reads
   * it, so a page that only polls tracking warms the read cache too.
   */
  private async tracked(
    caller: Caller,
    bookingId: string,
  ): Promise<EtaBooking & Pick<BookingRow, 'driver_id'>> {
    const booking = await this.get(caller, bookingId);
    return {
      id: booking.id,
      customer_id: booking.customerId,
      driver_id: booking.driverId,
      status: booking.status,
      vehicle_type: booking.vehicleType,
      pickup_lat: booking.pickup.lat,
      pickup_lng: booking.pickup.lng,
      dropoff_lat: booking.dropoff.lat,
      dropoff_lng: booking.dropoff.lng,
    };
  }

  /** What tracking shows of the booking's driver: their card, and while `live` their position and the ETA already known. */
  private async trackingDriver(driverId: string, bookingId: string, live: boolean): Promise<TrackedDriver> {
    const [card, location, known] = await Promise.all([
      this.deps.drivers.card(driverId),
      live ? this.deps.presence.liveLocation(driverId) : null,
      live ? this.deps.eta.knownFor(bookingId) : null,
    ]);
    return { card, location, known };
  }

  async cancel(caller: Caller, bookingId: string, reason: string | undefined): Promise<Booking> {
    const actor: BookingActor = { role: caller.role === 'admin' ? 'admin' : 'customer', id: caller.userId };
    const row = await this.transition(bookingId, 'cancelled', actor, {
      check: (current) => {
        if (
          caller.role !== 'admin' &&
          (caller.role !== 'customer' || current.customer_id !== caller.userId)
        ) {
          throw errors.notFound('Booking');
        }
      },
      set: (_current, now) => ({ cancelled_at: now, cancel_reason: reason ?? null }),
    });
    return this.present(row);
  }

  /**
   * The system gives up on a searching booking: it moves to `expired` with its
   * event and outbox row (so the customer is told), and `reason` is kept in
   * `cancel_reason`, the column that says why a booking ended undelivered.
   * Null when the booking no longer searches (taken or cancelled meanwhile).
   */
  async expire(bookingId: string, reason: string): Promise<Booking | null> {
    try {
      const row = await this.transition(
        bookingId,
        'expired',
        { role: 'system', id: null },
        { set: () => ({ cancel_reason: reason }) },
      );
      return await this.present(row);
    } catch (error) {
      if (error instanceof AppError && error.code === 'invalid_transition') {
        return null;
      }
      throw error;
    }
  }

  /**
   * The customer rates a delivered trip, once (1-5). The rating and its outbox
   * event commit together; the analytics consumer adds it to the driver's figures.
   */
  async rate(customerId: string, bookingId: string, rating: number, comment?: string): Promise<Booking> {
    const db = this.deps.router.forId(bookingId).db;
    const current = await this.deps.bookings.findById(db, bookingId);
    if (current === undefined || current.customer_id !== customerId) {
      throw errors.notFound('Booking');
    }
    if (current.rating !== null) {
      throw new AppError(409, 'already_rated', 'This trip was already rated.');
    }
    if (current.status !== 'delivered' || current.driver_id === null || current.delivered_at === null) {
      throw errors.invalidTransition(current.status, 'rated');
    }
    const now = this.deps.clock.now();
    const event: BookingRated = {
      bookingId,
      driverId: current.driver_id,
      rating,
      at: now,
      deliveredAt: current.delivered_at,
    };
    const stored = await retryOnConflict(() =>
      db.transaction().execute(async (trx) => {
        if (
          !(await this.deps.bookings.setRating(trx, bookingId, { rating, comment: comment ?? null }, now))
        ) {
          return false;
        }
        await this.deps.outbox.append(trx, { topic: BOOKING_RATED, aggregateId: bookingId, payload: event });
        await this.deps.readCache.fence(bookingId, bookingVersion({ seq: current.seq, rating }));
        return true;
      }),
    );
    if (!stored) {
      // Another request rated it between the read and the update.
      throw new AppError(409, 'already_rated', 'This trip was already rated.');
    }
    this.deps.onCommitted?.();
    return this.present({
      ...current,
      rating,
      rated_at: now,
      rating_comment: comment ?? null,
      updated_at: now,
    });
  }

  /**
   * A status move by the assigned driver (REST and socket share it). A v1
   * `delivered` completes a one-stop booking's stop with it; a booking with
   * more stops is delivered only by working its stops (422 otherwise). On a
   * booking with handover PINs, `goods_collected` needs the pickup's PIN and
   * the driver at the pickup, and `delivered` the stop's PIN.
   */
  async driverUpdate(driverId: string, bookingId: string, to: BookingStatus, pin?: string): Promise<Booking> {
    const lastStop = to === 'delivered' ? await this.soleStop(driverId, bookingId) : null;
    const sole = lastStop?.stop ?? null;
    const handover =
      to === 'goods_collected' ? PICKUP_HANDOVER : lastStop !== null && !lastStop.several ? 1 : null;
    const limit = this.deps.stopDistance;
    const row = await this.transition(
      bookingId,
      to,
      { role: 'driver', id: driverId },
      {
        check: (current) => {
          if (current.driver_id !== driverId) {
            throw errors.notFound('Booking');
          }
          if (to === 'driver_assigned' || (lastStop !== null && lastStop.several)) {
            throw errors.invalidTransition(current.status, to);
          }
          if (lastStop !== null && limit?.checkDistanceForAll === true) {
            assertNearStop(
              lastStop.location,
              { lat: current.dropoff_lat, lng: current.dropoff_lng },
              limit.maxDistanceM,
            );
          }
        },
        requireDriver: driverId,
        ...(handover === null
          ? {}
          : { verify: (current) => this.checkHandover(current, driverId, handover, pin) }),
        set: (_current, now) => {
          switch (to) {
            case 'goods_collected':
              return { picked_up_at: now };
            case 'delivered':
              return { delivered_at: now };
            case 'searching':
              // A release starts a new search with every wave again; without the reset a
              // trip released after the last wave would expire at once. Its first wave is due now.
              return {
                driver_id: null,
                assigned_at: null,
                search_started_at: now,
                offer_wave: 0,
                next_step_at: now,
              };
            default:
              return {};
          }
        },
        ...(to === 'searching' ? { eventDriverId: driverId } : {}),
        ...(sole === null
          ? {}
          : {
              alsoWrite: (trx, _next, now) =>
                this.completeStop(trx, bookingId, sole, now, lastStop?.location ?? null),
            }),
      },
    );
    return this.present(row);
  }

  /**
   * The handover checks of a booking with PINs, on the row its move read (the
   * move is already one the driver may make now, so a PIN typed at the wrong
   * moment never counts): the driver within the limit of the pickup for
   * `goods_collected`, then the PIN (see `HandoverPinsService.check`).
   * Nothing for other bookings.
   */
  private async checkHandover(
    booking: BookingRow,
    driverId: string,
    handover: number,
    pin: string | undefined,
  ): Promise<void> {
    if (booking.handover_pins !== 1) {
      return;
    }
    const limit = this.deps.stopDistance;
    if (handover === PICKUP_HANDOVER && limit !== undefined) {
      const live = await this.deps.presence.liveLocation(driverId);
      assertNearStop(
        live === null ? null : { lat: live.lat, lng: live.lng },
        { lat: booking.pickup_lat, lng: booking.pickup_lng },
        limit.maxDistanceM,
      );
    }
    await this.deps.pins.check(booking, handover, pin, driverId);
  }

  /**
   * For a v1 `delivered`: the booking's one stop, with the driver's live
   * position for its proof; `several` when the booking has more stops than
   * one (worked stop by stop instead). No stop for a booking made before stops.
   */
  private async soleStop(
    driverId: string,
    bookingId: string,
  ): Promise<{ stop: BookingStopRow | null; several: boolean; location: Coordinates | null }> {
    const [stops, live] = await Promise.all([
      this.stops.forBooking(this.deps.router.forId(bookingId).db, bookingId),
      this.deps.presence.liveLocation(driverId),
    ]);
    return {
      stop: stops.length === 1 ? (stops[0] ?? null) : null,
      several: stops.length > 1,
      location: live === null ? null : { lat: live.lat, lng: live.lng },
    };
  }

  /** Marks a stop delivered at `now`, with the proof's position; in the caller's transaction. */
  private async completeStop(
    trx: Executor,
    bookingId: string,
    stop: BookingStopRow,
    now: number,
    location: Coordinates | null,
  ): Promise<void> {
    await this.stops.applyChange(trx, {
      bookingId,
      seq: stop.seq,
      expectedStatus: stop.status,
      set: {
        status: 'delivered',
        completed_at: now,
        proof_lat: location?.lat ?? null,
        proof_lng: location?.lng ?? null,
      },
    });
  }

  /**
   * The one way a booking's status changes: read, check, then a conditional
   * update on (status, seq) with its event and outbox row in one transaction.
   * A concurrent change makes the update miss; the booking is then read again
   * and the rules apply to what it has become.
   */
  async transition(
    bookingId: string,
    to: BookingStatus,
    actor: BookingActor,
    options: TransitionOptions = {},
  ): Promise<BookingRow> {
    const { router, bookings, clock } = this.deps;
    const db = router.forId(bookingId).db;
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const current = await bookings.findById(db, bookingId);
      if (current === undefined) {
        throw errors.notFound('Booking');
      }
      options.check?.(current);
      assertTransition(current.status, to, actor.role);
      await options.verify?.(current);
      const now = clock.now();
      const set: Updateable<BookingsTable> = {
        ...(options.set?.(current, now) ?? {}),
        status: to,
        seq: current.seq + 1 + (options.eventsBefore ?? 0),
        updated_at: now,
      };
      const next: BookingRow = { ...current, ...set };
      let applied: boolean;
      try {
        applied = await db.transaction().execute(async (trx) => {
          const changed = await bookings.applyChange(trx, {
            id: bookingId,
            expectedStatus: current.status,
            expectedSeq: current.seq,
            set,
            ...(options.requireNoDriver === true ? { requireNoDriver: true } : {}),
            ...(options.requireDriver === undefined ? {} : { requireDriver: options.requireDriver }),
          });
          if (!changed) {
            return false;
          }
          if (current.handover_pins === 1) {
            await this.handoverPinsOf(trx, current, next, now);
          }
          await options.alsoWrite?.(trx, next, now);
          await this.recordChange(trx, next, current.status, actor, now, options.eventDriverId);
          await this.deps.readCache.fence(bookingId, bookingVersion(next));
          return true;
        });
      } catch (error) {
        // Concurrent writers on one row can deadlock in InnoDB; the loser's transaction was rolled back.
        if (!isTransientConflict(error)) {
          throw error;
        }
        applied = false;
      }
      if (applied) {
        this.deps.onCommitted?.();
        return next;
      }
    }
    throw new AppError(409, 'conflict', 'The booking is changing too fast; try again.');
  }

  /** An assignment makes fresh PINs for every handover; a release drops them (the next assignment makes new ones). */
  private async handoverPinsOf(trx: Executor, from: BookingRow, to: BookingRow, now: number): Promise<void> {
    if (to.driver_id !== null && to.driver_id !== from.driver_id) {
      await this.deps.pins.issue(trx, to.id, now);
    } else if (to.driver_id === null && from.driver_id !== null) {
      await this.deps.pins.revoke(trx, to.id);
    }
  }

  /** Loads a booking the caller may see: its customer, its driver, or an admin; else 404. */
  async readable(caller: Caller, bookingId: string): Promise<BookingRow> {
    const row = await this.deps.bookings.findById(this.deps.router.forId(bookingId).db, bookingId);
    if (row === undefined || !mayRead(caller, row.customer_id, row.driver_id)) {
      throw errors.notFound('Booking');
    }
    return row;
  }

  private async recordChange(
    trx: Parameters<BookingsRepository['insertEvent']>[0],
    row: BookingRow,
    from: BookingStatus | null,
    actor: BookingActor,
    now: number,
    eventDriverId?: string,
  ): Promise<void> {
    await this.deps.bookings.insertEvent(trx, bookingEventRow(row, actor, now));
    const payload: BookingStatusChanged = {
      bookingId: row.id,
      customerId: row.customer_id,
      driverId: eventDriverId ?? row.driver_id,
      vehicleType: row.vehicle_type,
      from,
      to: row.status,
      seq: row.seq,
      at: now,
      actor,
    };
    await this.deps.outbox.append(trx, { topic: BOOKING_STATUS_CHANGED, aggregateId: row.id, payload });
  }

  /**
   * Prices the request: from its quote, or from `pickup`, `vehicleType` and
   * either `dropoff` or `stops`. With stops, the goods travel on the stops
   * (a top-level `goods` is 400) and the booking's goods are their total,
   * which pricing fitted to the vehicle type as a v1 booking's goods are here.
   */
  private async order(customerId: string, body: CreateBookingBody): Promise<BookingOrder> {
    const { pricing } = this.deps;
    const direct =
      body.pickup !== undefined ||
      body.dropoff !== undefined ||
      body.stops !== undefined ||
      body.vehicleType !== undefined;
    if (body.quoteId !== undefined && direct) {
      throw errors.validation(
        'Send either quoteId, or pickup, dropoff (or stops) and vehicleType; not both.',
      );
    }
    let terms: BookingTerms;
    // The stops the trip was priced with; absent for a v1 trip to one drop-off.
    let priced: QuoteStop[] | undefined;
    if (body.quoteId !== undefined) {
      const { stops, ...quote } = await pricing.quoteForBooking(customerId, body.quoteId);
      terms = { ...quote, quoteId: quote.id };
      priced = stops;
    } else {
      if (body.pickup === undefined || body.vehicleType === undefined) {
        throw errors.validation('pickup, dropoff (or stops) and vehicleType are required without a quoteId.');
      }
      const { stops, ...estimate } = await pricing.estimate({
        pickup: body.pickup,
        vehicleType: body.vehicleType,
        ...(body.dropoff === undefined ? {} : { dropoff: body.dropoff }),
        ...(body.stops === undefined ? {} : { stops: body.stops }),
      });
      terms = { ...estimate, pickup: body.pickup, vehicleType: body.vehicleType, quoteId: null };
      priced = stops;
    }
    if (priced === undefined) {
      // A v1 trip: one stop, its drop-off, carrying the booking's goods.
      const goods = body.goods ?? null;
      if (goods !== null) {
        pricing.assertCapacity(terms.vehicleType, goods.weightKg);
      }
      return { terms, stops: [{ seq: 1, location: terms.dropoff, recipient: null, goods }], goods };
    }
    if (body.goods !== undefined) {
      throw errors.validation(messages.goodsWithStops, {
        issues: [{ path: '/goods', message: messages.goodsWithStops }],
      });
    }
    // Pricing refused stops whose goods together exceed the vehicle when it priced them.
    return { terms, stops: priced, goods: combinedGoods(priced) };
  }

  private scheduleTime(scheduledAt: string | undefined, now: number): number | null {
    if (scheduledAt === undefined) {
      return null;
    }
    const at = Date.parse(scheduledAt);
    if (!Number.isFinite(at) || at < now + MIN_SCHEDULE_AHEAD_MS) {
      throw errors.validation('scheduledAt must be at least a minute in the future.', {
        field: 'scheduledAt',
      });
    }
    if (at > now + MAX_SCHEDULE_AHEAD_MS) {
      throw errors.validation('scheduledAt must be within 30 days.', { field: 'scheduledAt' });
    }
    return at;
  }
}

/** Who may read a booking: its customer, its driver (while it holds it), an admin. */
function mayRead(caller: Caller, customerId: string, driverId: string | null): boolean {
  return (
    caller.role === 'admin' ||
    (caller.role === 'customer' && customerId === caller.userId) ||
    (caller.role === 'driver' && driverId === caller.userId)
  );
}
