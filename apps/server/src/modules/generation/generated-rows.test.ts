import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DRIVER_STEPS, type Booking, type GenerationJob } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { bearer, signInAdmin } from '../../../test/support/factories';
import { CITY, book, newCustomer, offset, onlineDriver, waitForOffer } from '../../../test/support/fleet';
import { drained } from '../../../test/support/drained';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';
import { decodeId, GENERATED_ID_NODE } from '../../platform/db/ids';
import type {
  BookingEventsTable,
  BookingsTable,
  DriverTripsTable,
  DriversTable,
  LookupDirectoryTable,
  OffersTable,
  UsersTable,
  VehiclesTable,
} from '../../platform/db/schema';
import { BookingsRepository } from '../bookings/bookings.repository';
import { OffersRepository } from '../dispatch/offers.repository';
import { DriverTripsRepository } from '../drivers/driver-trips.repository';
import { DriversRepository } from '../drivers/drivers.repository';
import { DEFAULT_REGION } from '../pricing/pricing-catalog';
import { UsersRepository } from '../users/users.repository';
import type { ChunkPlan, Placement, ShardBatch } from './chunk-plan';
import { buildChunk } from './record-builders';

/**
 * Generated rows must look like real ones: the same columns, the same columns
 * set or left null, and the same facts derived from one another (seq and
 * events, offers and offered_to, the driver's trip and its booking). The live
 * rows here come from a booking driven through the API from request to rating;
 * the generated ones from a generation job and from the chunk builder itself.
 */

/** Everything one booking wrote, on every shard. */
interface BookingRecords {
  booking: BookingsTable;
  events: BookingEventsTable[];
  offers: OffersTable[];
  trip: DriverTripsTable | undefined;
}

