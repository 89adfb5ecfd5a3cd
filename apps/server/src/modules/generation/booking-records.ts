import type { Goods, Offer } from '@loadline/contracts';
import { haversineKm } from '@loadline/contracts';
import { pointInDisc, type Random } from '../../lib/random';
import { logicalShardOf } from '../../platform/db/ids';
import type { BookingStatusColumn, OffersTable } from '../../platform/db/schema';
import { bookingContributions } from '../analytics/contributions';
import type { BookingActor } from '../events/booking-events';
import { bookingEventRow, newBookingRow, type BookingTerms } from '../bookings/booking-rows';
import { generatedRef } from '../bookings/booking-refs';
import type { BookingEventRow, BookingRow } from '../bookings/bookings.repository';
import { driverTripRow } from '../drivers/driver-rows';
import { computePrice } from '../pricing/price';
import type { PricingRegion } from '../pricing/pricing-catalog';
import {
  MINUTE,
  round2,
  type Batches,
  type ChunkPlan,
  type GenerationArea,
  type Placement,
  type PooledDriver,
  type ShardBatch,
} from './chunk-plan';
import { generatedId } from './generated-ids';
import { GOODS, STREETS } from './vocabulary';

/** How a generated booking's life went, drawn before any of its rows is built. */
interface Lifecycle {
  status: 'delivered' | 'cancelled' | 'expired';
  /** Whether a driver took it (every delivery, and half the cancellations). */
  assigned: boolean;
  assignedAt: number;
  pickedUpAt: number;
  deliveredAt: number;
  /** When it reached its final status. */
  endedAt: number;
  rating: number | null;
  ratedAt: number | null;
}

/** The actor of a booking's expiry, the same for every booking. */
const SYSTEM: BookingActor = { role: 'system', id: null };
/** How long an offer stays open, and so how far apart waves are (the default OFFER_TTL_SECONDS). */
const OFFER_TTL_MS = 20_000;
/** From placing a booking to its first offer. */
const FIRST_OFFER_MS = 2_000;
/** The waves an expired booking went through. */
const EXPIRED_AFTER_WAVES = 3;

/**
 * A generated booking and everything its life left behind: the booking and
 * its events on the customer's shard, the offers and (if a driver took it) the
 * driver's trip row on the drivers' shards, and its roll-up contributions. Rows
 * are built by the live path's factories; the steps below only draw what
 * happened, always in the same order, so a plan always builds the same rows.
 */
export function addBooking(
  batches: Batches,
  place: Placement,
  plan: ChunkPlan,
  row: number,
  createdAt: number,
  random: Random,
  region: PricingRegion,
): void {
  const customerId = random.pick(plan.customers);
  const driver = random.pick(plan.drivers);
  const customerLogical = logicalShardOf(customerId);
  const index = plan.indexBase + row;
  const id = generatedId(index, createdAt, customerLogical);
  const terms = termsFor(random, plan.area, region, driver);
  const goods = goodsFor(random, driver);
  const life = lifecycleFor(random, createdAt, terms.durationMinutes);

  const home = batches.on(place.shardOfLogical(customerLogical));
  const driverShard = batches.on(place.shardOfId(driver.id));
  const declinedBy = addOffers(batches, place, plan, random, id, terms, life, driver, driverShard, createdAt);
  const booking = newBookingRow({
    id,
    // The generation index is unique across the deployment's jobs, so the code is too, with no retry.
    ref: generatedRef(index),
    customerId,
    terms,
    goods,
    scheduledAt: null,
    status: 'searching',
    handoverPins: false,
    createdAt,
  });
  // Dispatch records the waves it made and every driver it offered the booking to.
  booking.offer_wave = life.status === 'expired' ? EXPIRED_AFTER_WAVES : acceptedWave(life, createdAt);
  booking.offered_to = JSON.stringify(declinedBy === null ? [driver.id] : [driver.id, declinedBy]);
  home.bookings.push(booking);
  playLifecycle(home.events, booking, life, driver.id);

  const contributions = bookingContributions(booking);
  for (const delta of contributions.booking) {
    home.bookingDaily.push(delta);
  }
  for (const delta of contributions.driver) {
    driverShard.driverDaily.push(delta);
  }
  for (const delta of contributions.unfilled) {
    home.unfilled.push(delta);
  }
  if (life.assigned) {
    driverShard.driverTrips.push(
      driverTripRow(booking, driver.id, {
        status: life.status,
        assignedAt: life.assignedAt,
        completedAt: life.endedAt,
        seq: booking.seq,
        updatedAt: life.endedAt,
      }),
    );
  }
}

