import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Insertable } from 'kysely';
import { createApp, type LoadlineApp } from '../../src/app';
import type { Config } from '../../src/config/config';
import { hashToken, newSessionToken } from '../../src/modules/auth/authenticator';
import { hashPassword } from '../../src/lib/passwords';
import type {
  Database,
  DriversTable,
  LookupDirectoryTable,
  UsersTable,
  VehiclesTable,
} from '../../src/platform/db/schema';
import { isTransientConflict } from '../../src/platform/db/db-errors';
import type { Shard } from '../../src/platform/db/shard-pool';
import { DriverClaimsRepository } from '../../src/modules/drivers/driver-claims.repository';
import { normalizePlate, VEHICLE_CAPACITY_KG } from '../../src/modules/drivers/vehicle-catalog';
import { mapConcurrent } from '../support/api';
import { BENGALURU, pointNear, type Point, type Random } from '../support/random';

export interface DriverAccount {
  id: string;
  token: string;
  home: Point;
}

/** A customer following its booking, assigned to `driverId`. */
export interface Watcher {
  customerId: string;
  token: string;
  bookingId: string;
  driverId: string;
}

export interface RealtimeDataset {
  drivers: DriverAccount[];
  watchers: Watcher[];
}

export interface DatasetOptions {
  drivers: number;
  watchers: number;
  random: Random;
  log: (line: string) => void;
}

export const PASSWORD = 'bench-password-1';
/** Drivers spread over this radius around central Bengaluru. */
const AREA_KM = 15;
/** Rows per multi-row INSERT. */
const ROWS_PER_INSERT = 500;
const SESSION_CONCURRENCY = 64;
const BOOKING_CONCURRENCY = 24;
const OUTBOX_WAIT_MS = 120_000;
/** Attempts of a booking creation that InnoDB picked as a deadlock victim. */
const CREATE_ATTEMPTS = 5;

interface Account {
  id: string;
  email: string;
  role: 'customer' | 'driver';
  token: string;
}

/** Rows to insert, by physical shard index. */
class ShardRows {
  readonly lookups = new Map<number, Insertable<LookupDirectoryTable>[]>();
  readonly users = new Map<number, Insertable<UsersTable>[]>();
  readonly vehicles = new Map<number, Insertable<VehiclesTable>[]>();
  readonly drivers = new Map<number, Insertable<DriversTable>[]>();

  add<T>(table: Map<number, T[]>, shard: Shard, row: T): void {
    const rows = table.get(shard.index) ?? [];
    rows.push(row);
    table.set(shard.index, rows);
  }
}

/**
 * Builds the realtime bench's accounts and trips through the server's own code
 * (a role-less app on the bench's databases and Redis), much faster than
 * public signups, whose scrypt would take minutes for thousands of accounts:
 *
 * - users, drivers, vehicles and their lookup-directory rows (email, plate) as
 *   `AccountsService.createAccount` lays them out, inserted many rows at a time,
 *   all with one password hash (so the accounts can log in);
 * - sessions written to the session store as login does;
 * - drivers online at a position around Bengaluru, their live copy rebuilt by
 *   `DriverPresenceService.rebuildAvailability` as at server start;
 * - per watcher: a booking created by `BookingsService.create`, the driver
 *   claimed and the booking moved to `driver_assigned` as acceptance does, and
 *   the driver's live facts given the trip.
 *
 * Waits until the shards' outboxes are drained by the server's relay, so the
 * events of setup are out of the way before the load starts.
 */
export async function createDataset(config: Config, options: DatasetOptions): Promise<RealtimeDataset> {
  const app = await createApp({ config, roles: [], migrate: false });
  try {
    return await build(app, options);
  } finally {
    await app.close();
  }
}

