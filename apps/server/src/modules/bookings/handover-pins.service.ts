import type { BookingPins } from '@loadline/contracts';
import type { Clock } from '../../lib/clock';
import { AppError, errors } from '../../lib/errors';
import type { SecretBox } from '../../lib/secret-box';
import { isTransientConflict } from '../../platform/db/db-errors';
import type { BookingEventType } from '../../platform/db/schema';
import type { Executor } from '../../platform/db/shard-pool';
import type { ShardRouter } from '../../platform/db/shard-router';
import { bookingVersion, type BookingReadCache } from './booking-read-cache';
import type { BookingStopsRepository } from './booking-stops.repository';
import type { BookingRow, BookingsRepository } from './bookings.repository';
import type { Caller } from './bookings.service';
import { hashPin, newPin, PICKUP_HANDOVER, PIN_TRIES, pinMatches } from './handover-pin-codes';
import type { BookingPinRow, HandoverPinsRepository } from './handover-pins.repository';

export interface HandoverPinsServiceDeps {
  router: ShardRouter;
  clock: Clock;
  bookings: BookingsRepository;
  stops: BookingStopsRepository;
  pins: HandoverPinsRepository;
  /** A PIN event bumps the booking's seq: its new version is fenced in the read cache. */
  readCache: Pick<BookingReadCache, 'fence'>;
  /** Seals each PIN so its customer can read it again (WEBHOOK_SECRET_KEY). */
  box: SecretBox;
}

const messages = {
  missing: 'This handover needs its PIN: ask the recipient for it.',
  wrong: 'That PIN is not right.',
  locked: 'Too many wrong PINs: this handover is locked until support unlocks it.',
  notIssued: 'The PINs of this booking are being made; try again.',
} as const;

/** The handover's name in messages and details: the pickup, or the stop's seq. */
function handoverDetails(handover: number): { handover: number } {
  return { handover };
}

function pinLocked(handover: number): AppError {
  return new AppError(423, 'pin_locked', messages.locked, { details: handoverDetails(handover) });
}

/**
 * Handover PINs (ADR 0028): a fresh 4-digit PIN for the pickup and every stop
 * at each assignment of a booking made with `handoverPins`, stored hashed for
 * checking and sealed for its customer to read; the driver types them. Five
 * wrong PINs lock a handover until an admin unlocks it. Every wrong PIN and
 * every unlock is a booking event with its own seq; a PIN itself is never in
 * an event, a log line or anything the driver is sent.
 */
export class HandoverPinsService {
  constructor(private readonly deps: HandoverPinsServiceDeps) {}

  /** In the assignment's transaction: fresh PINs for the pickup and each stop, replacing any before. */
  async issue(trx: Executor, bookingId: string, now: number): Promise<void> {
    const stops = await this.deps.stops.forBooking(trx, bookingId);
    // A booking made before stops were stored has one: its drop-off.
    const handovers = [PICKUP_HANDOVER, ...(stops.length === 0 ? [1] : stops.map((stop) => stop.seq))];
    const rows: BookingPinRow[] = handovers.map((handover) => {
      const pin = newPin();
      return {
        booking_id: bookingId,
        handover,
        pin_hash: hashPin(pin),
        pin_sealed: this.deps.box.seal(pin),
        failures: 0,
        locked_at: null,
        created_at: now,
      };
    });
    await this.deps.pins.replace(trx, bookingId, rows);
  }

  /** In a release's transaction: the released driver's PINs stop working; the next assignment makes new ones. */
  async revoke(trx: Executor, bookingId: string): Promise<void> {
    await this.deps.pins.remove(trx, bookingId);
  }

  /**
   * Before a handover of a booking with PINs (no-op without): 423 pin_locked
   * when locked; 422 invalid_pin when `pin` is missing or wrong. A wrong PIN
   * counts (the fifth locks the handover) and is recorded as a booking event
   * before the answer; a missing one does not count (a client that did not
   * ask for it has not guessed).
   */
  async check(
    booking: BookingRow,
    handover: number,
    pin: string | undefined,
    driverId: string,
  ): Promise<void> {
    if (booking.handover_pins !== 1) {
      return;
    }
    const db = this.deps.router.forId(booking.id).db;
    const row = await this.deps.pins.find(db, booking.id, handover);
    if (row === undefined) {
      throw errors.conflict('conflict', messages.notIssued);
    }
    if (row.locked_at !== null) {
      throw pinLocked(handover);
    }
    if (pin === undefined) {
      throw new AppError(422, 'invalid_pin', messages.missing, {
        details: { ...handoverDetails(handover), triesLeft: PIN_TRIES - row.failures },
      });
    }
    if (pinMatches(row.pin_hash, pin)) {
      return;
    }
    const failures = await this.recordWrongPin(booking, handover, driverId);
    throw new AppError(422, 'invalid_pin', messages.wrong, {
      details: { ...handoverDetails(handover), triesLeft: Math.max(0, PIN_TRIES - failures) },
    });
  }

