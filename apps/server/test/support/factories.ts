import type { AuthResponse, SignupBody } from '@loadline/contracts';
import type { LoadlineApp } from '../../src/app';

let counter = 0;

function unique(): string {
  counter += 1;
  return `${Date.now().toString(36)}${counter.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

export function customerSignup(overrides: Partial<SignupBody> = {}): SignupBody {
  const tag = unique();
  return {
    email: `customer-${tag}@example.com`,
    password: 'correct horse battery',
    name: `Customer ${tag}`,
    role: 'customer',
    phone: '+91 98450 00000',
    ...overrides,
  };
}

export function driverSignup(overrides: Partial<SignupBody> = {}): SignupBody {
  const tag = unique();
  return {
    email: `driver-${tag}@example.com`,
    password: 'correct horse battery',
    name: `Driver ${tag}`,
    role: 'driver',
    vehicle: { type: 'van', plate: `KA01${tag.toUpperCase().slice(-8)}` },
    ...overrides,
  };
}

/** Signs up through the API and returns the created user and token. */
export async function signUp(app: LoadlineApp, body: SignupBody): Promise<AuthResponse> {
  const response = await app.http.inject({ method: 'POST', url: '/v1/auth/signup', payload: body });
  if (response.statusCode !== 201) {
    throw new Error(`signup failed with ${response.statusCode}: ${response.body}`);
  }
  return response.json<AuthResponse>();
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

export const TEST_ADMIN = { email: 'ops@example.com', password: 'admin password', name: 'Ops' } as const;

/** Creates the test administrator (as `loadline admin create` does) and returns its session token. */
export async function signInAdmin(app: LoadlineApp): Promise<string> {
  await app.services.auth.createAccount({ ...TEST_ADMIN, role: 'admin' });
  const login = await app.http.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { email: TEST_ADMIN.email, password: TEST_ADMIN.password },
  });
  if (login.statusCode !== 200) {
    throw new Error(`admin login failed with ${login.statusCode}: ${login.body}`);
  }
  return login.json<AuthResponse>().token;
}
