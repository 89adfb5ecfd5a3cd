import { Type } from '@sinclair/typebox';
import { Id, type Booking, type Offer } from '@loadline/contracts';
import type { Clock } from '../../lib/clock';
import { AppError, errors } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import type { GeoHit, GeoIndex } from '../../platform/geo/geo-index.port';
import { isUniqueViolation } from '../../platform/db/db-errors';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema';
import type { Executor } from '../../platform/db/shard-pool';
import { groupByShard, type ShardRouter } from '../../platform/db/shard-router';
import type { OutboxWriter } from '../../platform/outbox/outbox';
import { JobType, type JobQueue } from '../../platform/queue/job-queue.port';
import { OFFER_CREATED, OFFER_REVOKED, type OfferCreated, type OfferRevoked } from '../events/booking-events';
import { isTerminal } from '../bookings/booking-state';
import { presentBooking } from '../bookings/bookings.presenter';
import { OFFERED_TO, type BookingRow, type BookingsRepository } from '../bookings/bookings.repository';
import type { BookingsService } from '../bookings/bookings.service';
import type { DriverPresence } from '../drivers/driver-presence';
import type { DriverClaimsRepository } from '../drivers/driver-claims.repository';
import { availableDriversSet } from '../drivers/available-drivers';
import { OFFER_PAYLOAD, type OfferRow, type OffersRepository } from './offers.repository';

/** One wave of offers for a searching booking; each wave queues the next. */
export const DISPATCH_WAVE_JOB = new JobType(
  'dispatch.wave',
  Type.Object({ bookingId: Id, wave: Type.Integer({ minimum: 1 }) }),
);

/** The job id of wave `wave` of the booking's current search (a release starts a new one). */
export function waveJobId(
  booking: Pick<BookingRow, 'id' | 'search_started_at' | 'created_at'>,
  wave: number,
): string {
  return `wave-${booking.id}-${booking.search_started_at ?? booking.created_at}-${wave}`;
}

export interface DispatchSettings {
  offersPerWave: number;
  initialRadiusKm: number;
  radiusGrowth: number;
  maxWaves: number;
  offerTtlSeconds: number;
  /** When a wave found nobody, the next one comes after this, sooner than an offer's lifetime. */
  emptyWaveDelayMs: number;
  maxPositionAgeSeconds: number;
}

export interface DispatchServiceDeps {
  router: ShardRouter;
  clock: Clock;
  geo: GeoIndex;
  queue: JobQueue;
  outbox: OutboxWriter;
  bookings: BookingsRepository;
  bookingsService: BookingsService;
  offers: OffersRepository;
  claims: DriverClaimsRepository;
  presence: DriverPresence;
  settings: DispatchSettings;
  logger: Logger;
  onCommitted?: () => void;
}

/**
 * Matching: offers a searching booking to the nearest eligible drivers in
 * waves that widen, and turns an acceptance into an assignment that exactly
 * one driver wins. A wave, an acceptance, a rejection and a release each read
 * and move the same offers and claims under the same rules, so they stay one
 * class; that is why this file runs past ~400 lines.
 */
export class DispatchService {
  constructor(private readonly deps: DispatchServiceDeps) {}

  /** Radius of wave `wave` (1-based). */
  radiusKm(wave: number): number {
    const { initialRadiusKm, radiusGrowth } = this.deps.settings;
    return initialRadiusKm * radiusGrowth ** (wave - 1);
  }

  /**
   * Queues wave `wave` of the search the booking row (as the caller read it)
   * belongs to; the job id makes a repeated call harmless. The job id names
   * the search (a release starts a new one): with the wave number alone, a
   * release after that wave's job had run (finding the booking taken) could
   * never queue it again, and one before it waited for the old job's delay.
   */
  async queueWave(booking: BookingRow, wave: number, delayMs = 0): Promise<void> {
    await this.deps.queue.enqueue(
      DISPATCH_WAVE_JOB,
      { bookingId: booking.id, wave },
      { jobId: waveJobId(booking, wave), delayMs, attempts: 5, backoffMs: 500 },
    );
  }

