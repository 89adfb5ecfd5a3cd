import { Type } from '@sinclair/typebox';
import {
  BookingStatusSchema,
  haversineKm,
  Id,
  isActiveTripStatus,
  VehicleTypeSchema,
  type BookingStatus,
  type Coordinates,
  type VehicleType,
} from '@loadline/contracts';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import { StoredJson } from '../../lib/message-kind';
import type { Cache } from '../../platform/cache/cache.port';
import type { ShardRouter } from '../../platform/db/shard-router';
import { rooms, type RealtimeSink } from '../../platform/realtime/realtime-sink.port';
import type { BookingStopRow, BookingStopsRepository } from './booking-stops.repository';
import type { BookingRow, BookingsRepository } from './bookings.repository';
import { nextHandover } from './eta';

/** A ping recomputes a booking's ETA only this far from, or this long after, the position it was last computed from. */
export const ETA_RECOMPUTE_METERS = 250;
export const ETA_RECOMPUTE_MS = 30_000;
/** An ETA is pushed when it moves by at least this much (or the handover changes). */
export const ETA_PUSH_MINUTES = 1;
/** Gates untouched this long belong to trips that ended or moved to another instance. */
const GATE_IDLE_MS = 10 * 60_000;
const STATE_TTL_SECONDS = 6 * 3600;

/** Road travel time, from the routing service when one is configured, else distance and a speed model. */
export interface RoutedTravelTimes {
  routeMinutes(vehicleType: VehicleType, from: Coordinates, to: Coordinates): Promise<number>;
}

/** What the location hot path tells the ETA: one synchronous, in-process call per ping of an active trip. */
export interface TripPositionObserver {
  observe(bookingId: string, position: Coordinates): void;
}

/**
 * The published ETA of a booking, shared by every instance (ADR 0022): the
 * leg it is for (status, target, `toStop`), the minutes last pushed and the
 * position they were computed from.
 */
const ETA_STATE = new StoredJson(
  'live eta',
  Type.Object({
    bookingId: Id,
    customerId: Id,
    status: BookingStatusSchema,
    vehicleType: VehicleTypeSchema,
    target: Type.Object({ lat: Type.Number(), lng: Type.Number() }),
    toStop: Type.Integer({ minimum: 0 }),
    etaMinutes: Type.Number(),
    from: Type.Object({ lat: Type.Number(), lng: Type.Number() }),
    at: Type.Number(),
  }),
);
type EtaState = (typeof ETA_STATE)['schema']['static'];

/** The booking columns an ETA needs. */
export type EtaBooking = Pick<
  BookingRow,
  | 'id'
  | 'customer_id'
  | 'status'
  | 'vehicle_type'
  | 'pickup_lat'
  | 'pickup_lng'
  | 'dropoff_lat'
  | 'dropoff_lng'
>;

interface Leg {
  bookingId: string;
  customerId: string;
  status: BookingStatus;
  vehicleType: VehicleType;
  target: Coordinates;
  toStop: number;
}

interface Gate {
  lat: number;
  lng: number;
  at: number;
  busy: boolean;
}

/** Whether the driver of a trip in this status still heads for the pickup (handover 0). */
function towardPickup(status: BookingStatus): boolean {
  return ['driver_assigned', 'en_route_to_pickup', 'arrived_at_pickup'].includes(status);
}

/** A booking's stop as the ETA needs it: where, and whether it is still to be worked. */
export type EtaStop = Pick<BookingStopRow, 'seq' | 'lat' | 'lng' | 'status'>;

/**
 * The leg a trip is on: the pickup until the goods are collected, then the
 * first stop not yet delivered or failed (a booking made before stops were
 * stored heads for its drop-off, stop 1).
 */
export function legOf(booking: EtaBooking, stops: readonly EtaStop[]): Leg {
  const base = {
    bookingId: booking.id,
    customerId: booking.customer_id,
    status: booking.status,
    vehicleType: booking.vehicle_type,
  };
  if (towardPickup(booking.status)) {
    return { ...base, target: nextHandover(booking), toStop: 0 };
  }
  const next = stops.find((stop) => stop.status === 'pending' || stop.status === 'arrived') ?? stops.at(-1);
  return next === undefined
    ? { ...base, target: nextHandover(booking), toStop: 1 }
    : { ...base, target: { lat: next.lat, lng: next.lng }, toStop: next.seq };
}