async function build(app: LoadlineApp, options: DatasetOptions): Promise<RealtimeDataset> {
  const { random, log } = options;
  const { router, ids, clock, sessions } = app.platform;
  const runTag = Date.now().toString(36);
  const now = clock.now();
  const passwordHash = await hashPassword(PASSWORD);
  const rows = new ShardRows();

  let started = performance.now();
  const newAccount = (role: Account['role'], index: number): { account: Account; logical: number } => {
    const email = `rt-${runTag}-${role === 'driver' ? 'd' : 'c'}${index}@loadline.test`;
    // Same placement as AccountsService.createAccount: the user lives where its email's directory row does.
    const logical = router.logicalForKey(`email:${email}`);
    const shard = router.forLogical(logical);
    const id = ids.next(logical);
    rows.add(rows.lookups, shard, { kind: 'email', value: email, owner_id: id, created_at: now });
    rows.add(rows.users, shard, {
      id,
      email,
      password_hash: passwordHash,
      name: `Realtime ${role === 'driver' ? 'Driver' : 'Customer'} ${index}`,
      phone: null,
      role,
      status: 'active',
      created_at: now,
      updated_at: now,
    });
    return { account: { id, email, role, token: newSessionToken(id).token }, logical };
  };

  const drivers: (Account & { home: Point })[] = [];
  for (let index = 0; index < options.drivers; index += 1) {
    const { account, logical } = newAccount('driver', index);
    const shard = router.forLogical(logical);
    const home = pointNear(random, BENGALURU, AREA_KM);
    const vehicleId = ids.next(logical);
    const plate = normalizePlate(`RT ${runTag} ${index}`);
    // Plates are unique through the directory on the plate's own shard.
    rows.add(rows.lookups, router.forKey(`plate:${plate}`), {
      kind: 'plate',
      value: plate,
      owner_id: account.id,
      created_at: now,
    });
    rows.add(rows.vehicles, shard, {
      id: vehicleId,
      driver_id: account.id,
      type: 'van',
      plate,
      capacity_kg: VEHICLE_CAPACITY_KG.van,
      created_at: now,
    });
    rows.add(rows.drivers, shard, {
      user_id: account.id,
      vehicle_id: vehicleId,
      online: 1,
      suspended: 0,
      last_lat: home.lat,
      last_lng: home.lng,
      last_heading: 0,
      last_seen_at: now,
      active_booking_id: null,
      rating_sum: 0,
      rating_count: 0,
      created_at: now,
      updated_at: now,
    });
    drivers.push({ ...account, home });
  }
  const customers = Array.from(
    { length: options.watchers },
    (_, index) => newAccount('customer', index).account,
  );
  await insertRows(router.shards, rows);
  log(
    `  ${drivers.length} van drivers (online) and ${customers.length} customers inserted in ${seconds(started)} s ` +
      `(${router.shards.length} shards, ${ROWS_PER_INSERT} rows per INSERT)`,
  );

  started = performance.now();
  const expiresAt = now + app.config.sessionTtlSeconds * 1000;
  await mapConcurrent([...drivers, ...customers], SESSION_CONCURRENCY, (account) =>
    sessions.create(hashToken(account.token), {
      userId: account.id,
      role: account.role,
      createdAt: now,
      expiresAt,
    }),
  );
  log(`  ${drivers.length + customers.length} sessions created in ${seconds(started)} s`);

  started = performance.now();
  const refreshed = await app.services.drivers.presence.rebuildAvailability();
  log(`  ${refreshed} drivers' live state rebuilt (geo index, facts, fleet map) in ${seconds(started)} s`);

  started = performance.now();
  const claims = new DriverClaimsRepository(router);
  const bookings = app.services.bookingCore.service;
  const presence = app.services.drivers.presence;
  // Watched drivers are spread over the whole list, one per block, at a varying place in the
  // block: so every load client and every server instance (both dealt in turn) gets its share.
  const block = Math.max(1, Math.floor(drivers.length / Math.max(1, customers.length)));
  const watched = customers.map((customer, index) => ({
    customer,
    driver: drivers[
      Math.floor((index * drivers.length) / customers.length) + (index % block)
    ] as (typeof drivers)[number],
  }));
  let deadlocks = 0;
  const watchers = await mapConcurrent(watched, BOOKING_CONCURRENCY, async ({ customer, driver }) => {
    const body = {
      pickup: pointNear(random, driver.home, 1),
      dropoff: pointNear(random, BENGALURU, AREA_KM),
      vehicleType: 'van' as const,
      goods: { description: 'cartons', weightKg: 120 },
    };
    const { booking } = await retryDeadlocks(
      () => bookings.create(customer.id, body),
      () => {
        deadlocks += 1;
      },
    );
    // As acceptance does: claim the driver, then move the booking; then the driver's live facts.
    if (!(await claims.claim(driver.id, booking.id, clock.now()))) {
      throw new Error(`could not claim driver ${driver.id} for booking ${booking.id}`);
    }
    await bookings.transition(
      booking.id,
      'driver_assigned',
      { role: 'driver', id: driver.id },
      { requireNoDriver: true, set: (_row, at) => ({ driver_id: driver.id, assigned_at: at }) },
    );
    await presence.setActiveTrip(driver.id, { bookingId: booking.id, customerId: customer.id });
    await presence.refreshAvailability(driver.id);
    return { customerId: customer.id, token: customer.token, bookingId: booking.id, driverId: driver.id };
  });
  log(
    `  ${watchers.length} bookings created and assigned to their drivers in ${seconds(started)} s` +
      (deadlocks > 0 ? ` (${deadlocks} creations were deadlock victims and were tried again)` : ''),
  );

  started = performance.now();
  const pending = await waitForOutbox(router.shards);
  log(
    pending === 0
      ? `  outbox drained by the server in ${seconds(started)} s`
      : `  outbox still holds ${pending} events after ${seconds(started)} s; going on`,
  );

  return {
    drivers: drivers.map((driver) => ({ id: driver.id, token: driver.token, home: driver.home })),
    watchers,
  };
}