  /**
   * Starts a new search: its first wave runs at once, on the row the caller
   * has just read, rather than as a queue job of its own (a job costs more
   * than the wave's reads). Should that try fail, the wave's job takes over
   * with its own tries, as any later wave's would.
   */
  async startSearch(booking: BookingRow): Promise<void> {
    try {
      await this.runWave(booking.id, 1, booking);
    } catch (error) {
      this.deps.logger.warn(
        { err: error, bookingId: booking.id },
        'first dispatch wave failed: its queue job tries again',
      );
      await this.queueWave(booking, 1);
    }
  }

  /**
   * When a search started at `booking.search_started_at` ends: its last wave's
   * offers have had their time. Past it the booking expires, however late its
   * waves ran.
   */
  searchDeadline(booking: Pick<BookingRow, 'search_started_at' | 'created_at'>): number {
    const { maxWaves, offerTtlSeconds } = this.deps.settings;
    return (booking.search_started_at ?? booking.created_at) + maxWaves * offerTtlSeconds * 1000;
  }

  /**
   * Runs one wave: expires the booking past the last wave or its search
   * deadline, else offers it to the nearest eligible drivers (see
   * `OffersRepository.eligible` for who is asked again), records when the next
   * wave is due (`next_step_at`, which the sweep reads should the queue lose
   * it) and queues it. Idempotent: a wave already recorded on the booking only
   * re-queues its successor.
   */
  async runWave(bookingId: string, wave: number, loaded?: BookingRow): Promise<void> {
    const { router, bookings, settings, clock } = this.deps;
    const db = router.forId(bookingId).db;
    // A row the caller has just read will do: recording the wave is conditional on the wave before it.
    const booking = loaded ?? (await bookings.findById(db, bookingId));
    if (booking === undefined || booking.status !== 'searching') {
      return;
    }
    if (booking.offer_wave >= wave) {
      await this.queueWave(booking, booking.offer_wave + 1, settings.offerTtlSeconds * 1000);
      return;
    }
    const offeredBefore = OFFERED_TO.read(booking.offered_to);
    const now = clock.now();
    await this.expireLapsedOffers(bookingId, offeredBefore, now);

    const deadline = this.searchDeadline(booking);
    if (wave > settings.maxWaves || now >= deadline) {
      await this.expire(bookingId);
      return;
    }
    const chosen = await this.candidates(booking, wave, offeredBefore.length);
    const delayMs =
      chosen.length > 0
        ? settings.offerTtlSeconds * 1000
        : Math.min(settings.emptyWaveDelayMs, settings.offerTtlSeconds * 1000);
    // Everyone ever offered the booking, once each: the list whose offers a cancellation withdraws.
    const recorded = await bookings.recordWave(
      db,
      bookingId,
      wave,
      [...new Set([...offeredBefore, ...chosen.map((c) => c.driverId)])],
      Math.min(now + delayMs, deadline),
    );
    if (!recorded) {
      return;
    }
    const expiresAt = now + settings.offerTtlSeconds * 1000;
    const view = presentBooking(booking);
    await this.offerAll(
      chosen.map((candidate) => this.offerRow(booking, view, candidate, wave, now, expiresAt)),
    );
    if (chosen.length > 0) {
      this.deps.onCommitted?.();
    }
    this.deps.logger.debug(
      { bookingId, wave, offered: chosen.length, radiusKm: this.radiusKm(wave) },
      'dispatch wave',
    );
    await this.queueWave(booking, wave + 1, delayMs);
  }

  /** The driver's pending, unexpired offers, newest first. */
  async pendingOffers(driverId: string): Promise<Offer[]> {
    const rows = await this.deps.offers.pending(
      this.deps.router.forId(driverId).db,
      driverId,
      this.deps.clock.now(),
    );
    return rows.map((row) => OFFER_PAYLOAD.read(row.payload));
  }

