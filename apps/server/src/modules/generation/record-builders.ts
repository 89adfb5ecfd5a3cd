import type { Offer, VehicleType } from '@loadline/contracts';
import { haversineKm, VEHICLE_TYPES } from '@loadline/contracts';
import { UNUSABLE_PASSWORD_HASH } from '../../lib/passwords';
import { logicalShardOf } from '../../platform/db/ids';
import type {
  BookingEventsTable,
  BookingsTable,
  DriverJobsTable,
  DriversTable,
  LookupDirectoryTable,
  OffersTable,
  UsersTable,
  VehiclesTable,
} from '../../platform/db/schema';
import { bookingContributions } from '../analytics/contributions';
import type { BookingDailyDelta, DriverDailyDelta } from '../analytics/rollups.repository';
import { VEHICLE_CAPACITY_KG } from '../drivers/vehicle-catalog';
import { computePrice } from '../pricing/price';
import type { PricingRegion } from '../pricing/pricing-catalog';
import { emailKey, plateKey } from '../users/directory-keys';
import { generatedId } from './generated-ids';
import { pointInDisc, Random } from '../../lib/random';
import { EMAIL_DOMAINS, FIRST_NAMES, GOODS, LAST_NAMES, PLATE_STATES, STREETS } from './vocabulary';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface GenerationArea {
  center: { lat: number; lng: number };
  radiusKm: number;
}

export interface PooledDriver {
  id: string;
  vehicleType: VehicleType;
  capacityKg: number;
}

/** Everything a chunk is built from; the same plan always builds the same records. */
export interface ChunkPlan {
  entity: 'users' | 'drivers' | 'bookings';
  seed: number;
  chunk: number;
  /** The chunk's first row within its job, and how many rows it has. */
  firstRow: number;
  rows: number;
  /** The job's row count and the generation index of its row 0 (see generated-ids). */
  total: number;
  indexBase: number;
  /** When the job was created: every record happened before it. */
  startedAt: number;
  historyDays: number;
  area: GenerationArea;
  customers: readonly string[];
  drivers: readonly PooledDriver[];
}

/** Where rows go: the physical shard of an ID, and of a looked-up value. */
export interface Placement {
  shardOfId(id: string): number;
  shardOfLogical(logicalShard: number): number;
  logicalForKey(key: string): number;
  shardOfKey(key: string): number;
}

/** The rows and roll-up deltas a chunk writes on one shard, in one transaction. */
export interface ShardBatch {
  users: UsersTable[];
  lookups: LookupDirectoryTable[];
  vehicles: VehiclesTable[];
  drivers: DriversTable[];
  bookings: BookingsTable[];
  events: BookingEventsTable[];
  driverJobs: DriverJobsTable[];
  offers: OffersTable[];
  bookingDaily: BookingDailyDelta[];
  driverDaily: DriverDailyDelta[];
}

function emptyBatch(): ShardBatch {
  return {
    users: [],
    lookups: [],
    vehicles: [],
    drivers: [],
    bookings: [],
    events: [],
    driverJobs: [],
    offers: [],
    bookingDaily: [],
    driverDaily: [],
  };
}

class Batches {
  readonly byShard = new Map<number, ShardBatch>();

  on(shard: number): ShardBatch {
    let batch = this.byShard.get(shard);
    if (batch === undefined) {
      batch = emptyBatch();
      this.byShard.set(shard, batch);
    }
    return batch;
  }
}

/** Rows built between two yields of `chunkBuilder`. */
const ROWS_PER_STEP = 250;

/**
 * Builds one chunk's records, grouped by the shard each row belongs on,
 * yielding every few hundred rows so a caller can give the event loop a turn.
 */
export function* chunkBuilder(
  plan: ChunkPlan,
  place: Placement,
  region: PricingRegion,
): Generator<void, Map<number, ShardBatch>> {
  const random = new Random(plan.seed).fork(`chunk:${plan.chunk}`);
  const batches = new Batches();
  for (let row = plan.firstRow; row < plan.firstRow + plan.rows; row += 1) {
    if ((row - plan.firstRow) % ROWS_PER_STEP === ROWS_PER_STEP - 1) {
      yield;
    }
    const createdAt = createdAtOf(plan, row, random);
    switch (plan.entity) {
      case 'users':
        addAccount(batches, place, plan, row, createdAt, random, 'customer');
        break;
      case 'drivers':
        addAccount(batches, place, plan, row, createdAt, random, 'driver');
        break;
      case 'bookings':
        addBooking(batches, place, plan, row, createdAt, random, region);
        break;
    }
  }
  return batches.byShard;
}

