import type { AuthResponse, SignupBody, VehicleType } from '@loadline/contracts';
import { isApiError } from './api-client';
import type { LoadlineApi } from './loadline-api';
import { SimSocket } from './sim-socket';
import type { SimStats } from './sim-stats';

/** Every simulated account shares this password, so a rerun can log in to the accounts it made before. */
export const SIM_PASSWORD = 'loadline-simulator';

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

/** Driver number `index` (1-based): sim-driver-0001@loadline.test and so on. */
export function driverSignup(index: number): SignupBody {
  return {
    email: `sim-driver-${pad(index)}@loadline.test`,
    password: SIM_PASSWORD,
    name: nameOf(index),
    role: 'driver',
    phone: `+91 90000 1${pad(index)}`,
    vehicle: { type: vehicleTypeOf(index), plate: `SIM D${pad(index)}` },
  };
}

/** Customer number `index` (1-based): sim-customer-0001@loadline.test and so on. */
export function customerSignup(index: number): SignupBody {
  return {
    email: `sim-customer-${pad(index)}@loadline.test`,
    password: SIM_PASSWORD,
    name: nameOf(index + 3),
    role: 'customer',
    phone: `+91 90000 2${pad(index)}`,
  };
}

/**
 * Logs in to the account, or signs it up when it does not exist yet. Login
 * comes first because reruns are the common case; both wait out 429s.
 */
export async function openSession(
  api: LoadlineApi,
  body: SignupBody,
  stats: SimStats,
): Promise<AuthResponse> {
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
    if (isApiError(error, 409, 'email_taken')) {
      throw new Error(`${body.email} exists with another password; the simulator cannot use it`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** Opens the person's socket; when that fails, the session just opened is ended rather than left behind. */
export async function connectSession(api: LoadlineApi, token: string): Promise<SimSocket> {
  try {
    return await SimSocket.open(api.http.baseUrl, token);
  } catch (error) {
    await api.logout(token).catch(() => undefined);
    throw error;
  }
}
