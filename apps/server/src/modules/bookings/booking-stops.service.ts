import type { Booking, CompleteStopBody, Coordinates, FailStopBody } from '@loadline/contracts';
import type { Updateable } from 'kysely';
import type { Clock } from '../../lib/clock';
import { AppError, errors } from '../../lib/errors';
import { isTransientConflict, retryOnConflict } from '../../platform/db/db-errors';
import type { BookingStopsTable } from '../../platform/db/schema';
import type { Executor } from '../../platform/db/shard-pool';
import type { ShardRouter } from '../../platform/db/shard-router';
import type { OutboxWriter } from '../../platform/outbox/outbox';
import { BOOKING_STOP_CHANGED, type BookingStopChanged } from '../events/booking-events';
import { newStopRows } from './booking-rows';
import type { BookingStopRow, BookingStopsRepository } from './booking-stops.repository';
import { legacyStopOf } from './bookings.presenter';
import type { BookingRow, BookingsRepository } from './bookings.repository';
import type { BookingsService, DriverLocator } from './bookings.service';
import { bookingVersion, type BookingReadCache } from './booking-read-cache';
import type { HandoverPinsService } from './handover-pins.service';
import { assertNearStop } from './stop-distance';

/** Where the stops service checks a proof file: who uploaded it, for which booking (null when unknown). */
export interface ProofUploads {
  find(uploadId: string): Promise<{ ownerId: string; bookingId: string } | null>;
}

export interface BookingStopsServiceDeps {
  router: ShardRouter;
  clock: Clock;
  outbox: OutboxWriter;
  bookings: BookingsRepository;
  stops: BookingStopsRepository;
  /** The status path a booking's last stop delivers it through, and how bookings are presented. */
  bookingsService: Pick<BookingsService, 'transition' | 'present'>;
  presence: DriverLocator;
  /** Each stop move fences the booking's new version in the read cache. */
  readCache: Pick<BookingReadCache, 'fence'>;
  /** A completion on a booking with PINs needs its stop's PIN. */
  pins: Pick<HandoverPinsService, 'check'>;
  uploads: ProofUploads;
  /** STOP_MAX_DISTANCE_M. */
  maxDistanceM: number;
  onCommitted?: () => void;
}

type StopChange = BookingStopChanged['change'];

/** What a stop's move checks besides its order: the driver's position at the stop, proof uploads, the PIN. */
interface MoveChecks {
  /** The driver must be within STOP_MAX_DISTANCE_M of the stop (its position becomes the proof's). */
  near: boolean;
  /** Upload IDs that must be this driver's for this booking (absent ones skipped). */
  proofs: readonly (string | undefined)[];
  /** The handover's PIN is checked (the PIN given, if any) on a booking with PINs. */
  pin?: { given: string | undefined };
}

/** What a stop's move writes, given the time it is made. */
type StopWrite = (now: number) => Updateable<BookingStopsTable>;

const messages = {
  notThisBooking: 'That file was uploaded for another booking.',
  changed: 'The booking changed meanwhile; try again.',
} as const;

/** The booking event type of each stop change, as `/events` names it. */
const EVENT_TYPES = {
  arrived: 'stop_arrived',
  completed: 'stop_completed',
  failed: 'stop_failed',
} as const satisfies Record<StopChange, string>;

/**
 * The driver works a booking's stops in order once it is `in_transit`:
 * arrive, then complete (with proof) or fail (with a reason). Each move bumps
 * the booking's seq and records a booking event and an outbox event in one
 * transaction; the move that settles the last stop also delivers the booking
 * through `BookingsService.transition`, the path every v1 delivery takes.
 */
export class BookingStopsService {
  constructor(private readonly deps: BookingStopsServiceDeps) {}

  async arrive(driverId: string, bookingId: string, seq: number): Promise<Booking> {
    const what = { change: 'arrived', reason: null } as const;
    return this.move(driverId, bookingId, seq, what, { near: true, proofs: [] }, (stop) => {
      if (stop.status !== 'pending') {
        throw errors.invalidTransition(stop.status, 'arrived');
      }
      return (now) => ({ status: 'arrived', arrived_at: now });
    });
  }

