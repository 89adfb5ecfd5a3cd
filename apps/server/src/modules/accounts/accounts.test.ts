import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { AuthResponse, MeResponse } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { ManualClock } from '../../lib/clock';
import { hashPassword } from '../../lib/passwords';
import { logicalShardOf } from '../../platform/db/ids';
import { bearer, customerSignup, driverSignup, signUp } from '../../../test/support/factories';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { waitFor } from '../../../test/support/wait';

describe(`auth (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('auth', { env: { RATE_LIMITS: 'off' } });
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('signs up a customer with a token that opens /v1/me', async () => {
    const body = customerSignup({ email: 'Asha.Rao@Example.com' });
    const response = await app.http.inject({ method: 'POST', url: '/v1/auth/signup', payload: body });
    expect(response.statusCode).toBe(201);
    const created = response.json<AuthResponse>();
    expect(created.user).toMatchObject({
      email: 'asha.rao@example.com',
      name: body.name,
      role: 'customer',
      status: 'active',
    });
    expect(created.user).not.toHaveProperty('password_hash');
    expect(created.token.length).toBeGreaterThanOrEqual(40);
    expect(response.cookies.find((cookie) => cookie.name === 'sid')?.httpOnly).toBe(true);

    const me = await app.http.inject({ method: 'GET', url: '/v1/me', headers: bearer(created.token) });
    expect(me.statusCode).toBe(200);
    expect(me.json<MeResponse>().user.id).toBe(created.user.id);
  });

  it('places a user on the logical shard its email hashes to', async () => {
    const { user } = await signUp(app, customerSignup());
    expect(logicalShardOf(user.id)).toBe(app.platform.router.logicalForKey(`email:${user.email}`));
  });

  it('signs up a driver with a vehicle and shows the profile on /v1/me', async () => {
    const { token, user } = await signUp(
      app,
      driverSignup({ vehicle: { type: 'mini_truck', plate: 'mh 12-ab 4321' } }),
    );
    const me = await app.http.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) });
    expect(me.json<MeResponse>().user.driver).toEqual({
      vehicle: {
        id: expect.any(String) as string,
        type: 'mini_truck',
        plate: 'MH12AB4321',
        capacityKg: 1500,
      },
      online: false,
      suspended: false,
    });
    expect(user.role).toBe('driver');
  });

  it('refuses a driver without a vehicle, a customer with one, and a vehicle over its capacity', async () => {
    const cases = [
      driverSignup({ vehicle: undefined }),
      customerSignup({ vehicle: { type: 'van', plate: 'KA01ZZ0001' } }),
      driverSignup({ vehicle: { type: 'bike', plate: 'KA01ZZ0002', capacityKg: 500 } }),
    ];
    for (const payload of cases) {
      const response = await app.http.inject({ method: 'POST', url: '/v1/auth/signup', payload });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
  });

  it('a second signup with the same email, in any case, is 409 email_taken', async () => {
    const body = customerSignup();
    await signUp(app, body);
    const again = await app.http.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: { ...body, email: body.email.toUpperCase() },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'email_taken' } });
  });

  it('racing signups with one email: exactly one 201, the rest 409', async () => {
    const body = customerSignup();
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        app.http.inject({ method: 'POST', url: '/v1/auth/signup', payload: body }),
      ),
    );
    const statuses = responses.map((response) => response.statusCode).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
  });

  it('many signups at once, with different emails, all succeed (each opens a session on a shared shard)', async () => {
    const responses = await Promise.all(
      Array.from({ length: 60 }, () =>
        app.http.inject({ method: 'POST', url: '/v1/auth/signup', payload: customerSignup() }),
      ),
    );
    expect(
      responses.filter((response) => response.statusCode !== 201).map((response) => response.body),
    ).toEqual([]);
  });

  it('a plate registered twice, written differently, is 409 plate_taken and leaves no account behind', async () => {
    await signUp(app, driverSignup({ vehicle: { type: 'van', plate: 'TN 09 XY 7777' } }));
    const second = driverSignup({ vehicle: { type: 'van', plate: 'tn09xy7777' } });
    const response = await app.http.inject({ method: 'POST', url: '/v1/auth/signup', payload: second });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ error: { code: 'plate_taken' } });
    const login = await app.http.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: second.email, password: second.password },
    });
    expect(login.statusCode).toBe(401);
  });

  it('a signup that fails on its email gives its plate claim back', async () => {
    const existing = customerSignup();
    await signUp(app, existing);
    const clash = driverSignup({ email: existing.email, vehicle: { type: 'van', plate: 'GJ01RETRY1' } });
    const first = await app.http.inject({ method: 'POST', url: '/v1/auth/signup', payload: clash });
    expect(first.json()).toMatchObject({ error: { code: 'email_taken' } });
    const retry = await app.http.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: { ...clash, email: `other-${clash.email}` },
    });
    expect(retry.statusCode).toBe(201);
  });

  it('users on every physical shard can log in by email', async () => {
    const { router } = app.platform;
    const byShard = new Map<number, string>();
    for (let index = 0; byShard.size < router.shards.length && index < 500; index += 1) {
      const email = `shard-probe-${index}@example.com`;
      const shard = router.forKey(`email:${email}`).index;
      if (!byShard.has(shard)) {
        byShard.set(shard, email);
      }
    }
    expect(byShard.size).toBe(router.shards.length);
    for (const [shard, email] of byShard) {
      const { user } = await signUp(app, customerSignup({ email }));
      expect(router.forId(user.id).index).toBe(shard);
      const login = await app.http.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email, password: 'correct horse battery' },
      });
      expect(login.statusCode).toBe(200);
      expect(login.json<AuthResponse>().user.id).toBe(user.id);
    }
  });

  it('a wrong password and an unknown email are both 401 invalid_credentials', async () => {
    const body = customerSignup();
    await signUp(app, body);
    for (const payload of [
      { email: body.email, password: 'not the password' },
      { email: 'nobody-here@example.com', password: 'whatever123' },
    ]) {
      const response = await app.http.inject({ method: 'POST', url: '/v1/auth/login', payload });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({
        error: { code: 'invalid_credentials', message: 'Email or password is incorrect.' },
      });
    }
  });

  it('a login upgrades a hash made with older scrypt parameters; a wrong password leaves it as it was', async () => {
    const body = customerSignup();
    const { user } = await signUp(app, body);
    const db = app.platform.router.forId(user.id).db;
    const storedHash = async (): Promise<string> =>
      (
        await db
          .selectFrom('users')
          .select('password_hash')
          .where('id', '=', user.id)
          .executeTakeFirstOrThrow()
      ).password_hash;
    const old = await hashPassword(body.password, { N: 16384, r: 8, p: 1 });
    await db.updateTable('users').set({ password_hash: old }).where('id', '=', user.id).execute();
    const login = (password: string) =>
      app.http.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: body.email, password } });

    expect((await login('not the password')).statusCode).toBe(401);
    expect(await storedHash()).toBe(old);

    expect((await login(body.password)).statusCode).toBe(200);
    const upgraded = await storedHash();
    expect(upgraded).toMatch(/^scrypt\$16384\$8\$5\$/);
    expect(upgraded).not.toBe(old);
    expect((await login(body.password)).statusCode).toBe(200);
    expect(await storedHash()).toBe(upgraded);
  });

  it('a password reset revokes every session of the account, retires the old password and opens the new one', async () => {
    const body = customerSignup();
    const login = (password: string) =>
      app.http.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: body.email, password } });
    const first = await signUp(app, body);
    const second = (await login(body.password)).json<AuthResponse>();
    const other = await signUp(app, customerSignup());

    const result = await app.services.auth.resetPassword(body.email.toUpperCase(), 'a brand new password');
    expect(result.user.id).toBe(first.user.id);
    expect(result.sessionsRevoked).toBe(2);

    for (const token of [first.token, second.token]) {
      const me = await app.http.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) });
      expect(me.statusCode).toBe(401);
    }
    const untouched = await app.http.inject({ method: 'GET', url: '/v1/me', headers: bearer(other.token) });
    expect(untouched.statusCode).toBe(200);
    expect((await login(body.password)).statusCode).toBe(401);
    expect((await login('a brand new password')).statusCode).toBe(200);
  });

  it('a password reset of an unknown email is not_found, and a password under 8 characters validation_failed', async () => {
    const body = customerSignup();
    await signUp(app, body);
    await expect(
      app.services.auth.resetPassword('nobody-here@example.com', 'long enough'),
    ).rejects.toMatchObject({
      status: 404,
      code: 'not_found',
    });
    await expect(app.services.auth.resetPassword(body.email, 'short')).rejects.toMatchObject({
      status: 400,
      code: 'validation_failed',
    });
    const login = await app.http.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: body.email, password: body.password },
    });
    expect(login.statusCode).toBe(200);
  });

  it('logout revokes the session: the token is 401 afterwards, other sessions live on', async () => {
    const body = customerSignup();
    const first = await signUp(app, body);
    const second = (
      await app.http.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: body.email, password: body.password },
      })
    ).json<AuthResponse>();
    const logout = await app.http.inject({
      method: 'POST',
      url: '/v1/auth/logout',
      headers: bearer(first.token),
    });
    expect(logout.statusCode).toBe(204);
    const afterwards = await app.http.inject({ method: 'GET', url: '/v1/me', headers: bearer(first.token) });
    expect(afterwards.statusCode).toBe(401);
    expect(afterwards.json()).toMatchObject({ error: { code: 'unauthenticated' } });
    const other = await app.http.inject({ method: 'GET', url: '/v1/me', headers: bearer(second.token) });
    expect(other.statusCode).toBe(200);
  });

  it('a missing, malformed or unknown token is 401 unauthenticated', async () => {
    for (const headers of [
      {},
      { authorization: 'Basic abc' },
      bearer('made-up-token-made-up-token-made-up-token'),
    ]) {
      const response = await app.http.inject({ method: 'GET', url: '/v1/me', headers });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: { code: 'unauthenticated' } });
    }
  });

  it('the sid cookie authenticates like the bearer token', async () => {
    const { token } = await signUp(app, customerSignup());
    const response = await app.http.inject({ method: 'GET', url: '/v1/me', cookies: { sid: token } });
    expect(response.statusCode).toBe(200);
  });

  it('sessions survive a server restart', async () => {
    const { token, user } = await signUp(app, customerSignup());
    await app.close();
    app = await env.start();
    const me = await app.http.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) });
    expect(me.statusCode).toBe(200);
    expect(me.json<MeResponse>().user.id).toBe(user.id);
  });

  // Several instances exist only in cluster mode; embedded mode is one process by design.
  it.runIf(tier === 'cluster')(
    'a session revoked on one instance is refused by another at once',
    async () => {
      const other = await env.start({ roles: ['api'] });
      try {
        const { token } = await signUp(app, customerSignup());
        // The other instance has looked the session up, so it holds a cached copy.
        expect(
          (await other.http.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) })).statusCode,
        ).toBe(200);
        expect(
          (await app.http.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(token) }))
            .statusCode,
        ).toBe(204);
        await waitFor(
          async () =>
            (await other.http.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) })).statusCode ===
            401,
          2000,
        );
      } finally {
        await other.close();
      }
    },
  );

  it('an expired session is 401', async () => {
    const clock = new ManualClock(Date.now());
    const clocked = await env.start({ clock, roles: ['api'] });
    try {
      const { token } = await signUp(clocked, customerSignup());
      expect(
        (await clocked.http.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) })).statusCode,
      ).toBe(200);
      clock.advance(clocked.config.sessionTtlSeconds * 1000 + 1);
      const expired = await clocked.http.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) });
      expect(expired.statusCode).toBe(401);
    } finally {
      await clocked.close();
    }
  });

  it('a suspended account cannot log in', async () => {
    const body = customerSignup();
    const { user } = await signUp(app, body);
    const { router, clock } = app.platform;
    await router
      .forId(user.id)
      .db.updateTable('users')
      .set({ status: 'suspended', updated_at: clock.now() })
      .where('id', '=', user.id)
      .execute();
    const response = await app.http.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: body.email, password: body.password },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ error: { code: 'account_suspended' } });
  });

  it('the command line path creates admins; public signup cannot', async () => {
    const admin = await app.services.auth.createAccount({
      email: 'ops@example.com',
      password: 'a long admin password',
      name: 'Ops',
      role: 'admin',
    });
    expect(admin.role).toBe('admin');
    const response = await app.http.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: { ...customerSignup(), role: 'admin' },
    });
    expect(response.statusCode).toBe(400);
  });
});

describe(`auth rate limits (${tier})`, () => {
  // Documentation addresses (RFC 5737): the attacker's, the owner's and a few more.
  const ATTACKER = '203.0.113.10';
  const OWNER = '198.51.100.20';
  let env: TestEnvironment;
  let clock: ManualClock;
  let app: LoadlineApp;

  beforeAll(async () => {
    // The default limits, as a deployment runs them.
    env = await TestEnvironment.create('ratelimit');
    clock = new ManualClock(Date.now());
    app = await env.start({ clock, roles: ['api'] });
  });

  afterAll(async () => {
    await env.destroy();
  });

  function login(
    instance: LoadlineApp,
    email: string,
    password: string,
    remoteAddress: string,
  ): Promise<LightMyRequestResponse> {
    return instance.http.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email, password },
      remoteAddress,
    });
  }

  function expectLocked(response: LightMyRequestResponse, retryAfterSeconds: number): void {
    expect(response.statusCode).toBe(429);
    expect(response.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect(response.headers['retry-after']).toBe(String(retryAfterSeconds));
  }

  it('ten wrong passwords from one address lock out that address only: the owner signs in from theirs', async () => {
    const owner = customerSignup();
    await signUp(app, owner);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 10; attempt += 1) {
      statuses.push((await login(app, owner.email, 'wrong password', ATTACKER)).statusCode);
    }
    // Five failures lock the address out for a minute; attempts while locked are not checked.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);

    expect((await login(app, owner.email, owner.password, OWNER)).statusCode).toBe(200);
    expectLocked(await login(app, owner.email, owner.password, ATTACKER), 60);
  });

  it('each failure after a lock doubles the next one, up to 15 minutes; a success starts the count over', async () => {
    // Another address than the test above: in cluster mode the per-address limit counts in real time.
    const GUESSER = '203.0.113.11';
    const owner = customerSignup();
    await signUp(app, owner);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await login(app, owner.email, 'wrong password', GUESSER)).statusCode).toBe(401);
    }
    let lock = 60;
    expectLocked(await login(app, owner.email, 'wrong password', GUESSER), lock);
    for (const next of [120, 240, 480, 900, 900]) {
      clock.advance(lock * 1000);
      expect((await login(app, owner.email, 'wrong password', GUESSER)).statusCode).toBe(401);
      expectLocked(await login(app, owner.email, 'wrong password', GUESSER), next);
      lock = next;
    }
    clock.advance(lock * 1000);
    expect((await login(app, owner.email, owner.password, GUESSER)).statusCode).toBe(200);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await login(app, owner.email, 'wrong password', GUESSER)).statusCode).toBe(401);
    }
    expectLocked(await login(app, owner.email, owner.password, GUESSER), 60);
  });

  it('failures from many addresses trip the per-email cap for every address, counted across instances', async () => {
    const capped = await TestEnvironment.create('ratelimitcap', {
      env: { AUTH_LOGIN_FAILURES_PER_EMAIL: '6/3600' },
    });
    try {
      const first = await capped.start({ roles: ['api'] });
      // A second instance on the same storage: in cluster mode both count in Redis.
      const second = tier === 'cluster' ? await capped.start({ roles: ['api'] }) : first;
      const owner = customerSignup();
      await signUp(first, owner);
      const statuses: number[] = [];
      for (const address of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
        for (const instance of [first, second]) {
          statuses.push((await login(instance, owner.email, 'wrong password', address)).statusCode);
        }
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);

      const locked = await login(second, owner.email, owner.password, OWNER);
      expect(locked.statusCode).toBe(429);
      expect(locked.json()).toMatchObject({ error: { code: 'rate_limited' } });
      const retryAfter = Number(locked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(3500);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      // Another account is not affected.
      const other = customerSignup();
      await signUp(first, other);
      expect((await login(first, other.email, other.password, '192.0.2.1')).statusCode).toBe(200);
    } finally {
      await capped.destroy();
    }
  });

  it('signup beyond the per-IP limit is 429', async () => {
    const limitedEnv = await TestEnvironment.create('ratelimit2', { env: { AUTH_RATE_LIMIT_IP: '2/60' } });
    try {
      const app = await limitedEnv.start({ roles: ['api'] });
      const statuses: number[] = [];
      for (let index = 0; index < 3; index += 1) {
        statuses.push(
          (await app.http.inject({ method: 'POST', url: '/v1/auth/signup', payload: customerSignup() }))
            .statusCode,
        );
      }
      expect(statuses).toEqual([201, 201, 429]);
    } finally {
      await limitedEnv.destroy();
    }
  });
});
