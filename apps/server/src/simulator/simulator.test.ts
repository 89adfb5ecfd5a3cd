import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  STOP_FAILURE_REASONS,
  type AdminDriver,
  type Analytics,
  type Booking,
  type BookingEvent,
} from '@loadline/contracts';
import type { LoadlineApp } from '../app';
import { createLogger } from '../lib/logger';
import { drained } from '../../test/support/drained';
import { baseUrlOf } from '../../test/support/sockets';
import { TestEnvironment } from '../../test/support/test-env';
import { tier } from '../../test/support/tier';
import { waitFor } from '../../test/support/wait';
import { bearer, signInAdmin } from '../../test/support/factories';
import { ApiError } from './api-client';
import type { SimSettings } from './sim-settings';
import { SimSocket } from './sim-socket';
import type { SimSnapshot } from './sim-stats';
import { Simulator } from './simulator';

/** Everything a person does, 300 times faster; pings and offer answers short but within the contract's limits. */
const FAST: Partial<SimSettings> = {
  timeScale: 300,
  pingIntervalMs: { min: 150, max: 300 },
  offerDecisionMs: { min: 30, max: 120 },
  acceptProbability: 0.8,
  onlineAtStart: 1,
  togglingShare: 0,
  cancelShare: 0.2,
  rateShare: 1,
};

const AREA = { center: { lat: 12.9716, lng: 77.5946 }, radiusKm: 2 };

