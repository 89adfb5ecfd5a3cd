import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuthResponse, Booking, Offer } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { bearer } from '../../../test/support/factories';
import {
  CITY,
  book,
  getBooking,
  newCustomer,
  offersOf,
  offset,
  onlineDriver,
  waitForOffer,
  waitForStatus,
} from '../../../test/support/fleet';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';
import { availableDriversSet } from '../drivers/available-drivers';
import { BookingsRepository } from '../bookings/bookings.repository';
import { OffersRepository } from './offers.repository';

async function accept(app: LoadlineApp, token: string, bookingId: string) {
  return app.http.inject({
    method: 'POST',
    url: `/v1/driver/offers/${bookingId}/accept`,
    headers: bearer(token),
  });
}

async function release(app: LoadlineApp, token: string, bookingId: string) {
  return app.http.inject({
    method: 'POST',
    url: `/v1/driver/jobs/${bookingId}/release`,
    headers: bearer(token),
  });
}

describe(`dispatch: who is offered (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let adminToken: string;

  beforeAll(async () => {
    env = await TestEnvironment.create('offers', {
      env: {
        RATE_LIMITS: 'off',
        DISPATCH_OFFERS_PER_WAVE: '10',
        DISPATCH_RADIUS_KM: '2',
        DISPATCH_RADIUS_GROWTH: '3',
        DISPATCH_MAX_WAVES: '2',
        OFFER_TTL_SECONDS: '2',
      },
    });
    app = await env.start();
    await app.services.auth.createAccount({
      email: 'ops@example.com',
      password: 'admin password',
      name: 'Ops',
      role: 'admin',
    });
    adminToken = (
      await app.http.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: 'ops@example.com', password: 'admin password' },
      })
    ).json<{ token: string }>().token;
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('offers reach only online, unsuspended, free drivers of the right type and capacity; rings widen; then it expires', async () => {
    const pickup = offset(CITY, 100);
    const near = await onlineDriver(app, { at: offset(pickup, 0.5) });
    const offline = await onlineDriver(app, { at: offset(pickup, 0.4), online: false });
    const suspended = await onlineDriver(app, { at: offset(pickup, 0.3) });
    const wrongType = await onlineDriver(app, { at: offset(pickup, 0.2), vehicleType: 'truck' });
    const tooSmall = await onlineDriver(app, { at: offset(pickup, 0.2), capacityKg: 100 });
    const farther = await onlineDriver(app, { at: offset(pickup, 4) });
    const farAway = await onlineDriver(app, { at: offset(pickup, 30) });
    const busy = await onlineDriver(app, { at: offset(pickup, 0.1) });

    // The busy driver takes another trip first.
    const other = await book(app, (await newCustomer(app)).token, { pickup: offset(pickup, 0.1) });
    await waitForOffer(app, busy.token, other.id);
    expect((await accept(app, busy.token, other.id)).statusCode).toBe(200);

    const patch = await app.http.inject({
      method: 'PATCH',
      url: `/v1/admin/drivers/${suspended.user.id}`,
      headers: bearer(adminToken),
      payload: { suspended: true },
    });
    expect(patch.statusCode).toBe(200);

    const customer = await newCustomer(app);
    const booking = await book(app, customer.token, {
      pickup,
      goods: { description: 'crates', weightKg: 300 },
    });

    const first = await waitForOffer(app, near.token, booking.id);
    expect(first.pickupDistanceKm).toBeCloseTo(0.5, 1);
    // Wave 2 widens the ring from 2 km to 6 km and reaches the driver 4 km out.
    await waitForOffer(app, farther.token, booking.id);

    for (const driver of [offline, wrongType, tooSmall, farAway, busy]) {
      expect((await offersOf(app, driver.token)).map((offer) => offer.bookingId)).not.toContain(booking.id);
    }
    const expired = await waitForStatus(app, customer.token, booking.id, 'expired', 20_000);
    expect(expired.driverId).toBeNull();
    const late = await accept(app, near.token, booking.id);
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ error: { code: 'booking_taken' } });
    const never = await accept(app, farAway.token, booking.id);
    expect(never.statusCode).toBe(404);
  });

  it('a wave looks past the nearest drivers when too few of them can take the booking', async () => {
    const pickup = offset(CITY, 150);
    // A wave's worth of nearest drivers (ten here), none able to carry the goods.
    const tooSmall = [];
    for (let index = 0; index < 10; index += 1) {
      tooSmall.push(await onlineDriver(app, { at: offset(pickup, 0.1 + index * 0.02), capacityKg: 100 }));
    }
    const able = await onlineDriver(app, { at: offset(pickup, 1) });
    const booking = await book(app, (await newCustomer(app)).token, {
      pickup,
      goods: { description: 'crates', weightKg: 300 },
    });
    await waitForOffer(app, able.token, booking.id);
    const offer = await app.platform.router
      .forId(able.user.id)
      .db.selectFrom('offers')
      .select('wave')
      .where('driver_id', '=', able.user.id)
      .where('booking_id', '=', booking.id)
      .executeTakeFirstOrThrow();
    // Offered in the first wave, not left for the next one.
    expect(offer.wave).toBe(1);
    for (const driver of tooSmall) {
      expect((await offersOf(app, driver.token)).map((each) => each.bookingId)).not.toContain(booking.id);
    }
  });

  it('a rejected offer cannot be accepted; an unknown one is 404', async () => {
    const pickup = offset(CITY, 200);
    const driver = await onlineDriver(app, { at: pickup });
    const booking = await book(app, (await newCustomer(app)).token, { pickup });
    await waitForOffer(app, driver.token, booking.id);
    const rejected = await app.http.inject({
      method: 'POST',
      url: `/v1/driver/offers/${booking.id}/reject`,
      headers: bearer(driver.token),
    });
    expect(rejected.statusCode).toBe(204);
    expect((await offersOf(app, driver.token)).map((offer: Offer) => offer.bookingId)).not.toContain(
      booking.id,
    );
    const afterwards = await accept(app, driver.token, booking.id);
    expect(afterwards.statusCode).toBe(409);
    expect(afterwards.json()).toMatchObject({ error: { code: 'offer_expired' } });
    expect((await accept(app, driver.token, '123456789012345678')).statusCode).toBe(404);
  });

  it('a released trip goes back to searching and is offered to someone else', async () => {
    const pickup = offset(CITY, 300);
    const first = await onlineDriver(app, { at: pickup });
    const booking = await book(app, (await newCustomer(app)).token, { pickup });
    await waitForOffer(app, first.token, booking.id);
    expect((await accept(app, first.token, booking.id)).statusCode).toBe(200);
    const second = await onlineDriver(app, { at: offset(pickup, 0.2) });
    const released = await release(app, first.token, booking.id);
    expect(released.statusCode).toBe(200);
    expect(released.json<Booking>()).toMatchObject({ status: 'searching', driverId: null, seq: 3 });
    await waitForOffer(app, second.token, booking.id);
    expect((await offersOf(app, first.token)).map((offer) => offer.bookingId)).not.toContain(booking.id);
    expect((await accept(app, second.token, booking.id)).statusCode).toBe(200);
    // The first driver is free again and in the pool.
    await waitFor(async () => {
      const hits = await app.platform.geo.nearby(availableDriversSet('van'), pickup, 1, 50);
      return hits.some((hit) => hit.member === first.user.id);
    });
  });

  it('a trip released after its next wave was due is offered again', async () => {
    const pickup = offset(CITY, 3, 3);
    const first = await onlineDriver(app, { at: pickup });
    const customer = await newCustomer(app);
    const waves = vi.spyOn(app.services.dispatch.service, 'runWave');
    const booking = await book(app, customer.token, { pickup });
    await waitForOffer(app, first.token, booking.id);
    expect((await accept(app, first.token, booking.id)).statusCode).toBe(200);
    // The driver holds the trip until wave 2 (queued for 2 s after wave 1) has run and found it taken.
    await waitFor(() => waves.mock.calls.some(([id, wave]) => id === booking.id && wave === 2), 10_000);
    waves.mockRestore();
    const second = await onlineDriver(app, { at: offset(pickup, 0.2) });
    expect((await release(app, first.token, booking.id)).statusCode).toBe(200);
    await waitForOffer(app, second.token, booking.id);
  });
});

describe(`dispatch: who is offered again after a release (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  const offers = new OffersRepository();

  beforeAll(async () => {
    env = await TestEnvironment.create('reoffer', {
      env: {
        RATE_LIMITS: 'off',
        DISPATCH_OFFERS_PER_WAVE: '10',
        DISPATCH_RADIUS_KM: '1',
        DISPATCH_RADIUS_GROWTH: '5',
        DISPATCH_MAX_WAVES: '3',
        OFFER_TTL_SECONDS: '5',
      },
    });
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
  });

  async function offerRow(driverId: string, bookingId: string) {
    const row = await offers.find(app.platform.router.forId(driverId).db, driverId, bookingId);
    return row === undefined ? undefined : { status: row.status, wave: row.wave };
  }

  it('a released booking is offered again to a driver whose offer was revoked, never to one who rejected it or let it lapse', async () => {
    const pickup = offset(CITY, -2);
    const customer = await newCustomer(app);
    // Wave 1 (1 km) reaches only the driver who lets the offer lapse; wave 2 (5 km), once
    // that offer has lapsed, reaches the other three in one wave.
    const lapsed = await onlineDriver(app, { at: offset(pickup, 0.5) });
    const taker = await onlineDriver(app, { at: offset(pickup, 3) });
    const other = await onlineDriver(app, { at: offset(pickup, 3.1) });
    const rejecter = await onlineDriver(app, { at: offset(pickup, 3.2) });
    const booking = await book(app, customer.token, { pickup });
    await waitForOffer(app, lapsed.token, booking.id);
    await waitForOffer(app, taker.token, booking.id);
    await waitForOffer(app, other.token, booking.id);
    await waitForOffer(app, rejecter.token, booking.id);
    expect(await offerRow(lapsed.user.id, booking.id)).toEqual({ status: 'expired', wave: 1 });

    const rejected = await app.http.inject({
      method: 'POST',
      url: `/v1/driver/offers/${booking.id}/reject`,
      headers: bearer(rejecter.token),
    });
    expect(rejected.statusCode).toBe(204);
    expect((await accept(app, taker.token, booking.id)).statusCode).toBe(200);
    // The other driver's offer is withdrawn because the booking was taken.
    await waitFor(async () => (await offerRow(other.user.id, booking.id))?.status === 'revoked');

    expect((await release(app, taker.token, booking.id)).statusCode).toBe(200);

    // The release starts a new search: its wave 2 (5 km) offers it again to the driver whose offer was only revoked.
    const again = await waitForOffer(app, other.token, booking.id);
    expect(again.bookingId).toBe(booking.id);
    expect(await offerRow(other.user.id, booking.id)).toEqual({ status: 'pending', wave: 2 });
    // The withdrawal for the first acceptance, delivered again late (at least once), reads the booking
    // as it is now (searching again) and leaves the new offer open.
    const now = await new BookingsRepository().findById(app.platform.router.forId(booking.id).db, booking.id);
    expect(now).toMatchObject({ status: 'searching', offer_wave: 2 });
    if (now !== undefined) {
      await app.services.dispatch.service.revokeOffers(now, 'taken', taker.user.id);
    }
    expect(await offerRow(other.user.id, booking.id)).toEqual({ status: 'pending', wave: 2 });

    // Nobody answers; past the new search's last wave the booking expires.
    await waitForStatus(app, customer.token, booking.id, 'expired', 20_000);
    expect(await offerRow(other.user.id, booking.id)).toEqual({ status: 'expired', wave: 2 });
    expect(await offerRow(rejecter.user.id, booking.id)).toEqual({ status: 'rejected', wave: 2 });
    expect(await offerRow(lapsed.user.id, booking.id)).toEqual({ status: 'expired', wave: 1 });
    expect(await offerRow(taker.user.id, booking.id)).toEqual({ status: 'accepted', wave: 2 });
  });

  it('a wave that asks again a driver whose offer was withdrawn also offers the drivers new to the booking on that shard', async () => {
    const pickup = offset(CITY, 6, -6);
    const customer = await newCustomer(app);
    const asked = await onlineDriver(app, { at: offset(pickup, 0.2) });
    const taker = await onlineDriver(app, { at: offset(pickup, 0.3) });
    const booking = await book(app, customer.token, { pickup });
    await waitForOffer(app, asked.token, booking.id);
    await waitForOffer(app, taker.token, booking.id);
    expect((await accept(app, taker.token, booking.id)).statusCode).toBe(200);
    await waitFor(async () => (await offerRow(asked.user.id, booking.id))?.status === 'revoked');

    // A driver new to the booking whose offers live on the same shard: the wave writes both there together.
    // Drivers signed up on other shards stay offline, out of the wave.
    const shardOf = (driverId: string) => app.platform.router.forId(driverId).index;
    let newcomer = await onlineDriver(app, { at: offset(pickup, 0.4), online: false });
    for (let tries = 0; shardOf(newcomer.user.id) !== shardOf(asked.user.id); tries += 1) {
      expect(tries).toBeLessThan(30);
      newcomer = await onlineDriver(app, { at: offset(pickup, 0.4), online: false });
    }
    const online = await app.http.inject({
      method: 'PUT',
      url: '/v1/driver/availability',
      headers: bearer(newcomer.token),
      payload: { online: true },
    });
    expect(online.statusCode).toBe(200);
    expect((await release(app, taker.token, booking.id)).statusCode).toBe(200);

    await waitForOffer(app, asked.token, booking.id);
    await waitForOffer(app, newcomer.token, booking.id);
    // One wave of the release's search: the withdrawn offer reopened, the new one added.
    const reopened = await offerRow(asked.user.id, booking.id);
    expect(reopened?.status).toBe('pending');
    expect(await offerRow(newcomer.user.id, booking.id)).toEqual(reopened);
  });
});

