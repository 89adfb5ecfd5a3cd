import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadlineApp } from '../app';
import { loadConfig } from '../config/config';
import { TestEnvironment } from '../../test/support/test-env';
import { tier } from '../../test/support/tier';
import { DEMO_ADMIN, demoConfig, ensureDemoAdmin, selfUrl } from './demo';

describe('demo configuration', () => {
  it('raises only the per-IP auth limit, and never lowers one set higher', () => {
    const config = loadConfig({ AUTH_RATE_LIMIT_IP: '30/60', AUTH_LOGIN_FAILURES_PER_EMAIL: '10/300' });
    const demo = demoConfig(config);
    expect(demo.rateLimits).toEqual({ ...config.rateLimits, authPerIp: { limit: 600, windowSeconds: 60 } });
    expect(demo.rateLimits.enabled).toBe(true);
    expect(demo.rateLimits.login.perEmail).toEqual({ limit: 10, windowSeconds: 300 });
    expect({ ...demo, rateLimits: config.rateLimits }).toEqual(config);

    const generous = loadConfig({ AUTH_RATE_LIMIT_IP: '5000/60' });
    expect(demoConfig(generous).rateLimits.authPerIp).toEqual({ limit: 5000, windowSeconds: 60 });
    expect(demoConfig(loadConfig({ RATE_LIMITS: 'off' })).rateLimits.enabled).toBe(false);
  });

  it('reaches its own listener on loopback when bound to every interface', () => {
    expect(selfUrl('0.0.0.0', 3000)).toBe('http://127.0.0.1:3000');
    expect(selfUrl('::', 3000)).toBe('http://127.0.0.1:3000');
    expect(selfUrl('127.0.0.1', 4000)).toBe('http://127.0.0.1:4000');
    expect(selfUrl('::1', 4000)).toBe('http://[::1]:4000');
  });
});

describe(`demo administrator (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('demoadmin');
    app = await env.start();
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('is created once; a restart finds it and can log in with the password it was created with', async () => {
    expect(await ensureDemoAdmin(app, 'demo admin password')).toBe(true);
    expect(await ensureDemoAdmin(app, 'another password')).toBe(false);
    const login = await app.http.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: DEMO_ADMIN.email, password: 'demo admin password' },
    });
    expect(login.statusCode).toBe(200);
    expect(login.json<{ user: { role: string } }>().user.role).toBe('admin');
  });
});