/** Where from and to, in the driver's vehicle, at the region's price (with a surge for some). */
function termsFor(
  random: Random,
  area: GenerationArea,
  region: PricingRegion,
  driver: PooledDriver,
): BookingTerms {
  const vehicleType = driver.vehicleType;
  const pickup = { ...pointInDisc(random, area.center, area.radiusKm), address: addressFor(random) };
  const dropoff = { ...pointInDisc(random, area.center, area.radiusKm), address: addressFor(random) };
  const distanceKm = round2(Math.max(0.5, haversineKm(pickup, dropoff) * region.roadFactor));
  const durationMinutes = round2((distanceKm / region.speedKmh[vehicleType]) * 60 * random.between(0.9, 1.3));
  const surgeMultiplier = random.chance(0.2) ? round2(random.between(1.1, 1.6)) : 1;
  const { price } = computePrice({
    rates: region.rates[vehicleType],
    distanceKm,
    durationMinutes,
    surgeMultiplier,
    currency: region.currency,
    regionId: region.id,
  });
  return { quoteId: null, vehicleType, pickup, dropoff, distanceKm, durationMinutes, price, surgeMultiplier };
}

/** Goods the vehicle type typically carries, no heavier than the driver's vehicle takes. */
function goodsFor(random: Random, driver: PooledDriver): Goods {
  const [description, minKg, maxKg] = random.pick(GOODS[driver.vehicleType]);
  return { description, weightKg: round2(Math.min(driver.capacityKg, random.between(minKg, maxKg))) };
}

/** Most deliver, some are cancelled (before or after a driver took them), some expire; most deliveries are rated. */
function lifecycleFor(random: Random, createdAt: number, durationMinutes: number): Lifecycle {
  const outcome = random.next();
  const status = outcome < 0.82 ? 'delivered' : outcome < 0.92 ? 'cancelled' : 'expired';
  const assigned = status === 'delivered' || (status === 'cancelled' && random.chance(0.5));
  // Taken within the five waves dispatch makes by default (see acceptedWave).
  const assignedAt = createdAt + random.intBetween(3, 100) * 1000;
  const pickedUpAt = assignedAt + random.intBetween(5, 30) * MINUTE;
  const deliveredAt = pickedUpAt + Math.round(durationMinutes * MINUTE);
  const endedAt =
    status === 'delivered'
      ? deliveredAt
      : status === 'cancelled'
        ? (assigned ? assignedAt : createdAt) + random.intBetween(1, 8) * MINUTE
        : createdAt + random.intBetween(2, 5) * MINUTE;
  const rating = status === 'delivered' && random.chance(0.65) ? ratingFor(random) : null;
  const ratedAt = rating === null ? null : deliveredAt + random.intBetween(5, 180) * MINUTE;
  return { status, assigned, assignedAt, pickedUpAt, deliveredAt, endedAt, rating, ratedAt };
}

/**
 * The offer the driver answered, and for some bookings one another driver
 * declined first (or let lapse); returns that other driver, if there is one.
 */
function addOffers(
  batches: Batches,
  place: Placement,
  plan: ChunkPlan,
  random: Random,
  bookingId: string,
  terms: BookingTerms,
  life: Lifecycle,
  driver: PooledDriver,
  driverShard: ShardBatch,
  createdAt: number,
): string | null {
  // The driver who took the booking was offered it in the wave open when they accepted.
  const wave = acceptedWave(life, createdAt);
  const offeredAt = createdAt + FIRST_OFFER_MS + (wave - 1) * OFFER_TTL_MS;
  const expiresAt = offeredAt + OFFER_TTL_MS;
  driverShard.offers.push({
    driver_id: driver.id,
    booking_id: bookingId,
    status: life.assigned ? 'accepted' : life.status === 'expired' ? 'expired' : 'revoked',
    wave,
    payload: offerPayload(random, bookingId, terms, expiresAt),
    created_at: offeredAt,
    expires_at: expiresAt,
    responded_at: life.assigned ? life.assignedAt : expiresAt,
  });
  const other = random.pick(plan.drivers);
  if (other.id === driver.id || !random.chance(0.3)) {
    return null;
  }
  const declined: OffersTable['status'] = random.chance(0.6) ? 'rejected' : 'expired';
  const firstOfferAt = createdAt + FIRST_OFFER_MS;
  const firstExpiresAt = firstOfferAt + OFFER_TTL_MS;
  batches.on(place.shardOfId(other.id)).offers.push({
    driver_id: other.id,
    booking_id: bookingId,
    status: declined,
    wave: 1,
    payload: offerPayload(random, bookingId, terms, firstExpiresAt),
    created_at: firstOfferAt,
    expires_at: firstExpiresAt,
    responded_at: declined === 'rejected' ? firstOfferAt + random.intBetween(2, 15) * 1000 : firstExpiresAt,
  });
  return other.id;
}

