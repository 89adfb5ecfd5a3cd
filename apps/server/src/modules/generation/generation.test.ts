import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { AuthResponse, Booking, GenerationJob } from '@loadline/contracts';
import { decodeBookingRef } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { bearer, customerSignup, signInAdmin, signUp } from '../../../test/support/factories';
import { baseUrlOf, connectSocket } from '../../../test/support/sockets';
import { startServerProcess } from '../../../test/support/processes';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';
import { decodeId, GENERATED_ID_NODE } from '../../platform/db/ids';
import { UNUSABLE_PASSWORD_HASH } from '../../lib/passwords';

async function count(
  app: LoadlineApp,
  table: 'users' | 'drivers' | 'vehicles' | 'bookings' | 'booking_events',
): Promise<number[]> {
  return Promise.all(
    app.platform.router.shards.map(async (shard) => {
      const row = await shard.db
        .selectFrom(table)
        .select(sql<number | string>`count(*)`.as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    }),
  );
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

describe(`bulk generation (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let admin: string;

  beforeAll(async () => {
    env = await TestEnvironment.create('generation', {
      env: { RATE_LIMITS: 'off', GENERATION_CHUNK_SIZE: '250', GENERATION_CONCURRENCY: '3' },
    });
    app = await env.start();
    admin = await signInAdmin(app);
  });

  afterAll(async () => {
    await env.destroy();
  });

  async function generate(entity: 'users' | 'drivers' | 'bookings', total: number): Promise<GenerationJob> {
    const started = await app.http.inject({
      method: 'POST',
      url: '/v1/admin/generate',
      headers: bearer(admin),
      payload: { entity, count: total },
    });
    expect(started.statusCode).toBe(202);
    const { jobId } = started.json<{ jobId: string }>();
    let job: GenerationJob | undefined;
    await waitFor(
      async () => {
        const response = await app.http.inject({ url: `/v1/admin/jobs/${jobId}`, headers: bearer(admin) });
        job = response.json<GenerationJob>();
        return job.state === 'completed' || job.state === 'failed';
      },
      60_000,
      50,
    );
    if (job === undefined) {
      throw new Error('no job');
    }
    return job;
  }

  it('refuses bad requests and bookings before there is anyone to book', async () => {
    for (const payload of [
      { entity: 'planets', count: 10 },
      { entity: 'users', count: 0 },
      { entity: 'users', count: 1.5 },
      { entity: 'users' },
    ]) {
      const response = await app.http.inject({
        method: 'POST',
        url: '/v1/admin/generate',
        headers: bearer(admin),
        payload,
      });
      expect(response.statusCode).toBe(400);
    }
    const bookings = await app.http.inject({
      method: 'POST',
      url: '/v1/admin/generate',
      headers: bearer(admin),
      payload: { entity: 'bookings', count: 10 },
    });
    expect(bookings.statusCode).toBe(409);
    expect(bookings.json<{ error: { code: string } }>().error.code).toBe('nothing_to_book');
    const missing = await app.http.inject({ url: '/v1/admin/jobs/123456789', headers: bearer(admin) });
    expect(missing.statusCode).toBe(404);
  });

  it('is for admins only', async () => {
    const anonymous = await app.http.inject({
      method: 'POST',
      url: '/v1/admin/generate',
      payload: { entity: 'users', count: 10 },
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('writes users, drivers and bookings on every shard with consistent references', async () => {
    const before = sum(await count(app, 'users'));
    const users = await generate('users', 2_000);
    expect(users).toMatchObject({ state: 'completed', done: 2_000, total: 2_000, etaSeconds: null });
    expect(users.rate).toBeGreaterThan(0);
    const drivers = await generate('drivers', 600);
    expect(drivers).toMatchObject({ state: 'completed', done: 600 });
    const bookings = await generate('bookings', 3_000);
    expect(bookings).toMatchObject({ state: 'completed', done: 3_000 });

    const userCounts = await count(app, 'users');
    expect(sum(userCounts)).toBe(before + 2_600);
    const driverCounts = await count(app, 'drivers');
    expect(sum(driverCounts)).toBe(600);
    expect(sum(await count(app, 'vehicles'))).toBe(600);
    const bookingCounts = await count(app, 'bookings');
    expect(sum(bookingCounts)).toBe(3_000);
    // Every shard got a share of each.
    for (const counts of [userCounts, driverCounts, bookingCounts]) {
      for (const perShard of counts) {
        expect(perShard).toBeGreaterThan(0);
      }
    }

    const { router } = app.platform;
    const userIds = new Set<string>();
    for (const shard of router.shards) {
      const rows = await shard.db.selectFrom('users').select(['id', 'email', 'role']).execute();
      for (const row of rows) {
        userIds.add(row.id);
        // Each account is on its own shard, and its email's directory entry points at it.
        expect(router.forId(row.id).index).toBe(shard.index);
        const entry = await router
          .forKey(`email:${row.email}`)
          .db.selectFrom('lookup_directory')
          .select('owner_id')
          .where('kind', '=', 'email')
          .where('value', '=', row.email)
          .executeTakeFirst();
        expect(entry?.owner_id).toBe(row.id);
      }
      const drivers = await shard.db
        .selectFrom('drivers')
        .innerJoin('vehicles', 'vehicles.id', 'drivers.vehicle_id')
        .innerJoin('users', 'users.id', 'drivers.user_id')
        .select(['drivers.user_id', 'users.role', 'vehicles.plate'])
        .execute();
      expect(drivers.length).toBe(
        await shard.db
          .selectFrom('drivers')
          .select('user_id')
          .execute()
          .then((r) => r.length),
      );
      for (const driver of drivers) {
        expect(driver.role).toBe('driver');
        const plate = await router
          .forKey(`plate:${driver.plate}`)
          .db.selectFrom('lookup_directory')
          .select('owner_id')
          .where('kind', '=', 'plate')
          .where('value', '=', driver.plate)
          .executeTakeFirst();
        expect(plate?.owner_id).toBe(driver.user_id);
      }
    }
    const refs = new Set<string>();
    for (const shard of router.shards) {
      const rows = await shard.db.selectFrom('bookings').selectAll().execute();
      for (const booking of rows) {
        expect(decodeId(booking.id).node).toBe(GENERATED_ID_NODE);
        // Each has its own short reference, minted from its generation index.
        expect(booking.ref).toMatch(/^LL-[0-9A-HJKMNP-TV-Z]{7}$/);
        expect(decodeBookingRef(booking.ref ?? '')).toMatchObject({ kind: 'generated' });
        refs.add(booking.ref ?? '');
        // A booking lives with its customer; its customer and driver exist.
        expect(router.forId(booking.customer_id).index).toBe(shard.index);
        expect(userIds.has(booking.customer_id)).toBe(true);
        if (booking.driver_id !== null) {
          expect(userIds.has(booking.driver_id)).toBe(true);
          const job = await router
            .forId(booking.driver_id)
            .db.selectFrom('driver_jobs')
            .select(['status'])
            .where('driver_id', '=', booking.driver_id)
            .where('booking_id', '=', booking.id)
            .executeTakeFirst();
          expect(job?.status).toBe(booking.status);
        }
        expect(['delivered', 'cancelled', 'expired']).toContain(booking.status);
        const events = await shard.db
          .selectFrom('booking_events')
          .select(['seq', 'status', 'at'])
          .where('booking_id', '=', booking.id)
          .orderBy('seq')
          .execute();
        // One event per status, seq 1..n, in time order, ending in the booking's status.
        expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
        expect(events.length).toBe(booking.seq);
        expect(events[events.length - 1]?.status).toBe(booking.status);
        for (let index = 1; index < events.length; index += 1) {
          expect(events[index]?.at ?? 0).toBeGreaterThanOrEqual(events[index - 1]?.at ?? 0);
        }
        if (booking.status === 'delivered') {
          expect(booking.picked_up_at).not.toBeNull();
          expect(booking.delivered_at ?? 0).toBeGreaterThan(booking.picked_up_at ?? 0);
          expect(booking.picked_up_at ?? 0).toBeGreaterThan(booking.created_at);
        }
        expect(booking.created_at).toBeLessThan(Date.now());
      }
    }
    expect(refs.size).toBe(3_000);
    // The API shows the stored reference.
    const [listed] = (
      await app.http.inject({ method: 'GET', url: '/v1/admin/bookings?limit=1', headers: bearer(admin) })
    ).json<{ items: Booking[] }>().items;
    expect(listed?.ref).toBeDefined();
    expect(refs.has(listed?.ref ?? '')).toBe(true);
  });

  it('pushes progress to admins over the socket, and to no one else', async () => {
    await app.listen();
    const url = baseUrlOf(app);
    const adminSocket = await connectSocket(url, admin);
    const customer = await signUp(app, customerSignup());
    const customerSocket = await connectSocket(url, customer.token);
    try {
      const job = await generate('users', 1_000);
      const last = await adminSocket.waitFor<GenerationJob>(
        'generationProgress',
        (event) => event.id === job.id && event.state === 'completed',
      );
      expect(last).toMatchObject({ done: 1_000, total: 1_000, entity: 'users' });
      // The final state always goes out (earlier ones at most once a second, so there may be none).
      const events = adminSocket
        .of<GenerationJob>('generationProgress')
        .filter((event) => event.id === job.id);
      expect(events.length).toBeGreaterThanOrEqual(1);
      expect(customerSocket.of('generationProgress')).toHaveLength(0);
    } finally {
      adminSocket.close();
      customerSocket.close();
    }
  });

  it('a generated account cannot sign in with any password until an administrator resets it', async () => {
    const shard = app.platform.router.shards[0];
    const row = await shard?.db
      .selectFrom('users')
      .select(['email', 'password_hash'])
      .where('role', '=', 'customer')
      .where('status', '=', 'active')
      // Generated accounts are dated in the past; accounts signed up by the tests are not.
      .orderBy('created_at')
      .executeTakeFirst();
    if (row === undefined) {
      throw new Error('no generated customer on shard 0');
    }
    expect(row.password_hash).toBe(UNUSABLE_PASSWORD_HASH);
    const login = (password: string) =>
      app.http.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: row.email, password } });
    for (const password of ['loadline-generated', UNUSABLE_PASSWORD_HASH, 'any password at all']) {
      const refused = await login(password);
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toEqual({
        error: { code: 'invalid_credentials', message: 'Email or password is incorrect.' },
      });
    }
    await app.services.auth.resetPassword(row.email, 'a password an admin set');
    expect((await login('a password an admin set')).statusCode).toBe(200);
  });

  it('writes nothing twice when a chunk is delivered again', async () => {
    const job = await generate('users', 500);
    const before = sum(await count(app, 'users'));
    // The queue delivers at least once: run two of the job's chunks again, as a redelivery would.
    await app.services.generation.service.runChunk({ jobId: job.id, chunk: 0 }, 1);
    await app.services.generation.service.runChunk({ jobId: job.id, chunk: 1 }, 1);
    expect(sum(await count(app, 'users'))).toBe(before);
    const after = await app.http.inject({ url: `/v1/admin/jobs/${job.id}`, headers: bearer(admin) });
    expect(after.json<GenerationJob>()).toMatchObject({ done: 500, total: 500, state: 'completed' });
  });

  it('resumes after the worker is killed mid-job and ends with exactly the requested count', async () => {
    // Only the server processes below may work on the queue: this test's app keeps serving reads.
    await app.close();
    app = await env.start({ roles: ['api'] });
    const before = sum(await count(app, 'users'));
    const total = 30_000;
    const processEnv = {
      ...env.env,
      GENERATION_CHUNK_SIZE: '500',
      GENERATION_CONCURRENCY: '2',
      // A killed worker's jobs wait out their lease before another worker takes them.
      JOB_LEASE_MS: '5000',
      LOG_LEVEL: 'error',
    };
    const first = await startServerProcess(processEnv);
    let jobId = '';
    try {
      const login = await fetch(`${first.url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ops@example.com', password: 'admin password' }),
      });
      const token = ((await login.json()) as AuthResponse).token;
      const started = await fetch(`${first.url}/v1/admin/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(token) },
        body: JSON.stringify({ entity: 'users', count: total }),
      });
      expect(started.status).toBe(202);
      jobId = ((await started.json()) as { jobId: string }).jobId;
      await waitFor(
        async () => {
          const job = await app.services.generation.service.status(jobId);
          return job.done >= total * 0.2;
        },
        60_000,
        20,
      );
    } finally {
      await first.kill();
    }
    const halfway = await app.services.generation.service.status(jobId);
    expect(halfway.state).toBe('running');
    expect(halfway.done).toBeLessThan(total);

    const second = await startServerProcess(processEnv);
    try {
      // Cluster: BullMQ hands the killed worker's jobs on once their leases lapse (JOB_LEASE_MS).
      await waitFor(
        async () => (await app.services.generation.service.status(jobId)).state === 'completed',
        150_000,
        200,
      );
    } finally {
      await second.stop();
    }
    expect(await app.services.generation.service.status(jobId)).toMatchObject({ done: total, total });
    expect(sum(await count(app, 'users'))).toBe(before + total);
  }, 240_000);
});