describe(`dispatch: races (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('races', {
      env: {
        RATE_LIMITS: 'off',
        DISPATCH_OFFERS_PER_WAVE: '50',
        DISPATCH_RADIUS_KM: '5',
        OFFER_TTL_SECONDS: '60',
      },
    });
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('50 drivers accept one booking at once, 20 times over: exactly one 200, the rest 409, never 5xx', async () => {
    const pickup = offset(CITY, -200);
    const drivers: AuthResponse[] = [];
    for (let index = 0; index < 50; index += 1) {
      drivers.push(
        await onlineDriver(app, { at: offset(pickup, (index % 10) * 0.05, Math.floor(index / 10) * 0.05) }),
      );
    }
    const customer = await newCustomer(app);
    for (let round = 0; round < 20; round += 1) {
      const booking = await book(app, customer.token, { pickup });
      await waitFor(
        async () => {
          const offers = await Promise.all(drivers.map((driver) => offersOf(app, driver.token)));
          return offers.every((items) => items.some((offer) => offer.bookingId === booking.id));
        },
        20_000,
        100,
      );
      const responses = await Promise.all(drivers.map((driver) => accept(app, driver.token, booking.id)));
      const statuses = responses.map((response) => response.statusCode);
      const unexpected = responses
        .filter((r) => r.statusCode !== 200 && r.statusCode !== 409)
        .map((r) => `${r.statusCode} ${r.body}`);
      expect(unexpected).toEqual([]);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 409)).toHaveLength(49);
      const codes = new Set(
        responses
          .filter((r) => r.statusCode === 409)
          .map((r) => r.json<{ error: { code: string } }>().error.code),
      );
      expect([...codes].every((code) => code === 'booking_taken')).toBe(true);
      const winner = responses.findIndex((response) => response.statusCode === 200);
      const stored = await getBooking(app, customer.token, booking.id);
      expect(stored.driverId).toBe(drivers[winner]?.user.id);
      expect(stored.seq).toBe(2);
      // Finish the trip so the winner is free for the next round.
      const token = drivers[winner]?.token ?? '';
      for (const status of [
        'en_route_to_pickup',
        'arrived_at_pickup',
        'goods_collected',
        'in_transit',
        'delivered',
      ] as const) {
        const moved = await app.http.inject({
          method: 'POST',
          url: `/v1/bookings/${booking.id}/status`,
          headers: bearer(token),
          payload: { status },
        });
        expect(moved.statusCode).toBe(200);
      }
      const winnerId = drivers[winner]?.user.id ?? '';
      await waitFor(
        async () =>
          (await app.platform.geo.nearby(availableDriversSet('van'), pickup, 2, 100)).some(
            (hit) => hit.member === winnerId,
          ),
        10_000,
        50,
      );
    }
  }, 180_000);

  it('one driver accepting two bookings at once wins at most one', async () => {
    const pickup = offset(CITY, -300);
    const driver = await onlineDriver(app, { at: pickup });
    const customer = await newCustomer(app);
    const first = await book(app, customer.token, { pickup });
    const second = await book(app, customer.token, { pickup: offset(pickup, 0.1) });
    await waitForOffer(app, driver.token, first.id);
    await waitForOffer(app, driver.token, second.id);
    const [a, b] = await Promise.all([
      accept(app, driver.token, first.id),
      accept(app, driver.token, second.id),
    ]);
    const statuses = [a.statusCode, b.statusCode].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = a.statusCode === 409 ? a : b;
    expect(loser.json()).toMatchObject({ error: { code: 'driver_busy' } });
  });
});

describe(`dispatch: a release starts a new search (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('research', {
      env: { RATE_LIMITS: 'off', DISPATCH_MAX_WAVES: '1', OFFER_TTL_SECONDS: '30' },
    });
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('a trip released after the last wave gets a full set of waves again instead of expiring', async () => {
    const pickup = offset(CITY, 20);
    const first = await onlineDriver(app, { at: pickup });
    const customer = await newCustomer(app);
    const booking = await book(app, customer.token, { pickup });
    await waitForOffer(app, first.token, booking.id);
    expect((await accept(app, first.token, booking.id)).statusCode).toBe(200);
    const second = await onlineDriver(app, { at: offset(pickup, 0.2) });
    expect((await release(app, first.token, booking.id)).statusCode).toBe(200);
    await waitForOffer(app, second.token, booking.id);
    const current = await app.http.inject({
      url: `/v1/bookings/${booking.id}`,
      headers: bearer(customer.token),
    });
    expect(current.json<Booking>().status).toBe('searching');
    expect((await accept(app, second.token, booking.id)).statusCode).toBe(200);
  });
});