/** The wave open when the driver accepted (a new one every offer TTL from the first); 1 if no one did. */
function acceptedWave(life: Lifecycle, createdAt: number): number {
  return life.assigned ? Math.floor((life.assignedAt - createdAt - FIRST_OFFER_MS) / OFFER_TTL_MS) + 1 : 1;
}

/** The offer as its driver was shown it (the contract's Offer). */
function offerPayload(random: Random, bookingId: string, terms: BookingTerms, expiresAt: number): string {
  const offer: Offer = {
    bookingId,
    pickup: terms.pickup,
    dropoff: terms.dropoff,
    vehicleType: terms.vehicleType,
    price: terms.price,
    distanceKm: terms.distanceKm,
    pickupDistanceKm: round2(random.between(0.3, 4)),
    expiresAt: new Date(expiresAt).toISOString(),
  };
  return JSON.stringify(offer);
}

/**
 * Moves the placed booking through its life, one status change at a time as
 * the live path does (the status, seq and updated_at, then that change's
 * event), setting the columns each change sets.
 */
function playLifecycle(
  events: BookingEventRow[],
  booking: BookingRow,
  life: Lifecycle,
  driverId: string,
): void {
  const customer: BookingActor = { role: 'customer', id: booking.customer_id };
  events.push(bookingEventRow(booking, customer, booking.created_at));
  if (!life.assigned) {
    move(events, booking, life.status, life.status === 'expired' ? SYSTEM : customer, life.endedAt);
  } else {
    const driver: BookingActor = { role: 'driver', id: driverId };
    booking.driver_id = driverId;
    booking.assigned_at = life.assignedAt;
    move(events, booking, 'driver_assigned', driver, life.assignedAt);
    if (life.status === 'cancelled') {
      move(events, booking, 'cancelled', customer, life.endedAt);
    } else {
      move(events, booking, 'en_route_to_pickup', driver, life.assignedAt + 30_000);
      move(events, booking, 'arrived_at_pickup', driver, life.pickedUpAt - 3 * MINUTE);
      booking.picked_up_at = life.pickedUpAt;
      move(events, booking, 'goods_collected', driver, life.pickedUpAt);
      move(events, booking, 'in_transit', driver, life.pickedUpAt + 60_000);
      booking.delivered_at = life.deliveredAt;
      move(events, booking, 'delivered', driver, life.deliveredAt);
    }
  }
  if (life.status === 'cancelled') {
    booking.cancelled_at = life.endedAt;
    booking.cancel_reason = 'Plans changed';
  }
  if (life.rating !== null && life.ratedAt !== null) {
    booking.rating = life.rating;
    booking.rated_at = life.ratedAt;
    booking.updated_at = life.ratedAt;
  }
}

function move(
  events: BookingEventRow[],
  booking: BookingRow,
  status: BookingStatusColumn,
  actor: BookingActor,
  at: number,
): void {
  booking.status = status;
  booking.seq += 1;
  booking.updated_at = at;
  events.push(bookingEventRow(booking, actor, at));
}

function addressFor(random: Random): string {
  return `${random.intBetween(1, 400)}, ${random.pick(STREETS)}`;
}

function ratingFor(random: Random): number {
  const roll = random.next();
  return roll < 0.55 ? 5 : roll < 0.85 ? 4 : roll < 0.95 ? 3 : roll < 0.98 ? 2 : 1;
}