  /**
   * Accepts an offer. Exactly one driver wins a booking: each driver first
   * claims itself (at most one active trip), then the conditional update
   * `status = 'searching' AND driver_id IS NULL` picks the winner; losers give
   * their claim back and get 409.
   */
  async accept(driverId: string, bookingId: string): Promise<Booking> {
    const { router, offers, claims, clock, bookings } = this.deps;
    const driverDb = router.forId(driverId).db;
    const offer = await offers.find(driverDb, driverId, bookingId);
    if (offer === undefined) {
      throw errors.notFound('Offer');
    }
    const booking = await bookings.findById(router.forId(bookingId).db, bookingId);
    if (booking === undefined) {
      throw errors.notFound('Offer');
    }
    if (booking.driver_id === driverId && booking.status !== 'searching') {
      // A repeated accept by the winner answers like the first one.
      return this.deps.bookingsService.present(booking);
    }
    if (booking.status !== 'searching' || booking.driver_id !== null) {
      throw bookingTaken();
    }
    if (offer.status !== 'pending' || offer.expires_at <= clock.now()) {
      throw errors.conflict('offer_expired', 'This offer is no longer open.');
    }

    if (!(await this.claimDriver(driverId, bookingId))) {
      throw errors.conflict('driver_busy', 'You already have an active job.');
    }
    let assigned: BookingRow;
    try {
      assigned = await this.deps.bookingsService.transition(
        bookingId,
        'driver_assigned',
        { role: 'driver', id: driverId },
        {
          check: (current) => {
            if (current.status !== 'searching' || current.driver_id !== null) {
              throw bookingTaken();
            }
          },
          requireNoDriver: true,
          set: (_current, now) => ({ driver_id: driverId, assigned_at: now }),
        },
      );
    } catch (error) {
      await claims.release(driverId, bookingId, clock.now());
      throw error;
    }
    await offers.setStatus(driverDb, driverId, bookingId, ['pending'], 'accepted', clock.now());
    await this.deps.presence.setActiveTrip(driverId, { bookingId, customerId: assigned.customer_id });
    await this.deps.presence.refreshAvailability(driverId);
    // With its stops: the driver's list of drop-offs to work.
    return this.deps.bookingsService.present(assigned);
  }

  async reject(driverId: string, bookingId: string): Promise<void> {
    const db = this.deps.router.forId(driverId).db;
    const offer = await this.deps.offers.find(db, driverId, bookingId);
    if (offer === undefined) {
      throw errors.notFound('Offer');
    }
    if (offer.status === 'rejected') {
      return;
    }
    const moved = await this.deps.offers.setStatus(
      db,
      driverId,
      bookingId,
      ['pending'],
      'rejected',
      this.deps.clock.now(),
    );
    if (!moved) {
      throw errors.conflict('offer_expired', 'This offer is no longer open.');
    }
  }

  /** The assigned driver hands a trip back; it returns to searching and dispatch goes on. */
  async release(driverId: string, bookingId: string): Promise<Booking> {
    const booking = await this.deps.bookingsService.driverUpdate(driverId, bookingId, 'searching');
    await this.afterDriverLeft(driverId, bookingId);
    return booking;
  }

  /** Gives a driver back to the pool once a trip no longer holds them. Idempotent. */
  async afterDriverLeft(driverId: string, bookingId: string): Promise<void> {
    await this.deps.claims.release(driverId, bookingId, this.deps.clock.now());
    await this.deps.presence.setActiveTrip(driverId, null);
    await this.deps.presence.refreshAvailability(driverId);
  }

