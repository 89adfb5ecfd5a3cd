import type { AuthResponse } from '@loadline/contracts';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../lib/logger';
import { ApiError } from './api-client';
import type { LoadlineApi } from './loadline-api';
import { customerSignup, openSession, SimPasswordMismatch } from './sim-accounts';
import { SimStats } from './sim-stats';

const PASSWORD = 'the-run-password';

/** A server that knows `accounts` (email -> password) and records each call the simulator makes. */
function fakeServer(accounts: Map<string, string>) {
  const calls: string[] = [];
  const answer = (email: string): AuthResponse => ({
    token: `token-${email}`,
    user: {
      id: '1',
      email,
      name: 'Sim Customer',
      phone: null,
      role: 'customer',
      status: 'active',
      createdAt: '2026-01-01T00:00:00.000Z',
    },
  });
  const api: Pick<LoadlineApi, 'login' | 'signup'> = {
    login: (email, password) => {
      calls.push(`login ${email}`);
      return accounts.get(email) === password
        ? Promise.resolve(answer(email))
        : Promise.reject(new ApiError(401, 'invalid_credentials', 'Wrong email or password.'));
    },
    signup: (body) => {
      calls.push(`signup ${body.email}`);
      if (accounts.has(body.email)) {
        return Promise.reject(new ApiError(409, 'email_taken', 'That email is taken.'));
      }
      accounts.set(body.email, body.password);
      return Promise.resolve(answer(body.email));
    },
  };
  return { api, calls };
}

describe('opening a simulated account', () => {
  const email = 'sim-customer-0001@loadline.test';

  it('a new account on signup-first signs up at once: the server sees no failed login', async () => {
    const { api, calls } = fakeServer(new Map());
    const stats = new SimStats(createLogger('silent'));
    await openSession(api, customerSignup(1, PASSWORD), stats, 'signup-first');
    expect(calls).toEqual([`signup ${email}`]);
    expect(stats.get('accountsCreated')).toBe(1);
  });

  it('login-first tries the login, then signs up a new account (reruns are the common case)', async () => {
    const { api, calls } = fakeServer(new Map());
    const stats = new SimStats(createLogger('silent'));
    await openSession(api, customerSignup(1, PASSWORD), stats);
    expect(calls).toEqual([`login ${email}`, `signup ${email}`]);
    expect(stats.get('accountsCreated')).toBe(1);
  });

  it('signup-first on an account that exists logs in to it after all', async () => {
    const { api, calls } = fakeServer(new Map([[email, PASSWORD]]));
    const stats = new SimStats(createLogger('silent'));
    await openSession(api, customerSignup(1, PASSWORD), stats, 'signup-first');
    expect(calls).toEqual([`signup ${email}`, `login ${email}`]);
    expect(stats.get('accountsLoggedIn')).toBe(1);
    expect(stats.get('accountsCreated')).toBe(0);
  });

  it('either way, an account with another password is a password mismatch', async () => {
    for (const order of ['signup-first', 'login-first'] as const) {
      const { api } = fakeServer(new Map([[email, 'another password']]));
      await expect(
        openSession(api, customerSignup(1, PASSWORD), new SimStats(createLogger('silent')), order),
      ).rejects.toBeInstanceOf(SimPasswordMismatch);
    }
  });
});