/** An ETA as it was published: it holds for the booking while the booking has `status`. */
export interface KnownEta {
  status: BookingStatus;
  etaMinutes: number;
}

/** The known ETA's minutes if it holds for a booking in `status`, else null. */
export function knownMinutes(known: KnownEta | null, status: BookingStatus): number | null {
  return known !== null && known.status === status ? known.etaMinutes : null;
}

/** Whether a published ETA is for this leg: the same status and the same handover. */
function sameLeg(state: Pick<EtaState, 'status' | 'toStop'>, leg: Pick<Leg, 'status' | 'toStop'>): boolean {
  return state.status === leg.status && state.toStop === leg.toStop;
}

function etaKey(bookingId: string): string {
  return `eta:${bookingId}`;
}

export interface LiveEtaDeps {
  cache: Cache;
  router: Pick<ShardRouter, 'forId'>;
  bookings: Pick<BookingsRepository, 'findById'>;
  /** A trip in transit heads for its next stop. */
  stops: Pick<BookingStopsRepository, 'forBooking'>;
  travel: RoutedTravelTimes;
  sink: RealtimeSink;
  clock: Clock;
  logger: Logger;
}

/**
 * The live ETA of every active trip to its next handover (ADR 0022). The
 * published value lives in the shared cache, so every instance pushes against
 * and answers `/tracking` with the same number; each instance keeps only a gate
 * per booking in memory, so a ping costs one map read and a distance, and a
 * recomputation (a cache read, the routing service) runs at most once per
 * `ETA_RECOMPUTE_MS` or `ETA_RECOMPUTE_METERS` per booking and instance.
 */