  /**
   * Withdraws the still-pending offers of a booking (taken, cancelled or
   * expired) up to the wave `booking` had when read after the change. This may
   * run late (at least once): by then the taker may have released the booking
   * and dispatch offered it again, and those newer offers, like every offer
   * while the booking is searching again, stay open.
   */
  async revokeOffers(
    booking: BookingRow,
    reason: OfferRevoked['reason'],
    except: string | null,
  ): Promise<void> {
    if (reason === 'taken' && booking.status === 'searching') {
      return;
    }
    const offeredTo = OFFERED_TO.read(booking.offered_to).filter((driverId) => driverId !== except);
    const now = this.deps.clock.now();
    await Promise.all(
      offeredTo.map(async (driverId) => {
        const db = this.deps.router.forId(driverId).db;
        await db.transaction().execute(async (trx) => {
          const moved = await this.deps.offers.revoke(trx, driverId, booking.id, booking.offer_wave, now);
          if (moved) {
            await this.deps.outbox.append(trx, {
              topic: OFFER_REVOKED,
              aggregateId: driverId,
              payload: { driverId, bookingId: booking.id, reason } satisfies OfferRevoked,
            });
          }
        });
      }),
    );
    this.deps.onCommitted?.();
  }

  private async expire(bookingId: string): Promise<void> {
    try {
      await this.deps.bookingsService.transition(bookingId, 'expired', { role: 'system', id: null });
    } catch (error) {
      // Accepted or cancelled meanwhile: nothing to expire.
      if (!(error instanceof AppError && error.code === 'invalid_transition')) {
        throw error;
      }
    }
  }

  private async expireLapsedOffers(
    bookingId: string,
    driverIds: readonly string[],
    now: number,
  ): Promise<void> {
    await Promise.all(
      [...this.deps.router.groupById(driverIds)].map(([shard, ids]) =>
        this.deps.offers.expireLapsed(shard.db, ids, bookingId, now),
      ),
    );
  }

  /**
   * Nearest available drivers within this wave's radius with a recent position,
   * eligible by SQL (which also skips those offered the booking before; see
   * `OffersRepository.eligible`). The nearest are confirmed first, only as many
   * as the wave could use (those offered before are likely among them), so a
   * wave usually asks two or three shards; the rest only if too few of those
   * were eligible.
   */
  private async candidates(
    booking: BookingRow,
    wave: number,
    offeredBefore: number,
  ): Promise<{ driverId: string; distanceKm: number }[]> {
    const { geo, settings } = this.deps;
    const hits = await geo.nearby(
      availableDriversSet(booking.vehicle_type),
      { lat: booking.pickup_lat, lng: booking.pickup_lng },
      this.radiusKm(wave),
      settings.offersPerWave + offeredBefore + 20,
    );
    // A driver whose app stopped sending positions may be gone: only recent positions count.
    const takenAt = await this.deps.presence.positionTimes(hits.map((hit) => hit.member));
    const oldest = this.deps.clock.now() - settings.maxPositionAgeSeconds * 1000;
    const fresh = hits.filter((_, index) => (takenAt[index] ?? 0) >= oldest);
    const firstRound = settings.offersPerWave + offeredBefore;
    const eligible = await this.confirmEligible(booking, fresh.slice(0, firstRound));
    if (eligible.size < settings.offersPerWave && fresh.length > firstRound) {
      for (const id of await this.confirmEligible(booking, fresh.slice(firstRound))) {
        eligible.add(id);
      }
    }
    return fresh
      .filter((hit) => eligible.has(hit.member))
      .slice(0, settings.offersPerWave)
      .map((hit) => ({ driverId: hit.member, distanceKm: hit.distanceKm }));
  }

  /** The geo index is a copy: confirms each driver against SQL, one statement per shard. */
  private async confirmEligible(booking: BookingRow, hits: readonly GeoHit[]): Promise<Set<string>> {
    const eligible = new Set<string>();
    await Promise.all(
      [...this.deps.router.groupById(hits.map((hit) => hit.member))].map(async ([shard, ids]) => {
        for (const id of await this.deps.offers.eligible(shard.db, ids, {
          id: booking.id,
          weightKg: booking.goods_weight_kg,
        })) {
          eligible.add(id);
        }
      }),
    );
    return eligible;
  }

