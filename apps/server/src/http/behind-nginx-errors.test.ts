import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerSignup } from '../../test/support/factories';
import { rawExchange } from '../../test/support/raw-http';
import { startNginx, startServerProcess, type RunningProcess } from '../../test/support/processes';
import { TestEnvironment } from '../../test/support/test-env';
import { isCluster } from '../../test/support/tier';

// The shipped nginx configuration, as deployed: its own answers and the client address it forwards.
describe.runIf(isCluster)('the shipped nginx in front of an instance (cluster)', () => {
  let env: TestEnvironment;
  let instance: RunningProcess;
  let nginx: RunningProcess;

  beforeAll(async () => {
    env = await TestEnvironment.create('nginxerr');
    instance = await startServerProcess({
      ...env.env,
      TRUST_PROXY: 'on',
      AUTH_RATE_LIMIT_IP: '3/60',
      LOG_LEVEL: 'error',
    });
    nginx = await startNginx([instance.port]);
  }, 180_000);

  afterAll(async () => {
    await nginx.stop();
    await instance.stop().catch(() => undefined);
    await env.destroy();
  });

  it('a body over nginx limit is 413 payload_too_large in the envelope', async () => {
    const response = await fetch(`${nginx.url}/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(300_000) }),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({
      error: { code: 'payload_too_large', message: expect.any(String) as string },
    });
  });

  it('malformed requests and oversized headers get the envelope from nginx too', async () => {
    const malformed = await rawExchange(nginx.port, [
      'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
    ]);
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body)).toMatchObject({ error: { code: 'bad_request' } });
    const oversized = await rawExchange(nginx.port, [
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    ]);
    expect(oversized.status).toBe(431);
    expect(JSON.parse(oversized.body)).toMatchObject({ error: { code: 'headers_too_large' } });
  });

  it('what nginx refuses before it has read the request line gets the envelope too, and no version', async () => {
    const cases = [
      {
        request: `GET /v1/bookings?x=${'a'.repeat(9_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
        status: 414,
        code: 'uri_too_long',
      },
      { request: 'G@T /v1/me HTTP/1.1\r\nHost: x\r\n\r\n', status: 400, code: 'bad_request' },
      { request: 'GET /v1/me HTTP/9.9\r\nHost: x\r\n\r\n', status: 505, code: 'http_version_not_supported' },
    ];
    for (const { request, status, code } of cases) {
      const answer = await rawExchange(nginx.port, [request]);
      expect(answer.status, code).toBe(status);
      expect(answer.headers.toLowerCase(), code).toContain('content-type: application/json');
      expect(JSON.parse(answer.body), code).toEqual({
        error: { code, message: expect.any(String) as string },
      });
      expect(answer.headers, code).not.toMatch(/nginx\//);
    }
    // The pages are for nginx's own answers only: asked for directly, they are an unknown path.
    const direct = await fetch(`${nginx.url}/_loadline/errors/503`);
    expect(direct.status).toBe(404);
    expect(await direct.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('a cookie write from the page nginx serves is accepted; from another origin it is 403', async () => {
    const signup = await fetch(`${nginx.url}/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(customerSignup()),
    });
    const { token } = (await signup.json()) as { token: string };
    const write = (origin: string) =>
      fetch(`${nginx.url}/v1/notifications/read-all`, {
        method: 'POST',
        headers: { cookie: `sid=${token}`, origin },
      });
    expect((await write(nginx.url)).status).toBe(204);
    const evil = await write('http://evil.example');
    expect(evil.status).toBe(403);
    expect(await evil.json()).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('a client cannot pick its own address through nginx', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const response = await fetch(`${nginx.url}/v1/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${attempt + 1}` },
        body: JSON.stringify(customerSignup()),
      });
      statuses.push(response.status);
    }
    // One signup of the limit of 3 went to the cookie test before.
    expect(statuses).toEqual([201, 201, 429, 429, 429]);
  });

  it('no instance up is 503 unavailable in the envelope, with Retry-After', async () => {
    await instance.kill();
    const response = await fetch(`${nginx.url}/v1/me`);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toMatchObject({ error: { code: 'unavailable' } });
  });
});
