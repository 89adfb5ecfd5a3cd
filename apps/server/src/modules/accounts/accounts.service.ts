import type { AuthResponse, Role, SignupBody, User, VehicleInput } from '@loadline/contracts';
import type { RateRule } from '../../config/config';
import type { Clock } from '../../lib/clock';
import { AppError, errors } from '../../lib/errors';
import {
  decoyPasswordHash,
  hashPassword,
  isUsablePasswordHash,
  needsRehash,
  verifyPassword,
} from '../../lib/passwords';
import { isUniqueViolation, retryOnConflict } from '../../platform/db/db-errors';
import type { IdGenerator } from '../../platform/db/ids';
import type { ShardRouter } from '../../platform/db/shard-router';
import type { OutboxWriter } from '../../platform/outbox/outbox';
import type { LoginThrottle } from '../../platform/rate-limit/login-throttle';
import type { RateLimiter } from '../../platform/rate-limit/rate-limiter';
import type { SessionStore } from '../../platform/sessions/session-store.port';
import { newSessionToken } from '../auth/authenticator';
import type { DriversRepository } from '../drivers/drivers.repository';
import { driverRow, vehicleRow } from '../drivers/driver-rows';
import { VEHICLE_CAPACITY_KG, normalizePlate } from '../drivers/vehicle-catalog';
import { emailKey, normalizeEmail, plateKey } from '../users/directory-keys';
import { lookupRow, userRow } from '../users/user-rows';
import type { UserRow, UsersRepository } from '../users/users.repository';
import { presentUser } from '../users/users.presenter';
import { USER_SIGNED_UP } from '../events/user-events';

/** A plate claim older than this whose driver never appeared was left by a crashed signup. */
const ABANDONED_CLAIM_MS = 60_000;

export interface AccountsServiceDeps {
  router: ShardRouter;
  ids: IdGenerator;
  users: UsersRepository;
  drivers: DriversRepository;
  sessions: SessionStore;
  outbox: OutboxWriter;
  rateLimiter: RateLimiter;
  /** Failed-login limits per (email, client address) and per email. */
  loginThrottle: LoginThrottle;
  clock: Clock;
  sessionTtlSeconds: number;
  /** Login and signup attempts per client address. */
  perIpLimit: RateRule;
  onCommitted?: () => void;
  /** Called after a session is revoked (closes its sockets); without `tokenHash`, every session of the user. */
  onSessionRevoked?: (userId: string, tokenHash?: string) => Promise<void>;
}

export interface NewAccount {
  email: string;
  password: string;
  name: string;
  role: Role;
  phone?: string | undefined;
  vehicle?: VehicleInput | undefined;
}

/** Accounts and sessions: signup, login, logout, and the current user. */
export class AccountsService {
  constructor(private readonly deps: AccountsServiceDeps) {}

  async signup(body: SignupBody, ip: string): Promise<AuthResponse> {
    await this.deps.rateLimiter.consume(`signup:ip:${ip}`, this.deps.perIpLimit);
    const user = await this.createAccount(body);
    return { user, token: await this.openSession(user.id, user.role) };
  }

  /**
   * Creates an account of any role (admins come only from the command line).
   * The user lives on the logical shard its email hashes to, so the email's
   * directory row and the user row commit in one transaction: two racing
   * signups with one email cannot both succeed.
   */
  async createAccount(input: NewAccount): Promise<User> {
    const email = normalizeEmail(input.email);
    if (input.role === 'driver' && input.vehicle === undefined) {
      throw errors.validation('A driver must register a vehicle.', { field: 'vehicle' });
    }
    if (input.role !== 'driver' && input.vehicle !== undefined) {
      throw errors.validation('Only drivers register a vehicle.', { field: 'vehicle' });
    }
    const vehicle = input.vehicle === undefined ? undefined : this.checkVehicle(input.vehicle);

    const { router, ids, clock } = this.deps;
    const logical = router.logicalForKey(emailKey(email));
    const shard = router.forLogical(logical);
    const userId = ids.next(logical);
    const now = clock.now();
    const row = userRow({
      id: userId,
      email,
      passwordHash: await hashPassword(input.password),
      name: input.name.trim(),
      phone: input.phone ?? null,
      role: input.role,
      status: 'active',
      createdAt: now,
    });

    const releasePlate = vehicle === undefined ? null : await this.claimPlate(vehicle.plate, userId);
    try {
      await retryOnConflict(() =>
        shard.db.transaction().execute(async (trx) => {
          await this.deps.users.insertLookup(trx, lookupRow('email', email, userId, now));
          await this.deps.users.insertUser(trx, row);
          if (vehicle !== undefined) {
            const vehicleId = ids.next(logical);
            await this.deps.drivers.insert(
              trx,
              driverRow({ userId, vehicleId, suspended: false, createdAt: now, lastSeen: null }),
              vehicleRow({ id: vehicleId, driverId: userId, ...vehicle, createdAt: now }),
            );
          }
          await this.deps.outbox.append(trx, {
            topic: USER_SIGNED_UP,
            aggregateId: userId,
            payload: { userId, role: input.role },
          });
        }),
      );
    } catch (error) {
      if (releasePlate !== null) {
        await releasePlate();
      }
      if (isUniqueViolation(error)) {
        throw errors.conflict('email_taken', 'An account with this email already exists.');
      }
      throw error;
    }
    this.deps.onCommitted?.();
    return this.me(userId);
  }

