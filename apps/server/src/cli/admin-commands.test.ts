import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadlineApp } from '../app';
import { customerSignup, signUp } from '../../test/support/factories';
import { TestEnvironment } from '../../test/support/test-env';
import { tier } from '../../test/support/tier';
import { adminResetPasswordCommand } from './admin-commands';

describe(`loadline admin reset-password (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('adminreset', { env: { RATE_LIMITS: 'off' } });
    app = await env.start({ roles: ['api'] });
  });

  afterAll(async () => {
    await env.destroy();
  });

  async function run(argv: string[]): Promise<string> {
    let output = '';
    await adminResetPasswordCommand(env.config(), argv, (text) => {
      output += text;
    });
    return output;
  }

  function login(email: string, password: string): Promise<number> {
    return app.http
      .inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } })
      .then((response) => response.statusCode);
  }

  it('without --password makes one up, prints it once, and the account signs in with it', async () => {
    const body = customerSignup();
    await signUp(app, body);
    const output = await run(['--email', body.email]);
    const match = /^new password \(shown once\): (\S+)$/m.exec(output);
    if (match?.[1] === undefined) {
      throw new Error(`no password in the output: ${output}`);
    }
    const password = match[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(output).toContain(`reset the password of ${body.email}; 1 session revoked`);
    expect(await login(body.email, password)).toBe(200);
    expect(await login(body.email, body.password)).toBe(401);
  });

  it('with --password sets that one and does not print it', async () => {
    const body = customerSignup();
    await signUp(app, body);
    const output = await run(['--email', body.email, '--password', 'chosen by the operator']);
    expect(output).toBe(`reset the password of ${body.email}; 1 session revoked\n`);
    expect(await login(body.email, 'chosen by the operator')).toBe(200);
  });

  it('refuses a missing --email and a password under 8 characters, changing nothing', async () => {
    const body = customerSignup();
    await signUp(app, body);
    await expect(run([])).rejects.toThrow('admin reset-password needs --email');
    await expect(run(['--email', body.email, '--password', 'short'])).rejects.toThrow(
      'the password must be at least 8 characters',
    );
    expect(await login(body.email, body.password)).toBe(200);
  });
});
