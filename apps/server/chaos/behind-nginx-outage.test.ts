import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthResponse } from '@loadline/contracts';
import { customerSignup, driverSignup } from '../test/support/factories';
import { startNginx, startServerProcess, type RunningProcess } from '../test/support/processes';
import { TestEnvironment } from '../test/support/test-env';
import { startThrowawayRedis } from '../test/support/throwaway-services';
import { isCluster } from '../test/support/tier';
import { waitFor } from '../test/support/wait';

type Throwaway = Awaited<ReturnType<typeof startThrowawayRedis>>;

interface Answer {
  status: number;
  retryAfter: string | null;
  body: unknown;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // nginx's own pages are HTML: kept as text so the assertion shows them
  }
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}

function signup(base: string, body: object = customerSignup()): Promise<Answer> {
  return call(`${base}/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** A driver's location ping: it needs Redis (live state, geo index), unlike a session check (kept in SQL). */
function ping(base: string, token: string): Promise<Answer> {
  return call(`${base}/v1/driver/location`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ lat: 12.97, lng: 77.59 }),
  });
}

// Issue #13 finding 7: an instance answering 503 is alive; nginx must neither retry nor eject it.
describe.runIf(isCluster)('the shipped nginx while a dependency of every instance is down (cluster)', () => {
  let env: TestEnvironment;
  let redis: Throwaway;
  const instances: RunningProcess[] = [];
  let nginx: RunningProcess;

  beforeAll(async () => {
    env = await TestEnvironment.create('nginx503');
    redis = await startThrowawayRedis();
    const shared = {
      ...env.env,
      REDIS_URL: redis.url,
      RATE_LIMITS: 'off',
      TRUST_PROXY: 'on',
      LOG_LEVEL: 'error',
    };
    // One after the other: the first applies the migrations.
    instances.push(await startServerProcess(shared, 'api,realtime'));
    instances.push(await startServerProcess(shared, 'api,realtime'));
    nginx = await startNginx(instances.map((instance) => instance.port));
  }, 180_000);

  afterAll(async () => {
    await nginx.stop();
    await Promise.allSettled(instances.map((instance) => instance.stop()));
    await env.destroy();
    await redis.dispose();
  });

  it('the client gets the instance 503 envelope on every request, and the first request after recovery succeeds', async () => {
    const before = await signup(nginx.url, driverSignup());
    expect(before.status).toBe(201);
    const { token } = before.body as AuthResponse;
    expect((await ping(nginx.url, token)).status).toBe(202);

    await redis.kill();
    const during: Answer[] = [];
    for (let attempt = 0; attempt < 6; attempt += 1) {
      during.push(await ping(nginx.url, token));
    }
    const direct = await ping(instances[1]?.url ?? '', token);
    await redis.restart();
    // Recovered: after Redis lost its data each instance notices its ID node lease is gone, leases a node
    // anew (a key in the new Redis), waits out the old holders (503 id_node meanwhile), then serves writes.
    const probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await waitFor(
        async () => {
          await probe.connect().catch(() => undefined);
          const keys = await probe.keys('*idnode:*').catch(() => []);
          return keys.filter((key) => !key.endsWith(':epoch')).length === instances.length;
        },
        20_000,
        50,
      );
    } finally {
      probe.disconnect();
    }
    await waitFor(
      async () =>
        (await Promise.all(instances.map(async (instance) => (await signup(instance.url)).status))).every(
          (status) => status === 201,
        ),
      20_000,
      50,
    );
    const after: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      after.push((await signup(nginx.url)).status);
    }
    // Exactly what an instance answers (its envelope, and Retry-After if it sends one), never nginx's own page.
    expect(direct).toMatchObject({
      status: 503,
      body: { error: { code: 'unavailable', details: { dependency: 'redis' } } },
    });
    expect(during).toEqual(Array.from({ length: 6 }, () => direct));
    expect(after).toEqual([201, 201, 201, 201]);
  });

  it('an instance that is gone is skipped: every request reaches the one still up', async () => {
    await instances[0]?.kill();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      statuses.push((await signup(nginx.url)).status);
    }
    expect(statuses).toEqual([201, 201, 201, 201]);
  });
});
