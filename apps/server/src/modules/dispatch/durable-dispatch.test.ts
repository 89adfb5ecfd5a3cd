import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LoadlineApp } from '../../app';
import { BookingsRepository, type BookingRow } from '../bookings/bookings.repository';
import {
  CITY,
  book,
  newCustomer,
  offset,
  onlineDriver,
  waitForOffer,
  waitForStatus,
} from '../../../test/support/fleet';
import { ShiftedClock } from '../../../test/support/shifted-clock';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';
import { DISPATCH_WAVE_JOB, waveJobId } from './dispatch.service';

const OFFER_TTL_MS = 20_000;
const MAX_WAVES = 5;
/** Past the sweep's grace: a step due this long ago is overdue. */
const OVERDUE_MS = 15_000;

const bookings = new BookingsRepository();

describe(`dispatch timers live in SQL (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  const clock = new ShiftedClock();

  async function stored(bookingId: string): Promise<BookingRow> {
    const row = await bookings.findById(app.platform.router.forId(bookingId).db, bookingId);
    if (row === undefined) {
      throw new Error(`booking ${bookingId} not found`);
    }
    return row;
  }

  async function waitForWave(bookingId: string, wave: number): Promise<BookingRow> {
    await waitFor(async () => (await stored(bookingId)).offer_wave === wave, 15_000);
    return stored(bookingId);
  }

  /** Deletes the queued job of the booking's next wave, as a Redis that lost its data would. */
  async function loseWaveJob(booking: BookingRow, wave: number): Promise<void> {
    // The wave records itself before it queues its successor: wait for the job to be there.
    await waitFor(() => app.platform.queue.remove(DISPATCH_WAVE_JOB, waveJobId(booking, wave)), 5_000);
  }

  beforeAll(async () => {
    env = await TestEnvironment.create('durabledispatch', {
      env: {
        RATE_LIMITS: 'off',
        OFFER_TTL_SECONDS: String(OFFER_TTL_MS / 1000),
        DISPATCH_MAX_WAVES: String(MAX_WAVES),
        DISPATCH_SWEEP_INTERVAL_MS: '200',
      },
    });
    app = await env.start({ clock });
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('a booking whose next-wave jobs are lost still gets its next wave, then expires at its deadline', async () => {
    const pickup = offset(CITY, 40);
    const customer = await newCustomer(app);
    const created = await book(app, customer.token, { pickup });
    // Nobody near: wave 1 finds no one and queues wave 2 five seconds on.
    const first = await waitForWave(created.id, 1);
    await loseWaveJob(first, 2);

    const driver = await onlineDriver(app, { at: offset(pickup, 0.5) });
    clock.advance(OVERDUE_MS);
    await waitForOffer(app, driver.token, created.id, 10_000);
    const second = await waitForWave(created.id, 2);
    expect(second.status).toBe('searching');

    // The driver lets the offer lapse; wave 3's job is lost too. Past the search's deadline it expires.
    await loseWaveJob(second, 3);
    clock.advance(MAX_WAVES * OFFER_TTL_MS);
    await waitForStatus(app, customer.token, created.id, 'expired', 10_000);
    const ended = await stored(created.id);
    expect({ wave: ended.offer_wave, reason: ended.cancel_reason }).toEqual({ wave: 2, reason: null });
  });

  it('a wave job that spends its tries while the database is down is finished by the sweep once it is back', async () => {
    const pickup = offset(CITY, -40);
    const customer = await newCustomer(app);
    const created = await book(app, customer.token, { pickup });
    await waitForWave(created.id, 1);
    const failedBefore = (await app.platform.queue.counts(DISPATCH_WAVE_JOB)).failed;

    // Every read of a booking fails: wave 2 (due in five seconds) spends its five tries, and the
    // expiry its last try falls back on fails as well.
    const down = vi
      .spyOn(BookingsRepository.prototype, 'findById')
      .mockRejectedValue(new Error('database unreachable'));
    await waitFor(
      async () => (await app.platform.queue.counts(DISPATCH_WAVE_JOB)).failed === failedBefore + 1,
      30_000,
      100,
    );
    down.mockRestore();
    const stranded = await stored(created.id);
    expect({ status: stranded.status, wave: stranded.offer_wave }).toEqual({ status: 'searching', wave: 1 });

    clock.advance(OVERDUE_MS);
    const resumed = await waitForWave(created.id, 2);
    expect(resumed.status).toBe('searching');
    clock.advance(MAX_WAVES * OFFER_TTL_MS);
    await waitForStatus(app, customer.token, created.id, 'expired', 10_000);
    expect((await stored(created.id)).cancel_reason).toBeNull();
  });
});