/** Which columns a row sets and which it leaves null: two rows of one kind must agree. */
function pattern(row: object): Record<string, 'null' | 'set'> {
  return Object.fromEntries(
    Object.entries(row)
      .map(([column, value]): [string, 'null' | 'set'] => [column, value === null ? 'null' : 'set'])
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

function columns(row: object): string[] {
  return Object.keys(row).sort();
}

/** What the live path makes true of a delivered, rated booking that one driver declined first. */
function facts({ booking, events, offers, trip }: BookingRecords) {
  const at = (status: string) => events.find((event) => event.status === status)?.at;
  const offeredTo = (JSON.parse(booking.offered_to) as string[]).slice().sort();
  const accepted = offers.find((offer) => offer.status === 'accepted');
  const route = JSON.parse(trip?.route ?? 'null') as unknown;
  return {
    statuses: events.map((event) => event.status),
    actors: events.map((event) => event.actor_role),
    seqIsEventCount: booking.seq === events.length,
    seqsInOrder: events.every((event, index) => event.seq === index + 1),
    customerActs: events
      .filter((event) => event.actor_role === 'customer')
      .every((event) => event.actor_id === booking.customer_id),
    driverActs: events
      .filter((event) => event.actor_role === 'driver')
      .every((event) => event.actor_id === booking.driver_id),
    searchStartsAtCreation:
      booking.search_started_at === booking.created_at && at('searching') === booking.created_at,
    assignedAtEvent: booking.assigned_at === at('driver_assigned'),
    pickedUpAtEvent: booking.picked_up_at === at('goods_collected'),
    deliveredAtEvent: booking.delivered_at === at('delivered'),
    updatedWhenRated: booking.updated_at === booking.rated_at,
    offeredToEveryOfferedDriver:
      JSON.stringify(offeredTo) === JSON.stringify(offers.map((offer) => offer.driver_id).sort()),
    offerStatuses: offers.map((offer) => offer.status).sort(),
    acceptedByItsDriver: accepted?.driver_id === booking.driver_id,
    acceptedOnceAssigned: (accepted?.responded_at ?? 0) >= (booking.assigned_at ?? Infinity),
    offersWithinWaves: offers.every((offer) => offer.wave >= 1 && offer.wave <= booking.offer_wave),
    offersAnsweredWhileOpen: offers
      .filter((offer) => offer.status === 'accepted' || offer.status === 'rejected')
      .every((offer) => offer.responded_at !== null && offer.responded_at < offer.expires_at),
    tripFollowsBooking:
      trip !== undefined &&
      trip.driver_id === booking.driver_id &&
      trip.status === booking.status &&
      trip.seq === booking.seq &&
      trip.vehicle_type === booking.vehicle_type &&
      trip.price_amount === booking.price_amount &&
      trip.currency === booking.currency &&
      trip.distance_km === booking.distance_km &&
      trip.assigned_at === booking.assigned_at &&
      trip.completed_at === booking.delivered_at,
    tripRouteIsBookings:
      JSON.stringify(route) ===
      JSON.stringify({
        pickup: { lat: booking.pickup_lat, lng: booking.pickup_lng, address: booking.pickup_address },
        dropoff: { lat: booking.dropoff_lat, lng: booking.dropoff_lng, address: booking.dropoff_address },
      }),
  };
}

describe(`generated rows look like live ones (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let admin: string;
  const inserted = {
    users: vi.spyOn(UsersRepository.prototype, 'insertUser'),
    lookups: vi.spyOn(UsersRepository.prototype, 'insertLookup'),
    drivers: vi.spyOn(DriversRepository.prototype, 'insert'),
    bookings: vi.spyOn(BookingsRepository.prototype, 'insert'),
    events: vi.spyOn(BookingsRepository.prototype, 'insertEvent'),
    // A wave writes its offers of a shard together.
    offers: vi.spyOn(OffersRepository.prototype, 'insertAll'),
    driverTrips: vi.spyOn(DriverTripsRepository.prototype, 'insert'),
  };
  let live: { customerId: string; driverId: string; records: BookingRecords };

  beforeAll(async () => {
    env = await TestEnvironment.create('genrows', { env: { RATE_LIMITS: 'off', OFFER_TTL_SECONDS: '30' } });
    app = await env.start();
    admin = await signInAdmin(app);
    live = await liveDeliveredBooking();
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await env.destroy();
  });

  /** A booking two drivers are offered: one declines, the other takes it and delivers; the customer rates it. */
  async function liveDeliveredBooking() {
    const customer = await newCustomer(app);
    const taker = await onlineDriver(app, { at: offset(CITY, 0.3) });
    const decliner = await onlineDriver(app, { at: offset(CITY, 0.4) });
    const created = await book(app, customer.token, {
      pickup: { ...CITY, address: '12, MG Road' },
      dropoff: { ...offset(CITY, 5, 3), address: '40, Church Street' },
      goods: { description: 'Furniture (2 chairs)', weightKg: 40 },
    });
    await waitForOffer(app, decliner.token, created.id);
    await waitForOffer(app, taker.token, created.id);
    const post = async (token: string, url: string, payload?: object) => {
      const response = await app.http.inject({ method: 'POST', url, headers: bearer(token), payload });
      expect(response.statusCode, url).toBeLessThan(300);
      return response;
    };
    await post(decliner.token, `/v1/driver/offers/${created.id}/reject`);
    await post(taker.token, `/v1/driver/offers/${created.id}/accept`);
    // Accepting made it driver_assigned; the driver takes every later step.
    for (const status of DRIVER_STEPS.slice(1)) {
      await post(taker.token, `/v1/bookings/${created.id}/status`, { status });
    }
    const rated = await post(customer.token, `/v1/bookings/${created.id}/rating`, { rating: 5 });
    expect(rated.json<Booking>()).toMatchObject({ status: 'delivered', rating: 5 });
    await drained(app);
    // Positions reach SQL on the location writer's next flush.
    await waitFor(async () => (await driverOf(taker.user.id)).driver.last_seen_at !== null, 10_000);
    return {
      customerId: customer.user.id,
      driverId: taker.user.id,
      records: await recordsOf(created.id),
    };
  }

  async function recordsOf(bookingId: string): Promise<BookingRecords> {
    const { router } = app.platform;
    const db = router.forId(bookingId).db;
    const booking = await db
      .selectFrom('bookings')
      .selectAll()
      .where('id', '=', bookingId)
      .executeTakeFirstOrThrow();
    const events = await db
      .selectFrom('booking_events')
      .selectAll()
      .where('booking_id', '=', bookingId)
      .orderBy('seq')
      .execute();
    const offers = (
      await Promise.all(
        router.shards.map((shard) =>
          shard.db.selectFrom('offers').selectAll().where('booking_id', '=', bookingId).execute(),
        ),
      )
    ).flat();
    const trip =
      booking.driver_id === null
        ? undefined
        : await router
            .forId(booking.driver_id)
            .db.selectFrom('driver_jobs')
            .selectAll()
            .where('driver_id', '=', booking.driver_id)
            .where('booking_id', '=', bookingId)
            .executeTakeFirst();
    return { booking, events, offers, trip };
  }

  async function userOf(id: string): Promise<UsersTable> {
    return app.platform.router
      .forId(id)
      .db.selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  async function driverOf(id: string): Promise<{ driver: DriversTable; vehicle: VehiclesTable }> {
    const found = await new DriversRepository().findWithVehicle(app.platform.router.forId(id).db, id);
    if (found === undefined) {
      throw new Error(`no driver ${id}`);
    }
    return found;
  }

  async function lookupOf(kind: 'email' | 'plate', value: string): Promise<LookupDirectoryTable> {
    return app.platform.router
      .forKey(`${kind}:${value}`)
      .db.selectFrom('lookup_directory')
      .selectAll()
      .where('kind', '=', kind)
      .where('value', '=', value)
      .executeTakeFirstOrThrow();
  }

  async function generate(entity: ChunkPlan['entity'], count: number): Promise<void> {
    const started = await app.http.inject({
      method: 'POST',
      url: '/v1/admin/generate',
      headers: bearer(admin),
      payload: { entity, count },
    });
    expect(started.statusCode).toBe(202);
    const { jobId } = started.json<{ jobId: string }>();
    let job: GenerationJob | undefined;
    await waitFor(
      async () => {
        job = await app.services.generation.service.status(jobId);
        return job.state === 'completed' || job.state === 'failed';
      },
      60_000,
      50,
    );
    expect(job?.state).toBe('completed');
  }

  async function generatedIds(table: 'users' | 'bookings', column: 'id'): Promise<string[]> {
    const rows = await Promise.all(
      app.platform.router.shards.map((shard) => shard.db.selectFrom(table).select(column).execute()),
    );
    return rows
      .flat()
      .map((row) => row.id)
      .filter((id) => decodeId(id).node === GENERATED_ID_NODE);
  }

  it('builds every row with exactly the columns the live path inserts', async () => {
    const { customerId, driverId } = live;
    const driver = { id: driverId, vehicleType: 'van' as const, capacityKg: 750 };
    const other = {
      id: live.records.offers.find((o) => o.driver_id !== driverId)?.driver_id ?? '',
      vehicleType: 'van' as const,
      capacityKg: 750,
    };
    const plan = (entity: ChunkPlan['entity']): ChunkPlan => ({
      entity,
      seed: 7,
      chunk: 0,
      firstRow: 0,
      rows: 200,
      total: 200,
      indexBase: 1_000_000,
      startedAt: Date.now(),
      historyDays: 30,
      area: { center: CITY, radiusKm: 10 },
      customers: [customerId],
      drivers: [driver, other],
    });
    const place: Placement = {
      shardOfId: () => 0,
      shardOfLogical: () => 0,
      logicalForKey: () => 0,
      shardOfKey: () => 0,
    };
    const built = async (entity: ChunkPlan['entity']): Promise<ShardBatch> => {
      const batch = (await buildChunk(plan(entity), place, DEFAULT_REGION)).get(0);
      if (batch === undefined) {
        throw new Error(`no ${entity} built`);
      }
      return batch;
    };
    const drivers = await built('drivers');
    const bookings = await built('bookings');
    const firstArg = (spy: { mock: { calls: unknown[][] } }, index = 1) => {
      const argument = spy.mock.calls[0]?.[index];
      const row = Array.isArray(argument) ? (argument[0] as unknown) : argument;
      if (typeof row !== 'object' || row === null) {
        throw new Error('the live path inserted no row');
      }
      return row;
    };
    const generated = {
      users: drivers.users[0],
      lookups: drivers.lookups[0],
      drivers: drivers.drivers[0],
      vehicles: drivers.vehicles[0],
      bookings: bookings.bookings[0],
      events: bookings.events[0],
      offers: bookings.offers[0],
      driverTrips: bookings.driverTrips[0],
    };
    const liveRows = {
      users: firstArg(inserted.users),
      lookups: firstArg(inserted.lookups),
      drivers: firstArg(inserted.drivers),
      vehicles: firstArg(inserted.drivers, 2),
      bookings: firstArg(inserted.bookings),
      events: firstArg(inserted.events),
      offers: firstArg(inserted.offers),
      driverTrips: firstArg(inserted.driverTrips),
    };
    for (const table of Object.keys(liveRows) as (keyof typeof liveRows)[]) {
      const row = generated[table];
      expect(row, table).toBeDefined();
      expect({ table, columns: columns(row ?? {}) }).toEqual({ table, columns: columns(liveRows[table]) });
    }
  });

  it('writes generated accounts, drivers and bookings that match live ones column for column', async () => {
    await generate('users', 40);
    await generate('drivers', 20);
    await generate('bookings', 400);

    const liveCustomer = await userOf(live.customerId);
    const liveDriver = await driverOf(live.driverId);
    const generatedUsers = await Promise.all((await generatedIds('users', 'id')).map(userOf));
    const customer = generatedUsers.find((user) => user.role === 'customer' && user.status === 'active');
    const driverUser = generatedUsers.find((user) => user.role === 'driver' && user.status === 'active');
    if (customer === undefined || driverUser === undefined) {
      throw new Error('no generated customer or driver');
    }
    expect(pattern(customer)).toEqual(pattern(liveCustomer));
    // (The test fleet's drivers sign up without a phone; the customer gave one.)
    expect(pattern(driverUser)).toEqual(pattern(liveCustomer));
    // Both keep the email as the directory holds it, and the directory points at them.
    for (const user of [customer, liveCustomer]) {
      expect(user.email).toBe(user.email.trim().toLowerCase());
      expect(pattern(await lookupOf('email', user.email))).toEqual(
        pattern(await lookupOf('email', liveCustomer.email)),
      );
      expect((await lookupOf('email', user.email)).owner_id).toBe(user.id);
    }

    const generatedDriver = await driverOf(driverUser.id);
    expect(pattern(generatedDriver.driver)).toEqual(pattern(liveDriver.driver));
    expect(pattern(generatedDriver.vehicle)).toEqual(pattern(liveDriver.vehicle));
    for (const { driver, vehicle } of [generatedDriver, liveDriver]) {
      expect(vehicle.driver_id).toBe(driver.user_id);
      expect(vehicle.plate).toBe(vehicle.plate.toUpperCase().replace(/[\s-]+/g, ''));
      expect((await lookupOf('plate', vehicle.plate)).owner_id).toBe(driver.user_id);
    }

    // A generated booking with the live one's story: delivered, rated, declined by another driver first.
    let twin: BookingRecords | undefined;
    for (const id of await generatedIds('bookings', 'id')) {
      const records = await recordsOf(id);
      if (
        records.booking.status === 'delivered' &&
        records.booking.rating !== null &&
        records.offers.some((offer) => offer.status === 'rejected')
      ) {
        twin = records;
        break;
      }
    }
    if (twin === undefined) {
      throw new Error('no generated booking was delivered, rated and declined once');
    }
    const { records } = live;
    expect(pattern(twin.booking)).toEqual(pattern(records.booking));
    expect(twin.events.map(pattern)).toEqual(records.events.map(pattern));
    expect(twin.offers.map(pattern)).toEqual(records.offers.map(pattern));
    expect(twin.trip === undefined ? undefined : pattern(twin.trip)).toEqual(
      records.trip === undefined ? undefined : pattern(records.trip),
    );
    const liveFacts = facts(records);
    expect(Object.values(liveFacts).filter((fact) => fact === false)).toEqual([]);
    expect(facts(twin)).toEqual(liveFacts);
  });
});