  async complete(driverId: string, bookingId: string, seq: number, body: CompleteStopBody): Promise<Booking> {
    const what = { change: 'completed', reason: null } as const;
    const checks = { near: true, proofs: [body.photoId, body.signatureId], pin: { given: body.pin } };
    return this.move(driverId, bookingId, seq, what, checks, (_stop, location) => (now) => ({
      status: 'delivered',
      completed_at: now,
      proof_recipient_name: body.recipientName ?? null,
      proof_photo_id: body.photoId ?? null,
      proof_signature_id: body.signatureId ?? null,
      proof_lat: location?.lat ?? null,
      proof_lng: location?.lng ?? null,
    }));
  }

  async fail(driverId: string, bookingId: string, seq: number, body: FailStopBody): Promise<Booking> {
    const what = { change: 'failed', reason: body.reason } as const;
    return this.move(
      driverId,
      bookingId,
      seq,
      what,
      { near: false, proofs: [body.photoId] },
      () => (now) => ({
        status: 'failed',
        completed_at: now,
        failure_reason: body.reason,
        failure_note: body.note ?? null,
        failure_photo_id: body.photoId ?? null,
      }),
    );
  }

  /**
   * Reads the booking and its stops once, checks the move in this order, then
   * writes the stop's move with its events; the last stop settled delivers the
   * booking in the same transaction. 404 unless the caller drives the booking,
   * 404 for an unknown stop; 422 invalid_transition before `in_transit` or
   * unless `seq` is the stop to work now (the first not delivered or failed);
   * with `near`, 422 too_far_from_stop unless the driver's last position is
   * within the limit (that position is the proof's); the proof uploads (see
   * `assertProof`); then the handover's PIN (422 invalid_pin, 423 pin_locked);
   * 409 when the booking changed meanwhile (another move won).
   */
  private async move(
    driverId: string,
    bookingId: string,
    seq: number,
    what: Pick<BookingStopChanged, 'change' | 'reason'>,
    checks: MoveChecks,
    plan: (stop: BookingStopRow, location: Coordinates | null) => StopWrite,
  ): Promise<Booking> {
    const { change } = what;
    const { router, bookings, stops, clock, presence, maxDistanceM } = this.deps;
    const db = router.forId(bookingId).db;
    const booking = await this.driven(driverId, bookingId);
    const [stored, live] = await Promise.all([
      stops.forBooking(db, bookingId),
      checks.near ? presence.liveLocation(driverId) : null,
    ]);
    // A booking made before stops were stored gets its one stop now, written with this move.
    const materialize = stored.length === 0;
    const rows = materialize ? newStopRows(bookingId, [legacyStopOf(booking)]) : stored;
    const stop = rows.find((row) => row.seq === seq);
    if (stop === undefined) {
      throw errors.notFound('Stop');
    }
    if (booking.status !== 'in_transit') {
      throw errors.invalidTransition(booking.status, `stop_${change}`);
    }
    const open = rows.filter((row) => row.status === 'pending' || row.status === 'arrived');
    if (open[0]?.seq !== seq) {
      throw errors.invalidTransition(stop.status, change);
    }
    // Where the driver is matters only for a move that could be made now: a driver told to come
    // closer to a stop that is not the next one would drive there for nothing.
    const location = checks.near ? assertNearStop(live, stop, maxDistanceM) : null;
    await Promise.all(checks.proofs.map((uploadId) => this.assertProof(driverId, bookingId, uploadId)));
    if (checks.pin !== undefined) {
      await this.deps.pins.check(booking, seq, checks.pin.given, driverId);
    }
    const write = plan(stop, location);
    const settles = change !== 'arrived';
    const last = settles && open.length === 1;

    const record = async (trx: Executor, eventSeq: number, now: number): Promise<void> => {
      if (materialize) {
        await stops.insertMany(trx, rows);
      }
      if (!(await stops.applyChange(trx, { bookingId, seq, expectedStatus: stop.status, set: write(now) }))) {
        throw new StopMoved();
      }
      await this.recordStopEvent(trx, booking, { ...what, seq: eventSeq, stopSeq: seq, at: now, driverId });
    };

    try {
      if (last) {
        const delivered = await this.deps.bookingsService.transition(
          bookingId,
          'delivered',
          { role: 'driver', id: driverId },
          {
            // Any stop move since the read above bumped the seq: the rules must be applied again.
            check: (current) => {
              if (current.seq !== booking.seq) {
                throw errors.conflict('conflict', messages.changed);
              }
            },
            requireDriver: driverId,
            eventsBefore: 1,
            set: (_current, now) => ({ delivered_at: now }),
            alsoWrite: (trx, next, now) => record(trx, next.seq - 1, now),
          },
        );
        return await this.deps.bookingsService.present(delivered);
      }
      const now = clock.now();
      const next: BookingRow = { ...booking, seq: booking.seq + 1, updated_at: now };
      const applied = await retryOnConflict(() =>
        db.transaction().execute(async (trx) => {
          const moved = await bookings.applyChange(trx, {
            id: bookingId,
            expectedStatus: booking.status,
            expectedSeq: booking.seq,
            set: { seq: next.seq, updated_at: now },
            requireDriver: driverId,
          });
          if (!moved) {
            return false;
          }
          await record(trx, next.seq, now);
          await this.deps.readCache.fence(bookingId, bookingVersion(next));
          return true;
        }),
      );
      if (!applied) {
        throw errors.conflict('conflict', messages.changed);
      }
      this.deps.onCommitted?.();
      return await this.deps.bookingsService.present(next);
    } catch (error) {
      if (error instanceof StopMoved || isTransientConflict(error)) {
        throw errors.conflict('conflict', messages.changed);
      }
      throw error;
    }
  }

