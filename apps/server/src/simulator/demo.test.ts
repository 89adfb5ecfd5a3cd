import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadlineApp } from '../app';
import { loadConfig } from '../config/config';
import { TestEnvironment } from '../../test/support/test-env';
import { tier } from '../../test/support/tier';
import { browserUrl, DEMO_ADMIN, demoBanner, demoConfig, ensureDemoAdmin, selfUrl } from './demo';

describe('demo configuration', () => {
  it('raises only the per-IP auth limit, and never lowers one set higher', () => {
    const config = loadConfig({ AUTH_RATE_LIMIT_IP: '30/60', AUTH_LOGIN_FAILURES_PER_EMAIL: '10/300' });
    const demo = demoConfig(config, { quiet: false });
    expect(demo.rateLimits).toEqual({ ...config.rateLimits, authPerIp: { limit: 600, windowSeconds: 60 } });
    expect(demo.rateLimits.enabled).toBe(true);
    expect(demo.rateLimits.login.perEmail).toEqual({ limit: 10, windowSeconds: 300 });
    expect({ ...demo, rateLimits: config.rateLimits }).toEqual(config);

    const generous = loadConfig({ AUTH_RATE_LIMIT_IP: '5000/60' });
    expect(demoConfig(generous, { quiet: false }).rateLimits.authPerIp).toEqual({
      limit: 5000,
      windowSeconds: 60,
    });
    expect(demoConfig(loadConfig({ RATE_LIMITS: 'off' }), { quiet: false }).rateLimits.enabled).toBe(false);
  });

  it('a quiet demo (LOG_LEVEL unset) logs warnings and errors only; otherwise the level stays as set', () => {
    const config = loadConfig({ LOG_LEVEL: 'debug' });
    expect(demoConfig(config, { quiet: true }).logLevel).toBe('warn');
    expect(demoConfig(config, { quiet: false }).logLevel).toBe('debug');
  });

  it('the banner gives the address and the admin login, the password only when made up now', () => {
    const made = demoBanner({
      url: 'http://localhost:3000',
      password: { kind: 'created', password: 'pa55-word-made-up' },
      drivers: 60,
      customers: 15,
      quiet: true,
    });
    expect(made).toContain('open http://localhost:3000');
    expect(made).toContain(`Admin login   ${DEMO_ADMIN.email}`);
    expect(made).toContain('Password      pa55-word-made-up   (made up now and not shown again: keep it)');
    expect(made).toContain('60 simulated drivers and 15 customers are signed in');
    expect(made).toContain('LOG_LEVEL=info shows every request');
    const configured = demoBanner({
      url: 'http://localhost:3000',
      password: { kind: 'configured' },
      drivers: 60,
      customers: 15,
      quiet: false,
    });
    expect(configured).toContain('Password      the value of DEMO_ADMIN_PASSWORD');
    expect(configured).not.toContain('LOG_LEVEL');
    expect(
      demoBanner({ url: 'u', password: { kind: 'existing' }, drivers: 1, customers: 1, quiet: true }),
    ).toContain(`admin reset-password --email ${DEMO_ADMIN.email}`);
  });

  it('reaches its own listener on loopback when bound to every interface', () => {
    expect(selfUrl('0.0.0.0', 3000)).toBe('http://127.0.0.1:3000');
    expect(selfUrl('::', 3000)).toBe('http://127.0.0.1:3000');
    expect(selfUrl('127.0.0.1', 4000)).toBe('http://127.0.0.1:4000');
    expect(selfUrl('::1', 4000)).toBe('http://[::1]:4000');
    expect(browserUrl('0.0.0.0', 3000)).toBe('http://localhost:3000');
    expect(browserUrl('192.168.1.5', 3000)).toBe('http://192.168.1.5:3000');
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
