import { VEHICLE_TYPES, type VehicleType } from '@loadline/contracts';
import { UNUSABLE_PASSWORD_HASH } from '../../lib/passwords';
import { pointInDisc, type Random } from '../../lib/random';
import { driverRow, vehicleRow } from '../drivers/driver-rows';
import { VEHICLE_CAPACITY_KG } from '../drivers/vehicle-catalog';
import { emailKey, normalizeEmail, plateKey } from '../users/directory-keys';
import { lookupRow, userRow } from '../users/user-rows';
import { MINUTE, type Batches, type ChunkPlan, type Placement, type ShardBatch } from './chunk-plan';
import { generatedId } from './generated-ids';
import { EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, PLATE_STATES } from './vocabulary';

/**
 * A generated account, as a signup writes it: the user on its email's logical
 * shard with the email's directory entry, and for a driver the profile,
 * vehicle and the plate's directory entry (on the plate's own shard).
 */
export function addAccount(
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
  const email = normalizeEmail(`${first}.${last}.${index.toString(36)}@${random.pick(EMAIL_DOMAINS)}`);
  const logical = place.logicalForKey(emailKey(email));
  const id = generatedId(index, createdAt, logical);
  const home = batches.on(place.shardOfLogical(logical));
  const suspended = random.chance(0.01);
  home.users.push(
    userRow({
      id,
      email,
      // No password: an administrator sets one with `admin reset-password` when an account is needed.
      passwordHash: UNUSABLE_PASSWORD_HASH,
      name: `${first} ${last}`,
      phone: `+91 9${String(random.intBetween(0, 999_999_999)).padStart(9, '0')}`,
      role,
      status: suspended ? 'suspended' : 'active',
      createdAt,
    }),
  );
  home.lookups.push(lookupRow('email', email, id, createdAt));
  if (role === 'driver') {
    addDriverProfile(batches, place, plan, home, { id, index, createdAt, suspended }, random);
  }
}

/** The driver's vehicle (sharing the driver's ID: another table, so no clash), profile and plate. */
function addDriverProfile(
  batches: Batches,
  place: Placement,
  plan: ChunkPlan,
  home: ShardBatch,
  account: { id: string; index: number; createdAt: number; suspended: boolean },
  random: Random,
): void {
  const { id, createdAt } = account;
  const type = vehicleTypeFor(random);
  const plate = plateFor(account.index);
  const position = pointInDisc(random, plan.area.center, plan.area.radiusKm);
  const seenAt = Math.min(plan.startedAt - MINUTE, createdAt + random.intBetween(1, 60 * 24 * 30) * MINUTE);
  home.vehicles.push(
    vehicleRow({ id, driverId: id, type, plate, capacityKg: VEHICLE_CAPACITY_KG[type], createdAt }),
  );
  home.drivers.push(
    driverRow({
      userId: id,
      vehicleId: id,
      suspended: account.suspended,
      createdAt,
      lastSeen: { lat: position.lat, lng: position.lng, heading: random.intBetween(0, 359), at: seenAt },
    }),
  );
  batches.on(place.shardOfKey(plateKey(plate))).lookups.push(lookupRow('plate', plate, id, createdAt));
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
