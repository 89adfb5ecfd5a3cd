import type { AuthResponse, SignupBody, VehicleType } from '@loadline/contracts';
import { isApiError } from './api-client';
import type { LoadlineApi } from './loadline-api';
import type { SessionToken } from './sim-session';
import { SimSocket, type RenewFailed } from './sim-socket';
import type { SimStats } from './sim-stats';

/**
 * An account the simulator would use exists, but not with this run's password
 * (made by a run with another SIMULATOR_PASSWORD or another DATA_DIR).
 */
export class SimPasswordMismatch extends Error {
  readonly code = 'simulator_password_mismatch';

  constructor(email: string, options: { cause: unknown }) {
    super(
      `${email} exists with another password: run with the SIMULATOR_PASSWORD (or DATA_DIR) it was made with, ` +
        'or give it this run’s password with `loadline admin reset-password`',
      options,
    );
    this.name = 'SimPasswordMismatch';
  }
}

const FIRST_NAMES = [
  'Aarav',
  'Ananya',
  'Vivaan',
  'Diya',
  'Ishaan',
  'Kavya',
  'Rohan',
  'Saanvi',
  'Arjun',
  'Meera',
  'Kabir',
  'Nisha',
  'Farhan',
  'Lakshmi',
  'Suresh',
  'Priya',
  'Imran',
  'Deepa',
  'Manoj',
  'Asha',
] as const;
const LAST_NAMES = [
  'Rao',
  'Sharma',
  'Reddy',
  'Iyer',
  'Khan',
  'Nair',
  'Gowda',
  'Patel',
  'Singh',
  'Das',
] as const;

/**
 * The fleet's mix, repeated every ten drivers: mostly bikes and vans, a few
 * trucks; the first four drivers cover every type.
 */
const FLEET_PATTERN: readonly VehicleType[] = [
  'bike',
  'van',
  'mini_truck',
  'truck',
  'bike',
  'van',
  'bike',
  'van',
  'mini_truck',
  'bike',
];

function pad(index: number): string {
  return String(index).padStart(4, '0');
}

function nameOf(index: number): string {
  return `${FIRST_NAMES[index % FIRST_NAMES.length] ?? 'Sim'} ${LAST_NAMES[(index * 7) % LAST_NAMES.length] ?? 'User'}`;
}

/** The vehicle type of the driver with this (1-based) number. */
export function vehicleTypeOf(index: number): VehicleType {
  return FLEET_PATTERN[(index - 1) % FLEET_PATTERN.length] ?? 'van';
}

/** Driver number `index` (1-based): sim-driver-0001@loadline.test and so on, with the run's password. */
export function driverSignup(index: number, password: string): SignupBody {
  return {
    email: `sim-driver-${pad(index)}@loadline.test`,
    password,
    name: nameOf(index),
    role: 'driver',
    phone: `+91 90000 1${pad(index)}`,
    vehicle: { type: vehicleTypeOf(index), plate: `SIM D${pad(index)}` },
  };
}

/** Customer number `index` (1-based): sim-customer-0001@loadline.test and so on, with the run's password. */
export function customerSignup(index: number, password: string): SignupBody {
  return {
    email: `sim-customer-${pad(index)}@loadline.test`,
    password,
    name: nameOf(index + 3),
    role: 'customer',
    phone: `+91 90000 2${pad(index)}`,
  };
}

/**
 * Which call opens a session first: `login-first` for accounts that may exist
 * (reruns, the common case), `signup-first` for accounts known to be new (their
 * password was made up this run), so the server sees no doomed login per account.
 */
export type SignInOrder = 'login-first' | 'signup-first';

function isTaken(error: unknown): boolean {
  // A driver's plate is claimed before the email, so an existing driver answers plate_taken.
  return isApiError(error, 409, 'email_taken') || isApiError(error, 409, 'plate_taken');
}

/**
 * Signs up first; an account that exists after all is logged in to, and one
 * whose password differs is a SimPasswordMismatch.
 */
async function signUpOrLogIn(
  api: Pick<LoadlineApi, 'login' | 'signup'>,
  body: SignupBody,
  stats: SimStats,
): Promise<AuthResponse> {
  try {
    const session = await api.signup(body);
    stats.add('accountsCreated');
    return session;
  } catch (error) {
    if (!isTaken(error)) {
      throw error;
    }
  }
  try {
    const session = await api.login(body.email, body.password);
    stats.add('accountsLoggedIn');
    return session;
  } catch (error) {
    if (isApiError(error, 401, 'invalid_credentials')) {
      throw new SimPasswordMismatch(body.email, { cause: error });
    }
    throw error;
  }
}

/**
 * Logs in to the account, or signs it up when it does not exist yet (in the
 * other order for `signup-first`); both wait out 429s.
 */
export async function openSession(
  api: Pick<LoadlineApi, 'login' | 'signup'>,
  body: SignupBody,
  stats: SimStats,
  order: SignInOrder = 'login-first',
): Promise<AuthResponse> {
  if (order === 'signup-first') {
    return signUpOrLogIn(api, body, stats);
  }
  try {
    const session = await api.login(body.email, body.password);
    stats.add('accountsLoggedIn');
    return session;
  } catch (error) {
    if (!isApiError(error, 401, 'invalid_credentials')) {
      throw error;
    }
  }
  try {
    const session = await api.signup(body);
    stats.add('accountsCreated');
    return session;
  } catch (error) {
    if (isTaken(error)) {
      throw new SimPasswordMismatch(body.email, { cause: error });
    }
    throw error;
  }
}

/**
 * Opens the person's socket, which signs in again by itself when the server
 * drops its session (`onRenewFailed` hears when that fails); when opening
 * fails, the session just opened is ended rather than left behind.
 */
export async function connectSession(
  api: LoadlineApi,
  session: SessionToken,
  onRenewFailed: RenewFailed,
): Promise<SimSocket> {
  try {
    return await SimSocket.open(api.http.baseUrl, session, onRenewFailed);
  } catch (error) {
    await api.logout(session.token).catch(() => undefined);
    throw error;
  }
}
