import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LoadlineApp } from '../../app';
import { driverSignup, signUp } from '../../../test/support/factories';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { OfferReads } from './offer-reads';
import { OffersRepository, type OfferRow } from './offers.repository';

describe(`grouped offer reads (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  const offers = new OffersRepository();

  beforeAll(async () => {
    env = await TestEnvironment.create('offer-reads', { env: { RATE_LIMITS: 'off' } });
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
  });

  function offerRow(driverId: string, bookingId: string): OfferRow {
    const now = Date.now();
    return {
      driver_id: driverId,
      booking_id: bookingId,
      status: 'pending',
      wave: 1,
      payload: '{}',
      created_at: now,
      expires_at: now + 20_000,
      responded_at: null,
    };
  }

  it('answers the reads of one turn with one statement per shard, each with its own offer', async () => {
    const drivers = await Promise.all([1, 2, 3, 4].map(() => signUp(app, driverSignup())));
    const ids = drivers.map((driver) => driver.user.id);
    const bookingId = String(BigInt(ids[0] ?? '0') + 1n);
    const dbOf = (driverId: string) => app.platform.router.forId(driverId).db;
    // Every driver but the last has an offer for the booking.
    for (const driverId of ids.slice(0, 3)) {
      await offers.insert(dbOf(driverId), offerRow(driverId, bookingId));
    }
    const findMany = vi.spyOn(offers, 'findMany');
    const reads = new OfferReads(app.platform.router, offers);

    const answers = await Promise.all(
      [...ids, ids[0] ?? ''].map((driverId) => reads.find(driverId, bookingId)),
    );

    expect(answers.map((row) => row?.driver_id)).toEqual([ids[0], ids[1], ids[2], undefined, ids[0]]);
    expect(answers.every((row) => row === undefined || row.booking_id === bookingId)).toBe(true);
    const shards = new Set(ids.map((driverId) => app.platform.router.forId(driverId).index));
    expect(findMany).toHaveBeenCalledTimes(shards.size);

    // A read asked for after a change sees it.
    const first = ids[0] ?? '';
    await offers.setStatus(dbOf(first), first, bookingId, ['pending'], 'rejected', Date.now());
    expect((await reads.find(first, bookingId))?.status).toBe('rejected');
    expect(findMany).toHaveBeenCalledTimes(shards.size + 1);
    findMany.mockRestore();
  });

  it('splits a large batch into statements of at most a hundred keys', async () => {
    const driver = await signUp(app, driverSignup());
    const db = app.platform.router.forId(driver.user.id).db;
    const bookingIds = Array.from({ length: 250 }, (_, index) =>
      String(BigInt(driver.user.id) + BigInt(index + 1)),
    );
    // Every tenth booking was offered to the driver.
    for (const bookingId of bookingIds.filter((_, index) => index % 10 === 0)) {
      await offers.insert(db, offerRow(driver.user.id, bookingId));
    }
    const findMany = vi.spyOn(offers, 'findMany');
    const reads = new OfferReads(app.platform.router, offers);

    const answers = await Promise.all(bookingIds.map((bookingId) => reads.find(driver.user.id, bookingId)));

    expect(answers.map((row) => row?.booking_id ?? null)).toEqual(
      bookingIds.map((bookingId, index) => (index % 10 === 0 ? bookingId : null)),
    );
    expect(findMany.mock.calls.map(([, keys]) => keys.length)).toEqual([100, 100, 50]);
    findMany.mockRestore();
  });

  it('fails the reads of a batch whose statement failed, and reads again afterwards', async () => {
    const driver = await signUp(app, driverSignup());
    const failing = { findMany: vi.fn().mockRejectedValueOnce(new Error('shard down')) };
    failing.findMany.mockImplementation((db: Parameters<OffersRepository['findMany']>[0], keys) =>
      offers.findMany(db, keys as Parameters<OffersRepository['findMany']>[1]),
    );
    const reads = new OfferReads(app.platform.router, failing);

    const [one, two] = await Promise.allSettled([
      reads.find(driver.user.id, '1'),
      reads.find(driver.user.id, '2'),
    ]);
    expect(one).toMatchObject({ status: 'rejected', reason: { message: 'shard down' } });
    expect(two).toMatchObject({ status: 'rejected', reason: { message: 'shard down' } });
    await expect(reads.find(driver.user.id, '1')).resolves.toBeUndefined();
  });
});