describe(`simulator against an in-process server (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let url: string;
  let adminToken: string;
  /** Drivers the first run left holding a trip (stopping never waits for a delivery). */
  let leftOnATrip = 0;
  /** The simulator's latest warnings (its errors among them), shown when a run counted errors. */
  const warnings: string[] = [];
  const logger =
    process.env.LOADLINE_TEST_LOG_LEVEL === undefined
      ? createLogger('warn', {
          write: (line: string) => {
            warnings.push(line);
            warnings.splice(0, warnings.length - 40);
          },
        })
      : createLogger(process.env.LOADLINE_TEST_LOG_LEVEL);

  /** As a deployment would: one made-up password for every simulated account, the same on every run. */
  const password = `sim-${randomBytes(9).toString('base64url')}`;
  const simulator = (
    bookingsPerMinute: number,
    runPassword = password,
    settings: Partial<SimSettings> = {},
  ): Simulator => {
    warnings.length = 0;
    return new Simulator({
      baseUrl: url,
      password: runPassword,
      drivers: 3,
      customers: 2,
      bookingsPerMinute,
      area: AREA,
      seed: 7,
      settings: { ...FAST, ...settings },
      logger,
      statusIntervalMs: 60_000,
    });
  };

  async function adminGet<T>(path: string): Promise<T> {
    const response = await app.http.inject({ method: 'GET', url: path, headers: bearer(adminToken) });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<T>();
  }

  async function simDrivers(): Promise<AdminDriver[]> {
    const page = await adminGet<{ items: AdminDriver[] }>('/v1/admin/drivers?limit=100');
    return page.items.filter((driver) => driver.email.startsWith('sim-driver-'));
  }

  function noErrors(snapshot: SimSnapshot): void {
    expect(snapshot.errors, `${JSON.stringify(snapshot.errorKinds)}\n${warnings.join('')}`).toBe(0);
  }

  beforeAll(async () => {
    // Rate limits stay on: the simulator must live with them. The runs below sign in from one
    // address more often than the per-IP sign-in limit allows in its usual minute; a shorter window
    // keeps the limit (and the simulator's waiting on it) without a minute's wait per run.
    env = await TestEnvironment.create('simulator');
    app = await env.start({ env: { AUTH_RATE_LIMIT_IP: '30/5' } });
    await app.listen();
    url = baseUrlOf(app);
    adminToken = await signInAdmin(app);
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('signs up a fleet, delivers a booking through every status, and leaves every driver offline after stop', async () => {
    const sim = simulator(120);
    await sim.start();
    let last: SimSnapshot;
    try {
      await waitFor(() => sim.snapshot().bookingsDelivered >= 1, 45_000, 50);
      expect(sim.snapshot().driversOnline).toBe(3);
    } finally {
      last = await sim.stop();
    }

    noErrors(last);
    // A trip that ended frees its driver through its events: wait for them before counting who is busy.
    await drained(app);
    expect(last.accountsCreated).toBe(5);
    expect(last.accountsLoggedIn).toBe(0);
    expect(last.driversOnline).toBe(0);
    expect(last.bookingsCreated).toBeGreaterThanOrEqual(1);
    expect(last.offersAccepted).toBeGreaterThanOrEqual(1);
    expect(last.locationPings).toBeGreaterThan(0);

    const drivers = await simDrivers();
    expect(drivers.map((driver) => driver.email).sort()).toEqual([
      'sim-driver-0001@loadline.test',
      'sim-driver-0002@loadline.test',
      'sim-driver-0003@loadline.test',
    ]);
    expect(drivers.map((driver) => driver.vehicle.type).sort()).toEqual(['bike', 'mini_truck', 'van']);
    expect(drivers.filter((driver) => driver.online)).toEqual([]);
    expect((await adminGet<{ items: AdminDriver[] }>('/v1/admin/drivers?status=online')).items).toEqual([]);
    leftOnATrip = drivers.filter((driver) => driver.busy).length;

    const delivered = await adminGet<{ items: Booking[] }>('/v1/admin/bookings?status=delivered');
    const booking = delivered.items[0];
    expect(booking).toBeDefined();
    expect(drivers.map((driver) => driver.id)).toContain(booking?.driverId);
    const events = await adminGet<{ items: BookingEvent[] }>(`/v1/bookings/${booking?.id ?? ''}/events`);
    // The status changes (a booking with several stops also has its stops' events between them).
    expect(events.items.filter((event) => event.type === undefined).map((event) => event.status)).toEqual([
      'searching',
      'driver_assigned',
      'en_route_to_pickup',
      'arrived_at_pickup',
      'goods_collected',
      'in_transit',
      'delivered',
    ]);
  }, 90_000);

  it("a socket with an unknown token is refused with the server's code, not retried forever", async () => {
    const unknown = { token: 'not-a-session', renew: () => Promise.reject(new Error('no account')) };
    const refused = await SimSocket.open(url, unknown).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 401, code: 'unauthenticated' });
  });

  /** Runs a fleet that books nothing: `whileOnline` once every driver is online, then stops it. */
  async function runFleet(whileOnline: (sim: Simulator) => Promise<void>): Promise<SimSnapshot> {
    const sim = simulator(0);
    await sim.start();
    let last: SimSnapshot;
    try {
      await sim.whenReady();
      await waitFor(() => sim.snapshot().driversOnline === 3, 20_000, 50);
      await whileOnline(sim);
    } finally {
      last = await sim.stop();
    }
    return last;
  }

  it('a rerun logs in to the same accounts, picks up trips left open, and signs off cleanly', async () => {
    const last = await runFleet(() => Promise.resolve());

    noErrors(last);
    expect(last.accountsCreated).toBe(0);
    expect(last.accountsLoggedIn).toBe(5);
    expect(last.bookingsCreated).toBe(0);
    expect(last.tripsResumed).toBe(leftOnATrip);
    const drivers = await simDrivers();
    expect(drivers).toHaveLength(3);
    expect(drivers.filter((driver) => driver.online)).toEqual([]);
  }, 60_000);

  it('when the server revokes their sessions, the simulated people sign in again and carry on', async () => {
    const last = await runFleet(async (sim) => {
      // A password reset (to the same password) revokes every session of the account and closes its sockets.
      const emails = [1, 2, 3].map((n) => `sim-driver-000${n}@loadline.test`);
      emails.push('sim-customer-0001@loadline.test', 'sim-customer-0002@loadline.test');
      for (const email of emails) {
        await app.services.auth.resetPassword(email, password);
      }
      const pings = sim.snapshot().locationPings;
      await waitFor(() => sim.snapshot().locationPings >= pings + 30, 20_000, 50);
      await waitFor(() => sim.snapshot().reauthenticated === 5, 20_000, 50);
    });
    expect(Object.keys(last.errorKinds).filter((kind) => kind.includes('unauthenticated'))).toEqual([]);
    expect((await simDrivers()).filter((driver) => driver.online)).toEqual([]);
  }, 60_000);

  it('works multi-stop bookings stop by stop, with PINs the customers read out, failing a few stops with a reason', async () => {
    const sim = simulator(120, password, {
      multiStopShare: 1,
      handoverPinsShare: 0.5,
      failStopShare: 0.25,
      signatureShare: 0.5,
      cancelShare: 0,
    });
    await sim.start();
    let last: SimSnapshot;
    try {
      await waitFor(
        () => {
          const now = sim.snapshot();
          return now.stopsFailed >= 1 && now.pinsEntered >= 2 && now.signaturesUploaded >= 1;
        },
        90_000,
        50,
      );
    } finally {
      last = await sim.stop();
    }
    noErrors(last);
    expect(last.multiStopBookings).toBe(last.bookingsCreated);
    expect(last.pinBookings).toBeGreaterThan(0);

    // Every booking the run delivered with stops had them settled in order, each failure with its reason.
    const delivered = await adminGet<{ items: Booking[] }>('/v1/admin/bookings?status=delivered&limit=100');
    const worked: Booking[] = [];
    for (const summary of delivered.items) {
      const booking = await adminGet<Booking>(`/v1/bookings/${summary.id}`);
      if ((booking.stops?.length ?? 0) > 1) {
        worked.push(booking);
      }
    }
    expect(worked.length).toBeGreaterThan(0);
    for (const booking of worked) {
      const stops = booking.stops ?? [];
      expect(stops.length).toBeLessThanOrEqual(4);
      for (const stop of stops) {
        expect(['delivered', 'failed']).toContain(stop.status);
        if (stop.status === 'failed') {
          expect(stop.failure?.reason).toBeDefined();
          expect(stop.failure?.note).not.toBeNull();
        } else {
          expect(stop.proof).not.toBeNull();
        }
      }
      const completedAt = stops.map((stop) => stop.completedAt ?? '');
      expect(completedAt).toEqual([...completedAt].sort());
      const events = await adminGet<{ items: BookingEvent[] }>(`/v1/bookings/${booking.id}/events`);
      const settled = events.items.filter(
        (event) => event.type === 'stop_completed' || event.type === 'stop_failed',
      );
      expect(settled.map((event) => event.stopSeq)).toEqual(stops.map((stop) => stop.seq));
      // The customers' PINs were right the first time.
      expect(events.items.filter((event) => event.type === 'pin_rejected')).toEqual([]);
    }

    // Every failed stop has its reason (some may belong to a booking still in transit when the run stopped),
    // and the failed stops reach the admin analytics, once each.
    let stored = 0;
    for (const shard of app.platform.router.shards) {
      const rows = await shard.db
        .selectFrom('booking_stops')
        .select(['failure_reason', 'failure_note'])
        .where('status', '=', 'failed')
        .execute();
      for (const row of rows) {
        expect(STOP_FAILURE_REASONS).toContain(row.failure_reason);
        expect(row.failure_note).not.toBeNull();
      }
      stored += rows.length;
    }
    expect(stored).toBeGreaterThanOrEqual(last.stopsFailed);
    const today = new Date().toISOString().slice(0, 10);
    await waitFor(
      async () => {
        await app.platform.cache.delete(
          `admin:analytics:${Date.parse(today) / 86_400_000}:${Date.parse(today) / 86_400_000}`,
        );
        const figures = await adminGet<Analytics>(`/v1/admin/analytics?from=${today}&to=${today}`);
        return figures.failedStops?.total === stored;
      },
      10_000,
      100,
    );
  }, 150_000);

  it('a run with another password cannot use the accounts and says so, once per account', async () => {
    const sim = simulator(0, 'not the password these accounts have');
    await sim.start();
    await sim.whenReady();
    const last = await sim.stop();
    expect(last.accountsCreated).toBe(0);
    expect(last.accountsLoggedIn).toBe(0);
    expect(last.errors).toBe(5);
    expect(last.errorKinds).toEqual({ 'setup: simulator_password_mismatch': 5 });
    expect(await simDrivers()).toHaveLength(3);
  }, 60_000);
});