export class LiveEta implements TripPositionObserver {
  private readonly gates = new Map<string, Gate>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly deps: LiveEtaDeps) {}

  observe(bookingId: string, position: Coordinates): void {
    const now = this.deps.clock.now();
    const gate = this.gates.get(bookingId);
    if (
      gate !== undefined &&
      (gate.busy ||
        (now - gate.at < ETA_RECOMPUTE_MS && haversineKm(gate, position) * 1000 < ETA_RECOMPUTE_METERS))
    ) {
      return;
    }
    const opened: Gate = { lat: position.lat, lng: position.lng, at: now, busy: true };
    this.gates.set(bookingId, opened);
    this.fromPosition(bookingId, position)
      .catch((error: unknown) => this.deps.logger.warn({ err: error, bookingId }, 'live ETA not recomputed'))
      .finally(() => {
        opened.busy = false;
      });
  }

  /**
   * The ETA already worked out for the booking and the status it holds for
   * (one cache read, no routing), read without knowing the booking's status
   * (so that a reader can ask for it beside the booking); `knownMinutes` gives
   * the answer for the booking's status.
   */
  async knownFor(bookingId: string): Promise<KnownEta | null> {
    const state = await this.readState(bookingId);
    return state === null ? null : { status: state.status, etaMinutes: state.etaMinutes };
  }

  /**
   * The published ETA for the booking's current leg, which `/tracking` and the
   * public view answer with; computed from `location` (and published) when no
   * ETA is published for this leg yet.
   */
  async current(booking: EtaBooking, location: Coordinates): Promise<number> {
    const state = await this.readState(booking.id);
    if (state !== null && state.status === booking.status) {
      return state.etaMinutes;
    }
    return (await this.publish(await this.legFor(booking), location, state)).etaMinutes;
  }

  /**
   * A committed status change or stop move: a new leg gets its ETA from the
   * last position the ETA saw (pushed, since the handover or its status
   * changed); an ended trip's ETA is dropped.
   */
  async statusChanged(bookingId: string): Promise<void> {
    // No ETA yet (no ping or tracking read has made one): nothing to move or drop, and no SQL read.
    if ((await this.readState(bookingId)) === null) {
      this.gates.delete(bookingId);
      return;
    }
    const booking = await this.deps.bookings.findById(this.deps.router.forId(bookingId).db, bookingId);
    if (booking === undefined || !isActiveTripStatus(booking.status)) {
      this.gates.delete(bookingId);
      await this.deps.cache.delete(etaKey(bookingId));
      return;
    }
    // Read again: a ping may have moved it, or a drop removed it, while the booking was read.
    const state = await this.readState(bookingId);
    if (state === null) {
      return;
    }
    const leg = await this.legFor(booking);
    if (!sameLeg(state, leg)) {
      await this.publish(leg, state.from, state);
    }
  }

  /** The booking's current leg; its stops are read only once the pickup is behind. */
  private async legFor(booking: EtaBooking): Promise<Leg> {
    const stops = towardPickup(booking.status)
      ? []
      : await this.deps.stops.forBooking(this.deps.router.forId(booking.id).db, booking.id);
    return legOf(booking, stops);
  }

  /** Forgets the gates of trips no ping has reached for a while. */
  start(): void {
    this.sweeper ??= setInterval(() => {
      const cutoff = this.deps.clock.now() - GATE_IDLE_MS;
      for (const [bookingId, gate] of this.gates) {
        if (gate.at < cutoff && !gate.busy) {
          this.gates.delete(bookingId);
        }
      }
    }, GATE_IDLE_MS);
    this.sweeper.unref();
  }

  stop(): void {
    if (this.sweeper !== null) {
      clearInterval(this.sweeper);
      this.sweeper = null;
    }
  }

  private async fromPosition(bookingId: string, position: Coordinates): Promise<void> {
    const state = await this.readState(bookingId);
    let leg: Leg;
    if (state === null) {
      // Once per trip and instance, or after the state expired: which leg the driver is on.
      const booking = await this.deps.bookings.findById(this.deps.router.forId(bookingId).db, bookingId);
      if (booking === undefined || !isActiveTripStatus(booking.status)) {
        return;
      }
      leg = await this.legFor(booking);
    } else {
      leg = state;
    }
    await this.publish(leg, position, state);
  }

  /**
   * Computes the leg's ETA from `from` and pushes it to the booking's
   * subscribers and its customer when it moved by `ETA_PUSH_MINUTES` or more,
   * or the leg changed. Returns the state now published.
   */
  private async publish(leg: Leg, from: Coordinates, previous: EtaState | null): Promise<EtaState> {
    const minutes =
      leg.status === 'arrived_at_pickup'
        ? 0
        : Math.round((await this.deps.travel.routeMinutes(leg.vehicleType, from, leg.target)) * 10) / 10;
    if (previous !== null) {
      // The routing service took a while: a status change may have moved the trip to its next leg
      // meanwhile (or ended it, dropping its ETA), and writing this older leg back would keep the
      // ETA on the wrong target, or bring back and push one for a trip that is over.
      const latest = await this.readState(leg.bookingId);
      if (latest === null || !sameLeg(latest, previous)) {
        return latest ?? previous;
      }
    }
    const now = this.deps.clock.now();
    const sameHandover = previous !== null && previous.toStop === leg.toStop;
    if (sameHandover && Math.abs(minutes - previous.etaMinutes) < ETA_PUSH_MINUTES) {
      if (previous.status === leg.status) {
        return previous;
      }
      // A step within the leg (assigned -> en route): the ETA stands, its status follows.
      const kept: EtaState = { ...previous, status: leg.status };
      await this.writeState(kept);
      return kept;
    }
    const { bookingId } = leg;
    const state: EtaState = {
      bookingId,
      customerId: leg.customerId,
      status: leg.status,
      vehicleType: leg.vehicleType,
      target: { lat: leg.target.lat, lng: leg.target.lng },
      toStop: leg.toStop,
      etaMinutes: minutes,
      from: { lat: from.lat, lng: from.lng },
      at: now,
    };
    await this.writeState(state);
    this.deps.sink.deliver({
      rooms: [rooms.booking(bookingId), rooms.user(leg.customerId)],
      event: 'etaUpdated',
      data: { bookingId, etaMinutes: minutes, toStop: leg.toStop, at: new Date(now).toISOString() },
    });
    return state;
  }

  private async readState(bookingId: string): Promise<EtaState | null> {
    const stored = await this.deps.cache.get(etaKey(bookingId));
    return stored === null ? null : ETA_STATE.readCached(stored);
  }

  private async writeState(state: EtaState): Promise<void> {
    await this.deps.cache.set(etaKey(state.bookingId), ETA_STATE.write(state), STATE_TTL_SECONDS);
  }
}