  /** `GET /v1/bookings/:id/pins`: its customer's or an admin's; 404 for anyone else. */
  async read(caller: Caller, bookingId: string): Promise<BookingPins> {
    const db = this.deps.router.forId(bookingId).db;
    const booking = await this.deps.bookings.findById(db, bookingId);
    const allowed =
      booking !== undefined &&
      (caller.role === 'admin' || (caller.role === 'customer' && booking.customer_id === caller.userId));
    if (!allowed) {
      throw errors.notFound('Booking');
    }
    return this.present(await this.deps.pins.forBooking(db, bookingId));
  }

  /**
   * `POST /v1/admin/bookings/:id/pins/unlock`: clears the wrong tries of one
   * locked handover (or of every locked one), each recorded as a `pins_unlocked`
   * event by the admin. 404 for an unknown booking; unlocking what is not
   * locked changes nothing.
   */
  async unlock(adminId: string, bookingId: string, handover: number | undefined): Promise<BookingPins> {
    const db = this.deps.router.forId(bookingId).db;
    if ((await this.deps.bookings.findById(db, bookingId)) === undefined) {
      throw errors.notFound('Booking');
    }
    const locked = (await this.deps.pins.forBooking(db, bookingId))
      .filter((row) => row.locked_at !== null && (handover === undefined || row.handover === handover))
      .map((row) => row.handover);
    if (locked.length > 0) {
      await this.withEvents(
        bookingId,
        { role: 'admin', id: adminId },
        'pins_unlocked',
        locked,
        async (trx) => {
          await this.deps.pins.unlock(trx, bookingId, locked);
          return null;
        },
      );
    }
    return this.present(await this.deps.pins.forBooking(db, bookingId));
  }

  private present(rows: readonly BookingPinRow[]): BookingPins {
    const { box } = this.deps;
    const pickup = rows.find((row) => row.handover === PICKUP_HANDOVER);
    return {
      pickup: pickup === undefined ? null : box.open(pickup.pin_sealed),
      stops: rows
        .filter((row) => row.handover !== PICKUP_HANDOVER)
        .map((row) => ({ seq: row.handover, pin: box.open(row.pin_sealed) })),
      locked: rows.filter((row) => row.locked_at !== null).map((row) => row.handover),
    };
  }

  /**
   * Counts a wrong PIN and records it (`pin_rejected`, or `pin_locked` for the
   * try that locks it) in one transaction; the handover's wrong tries after it.
   */
  private async recordWrongPin(booking: BookingRow, handover: number, driverId: string): Promise<number> {
    const { pins, clock } = this.deps;
    let failures = 0;
    await this.withEvents(booking.id, { role: 'driver', id: driverId }, null, [handover], async (trx) => {
      failures = await pins.addWrongTry(trx, booking.id, handover, PIN_TRIES, clock.now());
      return failures >= PIN_TRIES ? 'pin_locked' : 'pin_rejected';
    });
    return failures;
  }

  /**
   * Runs `write` and records one booking event per handover (its own seq, the
   * booking's status) in one transaction, bumping the booking's seq past them;
   * a concurrent change of the booking makes it read again and retry. `type`
   * null takes the event type `write` answers.
   */
  private async withEvents(
    bookingId: string,
    actor: { role: 'driver' | 'admin'; id: string },
    type: BookingEventType | null,
    handovers: readonly number[],
    write: (trx: Executor) => Promise<BookingEventType | null>,
  ): Promise<void> {
    const { router, bookings, clock } = this.deps;
    const db = router.forId(bookingId).db;
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const current = await bookings.findById(db, bookingId);
      if (current === undefined) {
        throw errors.notFound('Booking');
      }
      const now = clock.now();
      try {
        const applied = await db.transaction().execute(async (trx) => {
          const seq = current.seq + handovers.length;
          const moved = await bookings.applyChange(trx, {
            id: bookingId,
            expectedStatus: current.status,
            expectedSeq: current.seq,
            set: { seq, updated_at: now },
          });
          if (!moved) {
            return false;
          }
          const answered = await write(trx);
          const eventType = type ?? answered;
          if (eventType === null) {
            throw new Error('a PIN event needs a type');
          }
          for (const [index, handover] of handovers.entries()) {
            await bookings.insertEvent(trx, {
              booking_id: bookingId,
              seq: current.seq + 1 + index,
              status: current.status,
              actor_role: actor.role,
              actor_id: actor.id,
              at: now,
              type: eventType,
              stop_seq: handover === PICKUP_HANDOVER ? null : handover,
            });
          }
          await this.deps.readCache.fence(bookingId, bookingVersion({ seq, rating: current.rating }));
          return true;
        });
        if (applied) {
          return;
        }
      } catch (error) {
        if (!isTransientConflict(error)) {
          throw error;
        }
      }
    }
    throw new AppError(409, 'conflict', 'The booking is changing too fast; try again.');
  }
}