  /** The booking, when `driverId` drives it; 404 otherwise (never revealing which). */
  private async driven(driverId: string, bookingId: string): Promise<BookingRow> {
    const booking = await this.deps.bookings.findById(this.deps.router.forId(bookingId).db, bookingId);
    if (booking === undefined || booking.driver_id !== driverId) {
      throw errors.notFound('Booking');
    }
    return booking;
  }

  /**
   * A proof file must be this driver's upload for this booking: 404 when it
   * does not exist or someone else uploaded it, 422 invalid_proof when the
   * driver uploaded it for another booking.
   */
  private async assertProof(
    driverId: string,
    bookingId: string,
    uploadId: string | undefined,
  ): Promise<void> {
    if (uploadId === undefined) {
      return;
    }
    const upload = await this.deps.uploads.find(uploadId);
    if (upload === null || upload.ownerId !== driverId) {
      throw errors.notFound('Upload');
    }
    if (upload.bookingId !== bookingId) {
      throw new AppError(422, 'invalid_proof', messages.notThisBooking, { details: { uploadId } });
    }
  }

  /** The stop's booking event (its own seq, the booking's status) and outbox event, in the move's transaction. */
  private async recordStopEvent(
    trx: Executor,
    booking: BookingRow,
    event: Omit<BookingStopChanged, 'bookingId' | 'customerId'>,
  ): Promise<void> {
    await this.deps.bookings.insertEvent(trx, {
      booking_id: booking.id,
      seq: event.seq,
      status: booking.status,
      actor_role: 'driver',
      actor_id: event.driverId,
      at: event.at,
      type: EVENT_TYPES[event.change],
      stop_seq: event.stopSeq,
    });
    const payload: BookingStopChanged = { ...event, bookingId: booking.id, customerId: booking.customer_id };
    await this.deps.outbox.append(trx, { topic: BOOKING_STOP_CHANGED, aggregateId: booking.id, payload });
  }
}

/** The stop moved between the read and the write: its conditional update missed. */
class StopMoved extends Error {}