  async login(emailInput: string, password: string, ip: string): Promise<AuthResponse> {
    const email = normalizeEmail(emailInput);
    await this.deps.rateLimiter.consume(`login:ip:${ip}`, this.deps.perIpLimit);
    // Only failures count against the email, and per client address first, so
    // someone guessing from elsewhere does not lock the owner out (LoginThrottle).
    const verified = await this.deps.loginThrottle.attempt(email, ip, async () => {
      const user = await this.findByEmail(email);
      const stored =
        user !== undefined && isUsablePasswordHash(user.password_hash) ? user.password_hash : null;
      // Unknown emails and accounts without a usable password pay for a real check
      // too, so the response time tells none of them apart from a wrong password.
      const matches = await verifyPassword(password, stored ?? (await decoyPasswordHash));
      return user !== undefined && stored !== null && matches ? { user, stored } : null;
    });
    if (verified === null) {
      throw errors.invalidCredentials();
    }
    const { user, stored } = verified;
    if (user.status === 'suspended') {
      throw new AppError(403, 'account_suspended', 'This account is suspended.');
    }
    if (needsRehash(stored)) {
      await this.deps.users.setPasswordHash(
        this.deps.router.forId(user.id).db,
        user.id,
        await hashPassword(password),
        this.deps.clock.now(),
        stored,
      );
    }
    return { user: await this.me(user.id), token: await this.openSession(user.id, user.role) };
  }

  /**
   * Sets a new password (`loadline admin reset-password`, also how a generated
   * account gets one) and revokes every session of the account, closing its sockets.
   */
  async resetPassword(
    emailInput: string,
    password: string,
  ): Promise<{ user: User; sessionsRevoked: number }> {
    if (password.length < 8 || password.length > 128 || !/\S/.test(password)) {
      throw errors.validation('A password has 8 to 128 characters, not all of them spaces.', {
        field: 'password',
      });
    }
    const user = await this.findByEmail(normalizeEmail(emailInput));
    if (user === undefined) {
      throw errors.notFound('User');
    }
    const { router, users, sessions, clock } = this.deps;
    await users.setPasswordHash(router.forId(user.id).db, user.id, await hashPassword(password), clock.now());
    const sessionsRevoked = await sessions.revokeAllForUser(user.id);
    await this.deps.onSessionRevoked?.(user.id);
    return { user: await this.me(user.id), sessionsRevoked };
  }

  /** Revokes the session; sockets opened with it are closed too. */
  async logout(userId: string, tokenHash: string): Promise<void> {
    await this.deps.sessions.revoke({ userId, tokenHash });
    await this.deps.onSessionRevoked?.(userId, tokenHash);
  }

  /** The user with, for drivers, their profile and vehicle. */
  async me(userId: string): Promise<User> {
    const db = this.deps.router.forId(userId).db;
    const user = await this.deps.users.findById(db, userId);
    if (user === undefined) {
      throw errors.notFound('User');
    }
    const driver = user.role === 'driver' ? await this.deps.drivers.findWithVehicle(db, userId) : undefined;
    return presentUser(user, driver);
  }

  async findByEmail(email: string): Promise<UserRow | undefined> {
    const directory = this.deps.router.forKey(emailKey(email)).db;
    const entry = await this.deps.users.findLookup(directory, 'email', email);
    if (entry === undefined) {
      return undefined;
    }
    return this.deps.users.findById(this.deps.router.forId(entry.owner_id).db, entry.owner_id);
  }

  private async openSession(userId: string, role: Role): Promise<string> {
    const { token, key } = newSessionToken(userId);
    const now = this.deps.clock.now();
    await this.deps.sessions.create(key.tokenHash, {
      userId,
      role,
      createdAt: now,
      expiresAt: now + this.deps.sessionTtlSeconds * 1000,
    });
    return token;
  }

  private checkVehicle(vehicle: VehicleInput): {
    type: VehicleInput['type'];
    plate: string;
    capacityKg: number;
  } {
    const max = VEHICLE_CAPACITY_KG[vehicle.type];
    const capacityKg = vehicle.capacityKg ?? max;
    if (capacityKg > max) {
      throw errors.validation(`A ${vehicle.type} carries at most ${max} kg.`, {
        field: 'vehicle.capacityKg',
        max,
      });
    }
    const plate = normalizePlate(vehicle.plate);
    if (plate.length < 2) {
      throw errors.validation('The plate is too short.', { field: 'vehicle.plate' });
    }
    return { type: vehicle.type, plate, capacityKg };
  }

  /**
   * Plates are unique across every shard, through the lookup directory on the
   * plate's own shard. Returns how to give the claim back if the signup fails.
   */
  private async claimPlate(plate: string, ownerId: string): Promise<() => Promise<void>> {
    const { router, users, drivers, clock } = this.deps;
    const directory = router.forKey(plateKey(plate)).db;
    const release = async (): Promise<void> => {
      await users.deleteLookup(directory, 'plate', plate, ownerId);
    };
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await users.insertLookup(directory, lookupRow('plate', plate, ownerId, clock.now()));
        return release;
      } catch (error) {
        if (!isUniqueViolation(error)) {
          throw error;
        }
      }
      const holder = await users.findLookup(directory, 'plate', plate);
      const abandoned =
        holder !== undefined &&
        clock.now() - holder.created_at > ABANDONED_CLAIM_MS &&
        !(await drivers.exists(router.forId(holder.owner_id).db, holder.owner_id));
      if (!abandoned) {
        break;
      }
      await users.deleteLookup(directory, 'plate', plate, holder.owner_id);
    }
    throw errors.conflict('plate_taken', 'A vehicle with this plate is already registered.');
  }
}