  /** The offer row for a chosen driver: the offer exactly as the driver is shown it. */
  private offerRow(
    booking: BookingRow,
    view: Booking,
    candidate: { driverId: string; distanceKm: number },
    wave: number,
    now: number,
    expiresAt: number,
  ): OfferRow {
    const payload: Offer = {
      bookingId: booking.id,
      pickup: view.pickup,
      dropoff: view.dropoff,
      vehicleType: booking.vehicle_type,
      price: view.price,
      distanceKm: booking.distance_km,
      pickupDistanceKm: Math.round(candidate.distanceKm * 100) / 100,
      expiresAt: new Date(expiresAt).toISOString(),
      ...(view.goods === null ? {} : { goods: view.goods }),
    };
    return {
      driver_id: candidate.driverId,
      booking_id: booking.id,
      status: 'pending',
      wave,
      payload: OFFER_PAYLOAD.write(payload),
      created_at: now,
      expires_at: expiresAt,
      responded_at: null,
    };
  }

  /**
   * Writes a wave's offers with one transaction per drivers' shard: the offers
   * and their events go with its COMMIT, one round trip (ADR 0034). A driver
   * who already has a row for the booking (a withdrawn offer, asked again)
   * fails that shard's batch on the unique key; its offers are then written one
   * by one, which reopens that row.
   */
  private async offerAll(rows: readonly OfferRow[]): Promise<void> {
    await Promise.all(
      [...groupByShard(this.deps.router, rows, (row) => row.driver_id)].map(async ([shard, batch]) => {
        try {
          await shard.db.transaction().execute(async (trx) => {
            await this.deps.offers.insertAll(trx, batch);
            for (const row of batch) {
              await this.appendOfferCreated(trx, row);
            }
          });
        } catch (error) {
          if (!isUniqueViolation(error)) {
            throw error;
          }
          await Promise.all(batch.map((row) => this.offerOne(shard.db, row)));
        }
      }),
    );
  }

  /** One offer in its own transaction: added, or a withdrawn one opened again. */
  private async offerOne(db: Kysely<Database>, row: OfferRow): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const added = (await this.deps.offers.insert(trx, row)) || (await this.deps.offers.reopen(trx, row));
      if (added) {
        await this.appendOfferCreated(trx, row);
      }
    });
  }

  private async appendOfferCreated(trx: Executor, row: OfferRow): Promise<void> {
    await this.deps.outbox.append(trx, {
      topic: OFFER_CREATED,
      aggregateId: row.driver_id,
      payload: { driverId: row.driver_id, bookingId: row.booking_id } satisfies OfferCreated,
    });
  }

  /**
   * Claims the driver for this booking. A claim left by a booking that is over,
   * or that another driver holds, is stale (a crash between claim and
   * assignment): it is released and the claim tried once more.
   */
  private async claimDriver(driverId: string, bookingId: string): Promise<boolean> {
    const { claims, clock, router, bookings } = this.deps;
    if (await claims.claim(driverId, bookingId, clock.now())) {
      return true;
    }
    const holder = await claims.holder(driverId);
    if (holder === null) {
      return claims.claim(driverId, bookingId, clock.now());
    }
    const held = await bookings.findById(router.forId(holder).db, holder);
    const stale =
      held === undefined ||
      isTerminal(held.status) ||
      (held.driver_id !== null && held.driver_id !== driverId);
    if (!stale) {
      return false;
    }
    await claims.release(driverId, holder, clock.now());
    return claims.claim(driverId, bookingId, clock.now());
  }
}

function bookingTaken(): AppError {
  return errors.conflict('booking_taken', 'Another driver already took this booking.');
}