/**
 * Runs `work` again when the database rolled it back as a deadlock victim.
 * `BookingsService.create` does not retry by itself (its `transition` does),
 * and with the server's outbox relay running, concurrent creations sometimes lose.
 */
async function retryDeadlocks<T>(work: () => Promise<T>, onRetry: () => void): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= CREATE_ATTEMPTS || !isTransientConflict(error)) {
        throw error;
      }
      onRetry();
      await sleep(10 * attempt);
    }
  }
}

async function insertRows(shards: readonly Shard[], rows: ShardRows): Promise<void> {
  const insertAll = async <T extends keyof Database>(
    db: Shard['db'],
    table: T,
    values: Insertable<Database[T]>[] | undefined,
  ): Promise<void> => {
    for (let start = 0; start < (values?.length ?? 0); start += ROWS_PER_INSERT) {
      const chunk = (values ?? []).slice(start, start + ROWS_PER_INSERT);
      await db.insertInto(table).values(chunk).execute();
    }
  };
  await Promise.all(
    shards.map(async (shard) => {
      await shard.db.transaction().execute(async (trx) => {
        await insertAll(trx, 'lookup_directory', rows.lookups.get(shard.index));
        await insertAll(trx, 'users', rows.users.get(shard.index));
        await insertAll(trx, 'vehicles', rows.vehicles.get(shard.index));
        await insertAll(trx, 'drivers', rows.drivers.get(shard.index));
      });
    }),
  );
}

/** Waits until no shard has unpublished outbox rows; returns how many are left (0 when drained). */
async function waitForOutbox(shards: readonly Shard[]): Promise<number> {
  const deadline = Date.now() + OUTBOX_WAIT_MS;
  for (;;) {
    const counts = await Promise.all(
      shards.map(async (shard) => {
        const row = await shard.db
          .selectFrom('outbox')
          .select(sql<number | string>`count(*)`.as('pending'))
          .where('published_at', 'is', null)
          .executeTakeFirst();
        return Number(row?.pending ?? 0);
      }),
    );
    const pending = counts.reduce((sum, count) => sum + count, 0);
    if (pending === 0 || Date.now() > deadline) {
      return pending;
    }
    await sleep(250);
  }
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}