/** `chunkBuilder` run to the end, giving the event loop a turn between steps. */
export async function buildChunk(
  plan: ChunkPlan,
  place: Placement,
  region: PricingRegion,
): Promise<Map<number, ShardBatch>> {
  const builder = chunkBuilder(plan, place, region);
  for (let step = builder.next(); ; step = builder.next()) {
    if (step.done === true) {
      return step.value;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Rows are spread evenly over the history, oldest first, each at a random moment of its slot. */
function createdAtOf(plan: ChunkPlan, row: number, random: Random): number {
  // Bookings end a few hours before the job so every lifecycle is over by then.
  const end = plan.startedAt - (plan.entity === 'bookings' ? 4 * HOUR : MINUTE);
  const span = plan.historyDays * DAY;
  return Math.floor(end - span + ((row + random.next()) * span) / plan.total);
}

function addAccount(
  batches: Batches,
  place: Placement,
  plan: ChunkPlan,
  row: number,
  createdAt: number,
  random: Random,
  role: 'customer' | 'driver',
): void {
  const index = plan.indexBase + row;
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  const email = `${first}.${last}.${index.toString(36)}@${random.pick(EMAIL_DOMAINS)}`.toLowerCase();
  // Like a signup: the account lives on its email's logical shard, with its directory entry.
  const logical = place.logicalForKey(emailKey(email));
  const id = generatedId(index, createdAt, logical);
  const home = batches.on(place.shardOfLogical(logical));
  const suspended = random.chance(0.01);
  home.users.push({
    id,
    email,
    // No password: an administrator sets one with `admin reset-password` when an account is needed.
    password_hash: UNUSABLE_PASSWORD_HASH,
    name: `${first} ${last}`,
    phone: `+91 9${String(random.intBetween(0, 999_999_999)).padStart(9, '0')}`,
    role,
    status: suspended ? 'suspended' : 'active',
    created_at: createdAt,
    updated_at: createdAt,
  });
  home.lookups.push({ kind: 'email', value: email, owner_id: id, created_at: createdAt });
  if (role !== 'driver') {
    return;
  }
  const type = vehicleTypeFor(random);
  const plate = plateFor(index);
  const position = pointInDisc(random, plan.area.center, plan.area.radiusKm);
  const lastSeen = Math.min(plan.startedAt - MINUTE, createdAt + random.intBetween(1, 60 * 24 * 30) * MINUTE);
  // A generated vehicle shares its driver's ID (another table, so no clash).
  home.vehicles.push({
    id,
    driver_id: id,
    type,
    plate,
    capacity_kg: VEHICLE_CAPACITY_KG[type],
    created_at: createdAt,
  });
  home.drivers.push({
    user_id: id,
    vehicle_id: id,
    online: 0,
    suspended: suspended ? 1 : 0,
    last_lat: position.lat,
    last_lng: position.lng,
    last_heading: random.intBetween(0, 359),
    last_seen_at: lastSeen,
    active_booking_id: null,
    rating_sum: 0,
    rating_count: 0,
    created_at: createdAt,
    updated_at: lastSeen,
  });
  batches
    .on(place.shardOfKey(plateKey(plate)))
    .lookups.push({ kind: 'plate', value: plate, owner_id: id, created_at: createdAt });
}

function addBooking(
  batches: Batches,
  place: Placement,
  plan: ChunkPlan,
  row: number,
  createdAt: number,
  random: Random,
  region: PricingRegion,
): void {
  const index = plan.indexBase + row;
  const customerId = random.pick(plan.customers);
  const driver = random.pick(plan.drivers);
  const customerLogical = logicalShardOf(customerId);
  const id = generatedId(index, createdAt, customerLogical);
  const type = driver.vehicleType;

  const pickup = {
    ...pointInDisc(random, plan.area.center, plan.area.radiusKm),
    address: addressFor(random),
  };
  const dropoff = {
    ...pointInDisc(random, plan.area.center, plan.area.radiusKm),
    address: addressFor(random),
  };
  const distanceKm = round2(Math.max(0.5, haversineKm(pickup, dropoff) * region.roadFactor));
  const durationMinutes = round2((distanceKm / region.speedKmh[type]) * 60 * random.between(0.9, 1.3));
  const surge = random.chance(0.2) ? round2(random.between(1.1, 1.6)) : 1;
  const price = computePrice({
    rates: region.rates[type],
    distanceKm,
    durationMinutes,
    surgeMultiplier: surge,
    currency: region.currency,
    regionId: region.id,
  }).price;
  const [goodsName, minKg, maxKg] = random.pick(GOODS[type]);
  const weightKg = round2(Math.min(driver.capacityKg, random.between(minKg, maxKg)));

  // The lifecycle: most deliver, some are cancelled (before or after a driver took them), some expire.
  const outcome = random.next();
  const status = outcome < 0.82 ? 'delivered' : outcome < 0.92 ? 'cancelled' : 'expired';
  const assigned = status === 'delivered' || (status === 'cancelled' && random.chance(0.5));
  const assignedAt = createdAt + random.intBetween(20, 240) * 1000;
  const pickedUpAt = assignedAt + random.intBetween(5, 30) * MINUTE;
  const deliveredAt = pickedUpAt + Math.round(durationMinutes * MINUTE);
  const endedAt =
    status === 'delivered'
      ? deliveredAt
      : status === 'cancelled'
        ? (assigned ? assignedAt : createdAt) + random.intBetween(1, 8) * MINUTE
        : createdAt + random.intBetween(2, 5) * MINUTE;

  const statuses: { status: BookingsTable['status']; at: number; role: BookingEventsTable['actor_role'] }[] =
    [{ status: 'searching', at: createdAt, role: 'customer' }];
  if (assigned) {
    statuses.push({ status: 'driver_assigned', at: assignedAt, role: 'driver' });
  }
  if (status === 'delivered') {
    statuses.push(
      { status: 'en_route_to_pickup', at: assignedAt + 30_000, role: 'driver' },
      { status: 'arrived_at_pickup', at: pickedUpAt - 3 * MINUTE, role: 'driver' },
      { status: 'goods_collected', at: pickedUpAt, role: 'driver' },
      { status: 'in_transit', at: pickedUpAt + 60_000, role: 'driver' },
      { status: 'delivered', at: deliveredAt, role: 'driver' },
    );
  } else {
    statuses.push({ status, at: endedAt, role: status === 'expired' ? 'system' : 'customer' });
  }
  const rating = status === 'delivered' && random.chance(0.65) ? ratingFor(random) : null;
  const ratedAt = rating === null ? null : deliveredAt + random.intBetween(5, 180) * MINUTE;
  const booking: BookingsTable = {
    id,
    customer_id: customerId,
    driver_id: assigned ? driver.id : null,
    status,
    vehicle_type: type,
    pickup_lat: pickup.lat,
    pickup_lng: pickup.lng,
    pickup_address: pickup.address,
    dropoff_lat: dropoff.lat,
    dropoff_lng: dropoff.lng,
    dropoff_address: dropoff.address,
    goods_description: goodsName,
    goods_weight_kg: weightKg,
    price_amount: price.amount,
    currency: price.currency,
    distance_km: distanceKm,
    duration_minutes: durationMinutes,
    surge_multiplier: surge,
    quote_id: null,
    scheduled_at: null,
    seq: statuses.length,
    offer_wave: status === 'expired' ? 3 : 1,
    offered_to: JSON.stringify([driver.id]),
    search_started_at: createdAt,
    assigned_at: assigned ? assignedAt : null,
    picked_up_at: status === 'delivered' ? pickedUpAt : null,
    delivered_at: status === 'delivered' ? deliveredAt : null,
    cancelled_at: status === 'cancelled' ? endedAt : null,
    cancel_reason: status === 'cancelled' ? 'Plans changed' : null,
    rating,
    rated_at: ratedAt,
    rating_comment: null,
    created_at: createdAt,
    updated_at: ratedAt ?? endedAt,
  };
  const home = batches.on(place.shardOfLogical(customerLogical));
  home.bookings.push(booking);
  statuses.forEach((step, position) =>
    home.events.push({
      booking_id: id,
      seq: position + 1,
      status: step.status,
      actor_role: step.role,
      actor_id: step.role === 'driver' ? driver.id : step.role === 'customer' ? customerId : null,
      at: step.at,
    }),
  );

  const contributions = bookingContributions(booking);
  home.bookingDaily.push(...contributions.booking);
  const driverShard = batches.on(place.shardOfId(driver.id));
  driverShard.driverDaily.push(...contributions.driver);

  // The offer the driver answered, and for some bookings another driver who declined first.
  const offerPayload = (offerExpiresAt: number): string => {
    const offer: Offer = {
      bookingId: id,
      pickup,
      dropoff,
      vehicleType: type,
      price,
      distanceKm,
      pickupDistanceKm: round2(random.between(0.3, 4)),
      expiresAt: new Date(offerExpiresAt).toISOString(),
    };
    return JSON.stringify(offer);
  };
  const offeredAt = createdAt + 2_000;
  driverShard.offers.push({
    driver_id: driver.id,
    booking_id: id,
    status: assigned ? 'accepted' : status === 'expired' ? 'expired' : 'revoked',
    wave: 1,
    payload: offerPayload(offeredAt + 20_000),
    created_at: offeredAt,
    expires_at: offeredAt + 20_000,
    responded_at: assigned ? assignedAt : offeredAt + 20_000,
  });
  const other = random.pick(plan.drivers);
  if (other.id !== driver.id && random.chance(0.3)) {
    const declined = random.chance(0.6) ? 'rejected' : 'expired';
    batches.on(place.shardOfId(other.id)).offers.push({
      driver_id: other.id,
      booking_id: id,
      status: declined,
      wave: 1,
      payload: offerPayload(offeredAt + 20_000),
      created_at: offeredAt,
      expires_at: offeredAt + 20_000,
      responded_at:
        declined === 'rejected' ? offeredAt + random.intBetween(2, 15) * 1000 : offeredAt + 20_000,
    });
  }
  if (assigned) {
    driverShard.driverJobs.push({
      driver_id: driver.id,
      booking_id: id,
      status,
      vehicle_type: type,
      route: JSON.stringify({ pickup, dropoff }),
      price_amount: price.amount,
      currency: price.currency,
      distance_km: distanceKm,
      assigned_at: assignedAt,
      completed_at: endedAt,
      updated_at: endedAt,
      seq: statuses.length,
    });
  }
}

function addressFor(random: Random): string {
  return `${random.intBetween(1, 400)}, ${random.pick(STREETS)}`;
}

/** Bikes dominate intra-city goods traffic; trucks are few. */
function vehicleTypeFor(random: Random): VehicleType {
  const roll = random.next();
  const [bike, van, miniTruck, truck] = VEHICLE_TYPES;
  return roll < 0.45 ? bike : roll < 0.7 ? van : roll < 0.9 ? miniTruck : truck;
}

/** A plate unique to the generation index (for the first 5.4 billion), e.g. `KA12AB3456`. */
function plateFor(index: number): string {
  const letters = Math.floor(index / 10_000) % 676;
  const state = PLATE_STATES[Math.floor(index / 67_600_000) % PLATE_STATES.length] ?? 'KA';
  return (
    state +
    String(Math.floor(index / 6_760_000) % 10) +
    String(Math.floor(index / 67_600_000 / PLATE_STATES.length) % 10) +
    String.fromCharCode(65 + Math.floor(letters / 26), 65 + (letters % 26)) +
    String(index % 10_000).padStart(4, '0')
  );
}

function ratingFor(random: Random): number {
  const roll = random.next();
  return roll < 0.55 ? 5 : roll < 0.85 ? 4 : roll < 0.95 ? 3 : roll < 0.98 ? 2 : 1;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
