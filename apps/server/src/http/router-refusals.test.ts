import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadlineApp } from '../app';
import { TestEnvironment } from '../../test/support/test-env';
import { tier } from '../../test/support/tier';

interface LogLine {
  msg: string;
  url?: string;
  code?: string;
}

// What the router refuses before any route runs, and what the request log keeps of a URL.
describe(`router refusals and the request log (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  const logs: LogLine[] = [];

  beforeAll(async () => {
    env = await TestEnvironment.create('router', { env: { RATE_LIMITS: 'off' } });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line !== '') {
            logs.push(JSON.parse(line) as LogLine);
          }
        }
        done();
      },
    });
    app = await env.start({ logger: pino({ level: 'info' }, sink) });
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('a path parameter over 100 characters is 400 validation_failed in the envelope, the path not echoed', async () => {
    const long = '1'.repeat(101);
    for (const url of [`/v1/bookings/${long}`, `/v1/track/${'a'.repeat(101)}`]) {
      const response = await app.http.inject({ url });
      expect(response.statusCode, url).toBe(400);
      expect(response.headers['content-type']).toContain('application/json');
      expect(response.json(), url).toEqual({
        error: { code: 'validation_failed', message: 'A path parameter is longer than 100 characters.' },
      });
      expect(response.headers['x-request-id']).toEqual(expect.any(String));
    }
  });

  it('a malformed percent-encoding is 400 validation_failed in the envelope', async () => {
    for (const url of ['/v1/bookings/%E0%A4%A', '/v1/track/%ZZ']) {
      const response = await app.http.inject({ url });
      expect(response.statusCode, url).toBe(400);
      const body = response.json<{ error: { code: string; message: string } }>();
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.message).not.toContain('%');
      expect(JSON.stringify(body)).not.toContain('FST_');
    }
  });

  it('the request log keeps only the first characters of a share token', async () => {
    const token = '0.SecretShareTokenThatMustNotBeLogged';
    const response = await app.http.inject({ url: `/v1/track/${token}` });
    expect(response.statusCode).toBe(404);
    const line = logs.find(
      (entry) => entry.msg === 'request' && entry.url?.startsWith('/v1/track/') === true,
    );
    expect(line?.url).toBe('/v1/track/0.Secr...');
    expect(JSON.stringify(logs)).not.toContain(token);
  });
});
