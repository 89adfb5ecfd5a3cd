import type { AuthResponse, Booking, Quote, VehicleType } from '@loadline/contracts';
import { pointInDisc, Random } from '../src/lib/random';
import { DEFAULT_AREA } from '../src/simulator/paths';
import type { Profile } from './profile';

/**
 * What a request got: `ok` 2xx, `client_error` 4xx, `refused` a 503 with the
 * error envelope; `bad` anything else (another 5xx, a 503 without the
 * envelope, a dropped connection) and `hang` no answer within the profile's
 * bound. Only `bad` and `hang` break the rule "every request is answered".
 */
export type Outcome = 'ok' | 'client_error' | 'refused' | 'bad' | 'hang';

export interface ProbeAnswer {
  readonly at: number;
  readonly op: string;
  readonly status: number;
  readonly ms: number;
  readonly outcome: Outcome;
  readonly detail: string;
}

interface ProbeUser {
  readonly email: string;
  token: string;
}

const PASSWORD = 'chaos prober password';
const VEHICLES: readonly VehicleType[] = ['bike', 'van', 'mini_truck', 'truck'];

function isEnvelope(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || !('error' in body)) {
    return false;
  }
  const { error } = body;
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string';
}

function classify(status: number, body: unknown): Outcome {
  if (status >= 200 && status < 300) {
    return 'ok';
  }
  if (status >= 400 && status < 500) {
    return 'client_error';
  }
  return status === 503 && isEnvelope(body) ? 'refused' : 'bad';
}

/**
 * A small client that keeps doing what customers do (sign up, log in, quote,
 * book, read) through nginx and records every answer with its time, so each
 * fault's window can be judged afterwards. Deterministic: one seed picks every
 * place and vehicle, and the cycle runs the same steps in the same order.
 */
export class Prober {
  readonly answers: ProbeAnswer[] = [];
  readonly users: ProbeUser[] = [];
  /** When a whole cycle (quote, booking, reads) last succeeded. */
  lastCycleOkAt = 0;
  private readonly random = new Random(13);
  private running = false;
  private loops: Promise<void>[] = [];
  private cycles = 0;

  constructor(
    private readonly base: string,
    private readonly profile: Profile,
  ) {}

  async start(): Promise<void> {
    for (let index = 0; index < this.profile.proberUsers; index += 1) {
      await this.signUp(`chaos-prober-${index}@loadline.test`);
    }
    this.running = true;
    this.loops = Array.from({ length: this.profile.proberConcurrency }, () => this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** The answers recorded in [from, to). */
  between(from: number, to: number): ProbeAnswer[] {
    return this.answers.filter((answer) => answer.at >= from && answer.at < to);
  }

  /** `count` bookings at once from the prober's customers; their answers go with the others. */
  async burst(count: number): Promise<Booking[]> {
    const created: Booking[] = [];
    const inFlight = 10;
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < count) {
          const index = next;
          next += 1;
          const user = this.userAt(index);
          const { pickup, dropoff, vehicleType } = this.trip();
          const answer = await this.request('burst booking', 'POST', '/v1/bookings', user, {
            body: { pickup, dropoff, vehicleType },
            headers: { 'idempotency-key': `chaos-burst-${this.cycles}-${index}` },
          });
          if (answer.status === 201) {
            created.push(answer.body as Booking);
          }
        }
      }),
    );
    return created;
  }

  /** The customers' session tokens now, to check after a fault that they still work. */
  tokens(): string[] {
    return this.users.map((user) => user.token);
  }

  /** How many of `tokens` the API no longer knows (401 on /v1/me). */
  async sessionsLost(tokens: readonly string[]): Promise<number> {
    let lost = 0;
    for (const token of tokens) {
      const answer = await this.request(
        'session check',
        'GET',
        '/v1/me',
        { email: '', token },
        { relogin: false },
      );
      if (answer.status === 401) {
        lost += 1;
      }
    }
    return lost;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.cycles += 1;
      const cycle = this.cycles;
      const started = Date.now();
      const ok = await this.cycle(cycle);
      if (ok) {
        this.lastCycleOkAt = Math.max(this.lastCycleOkAt, started);
      } else {
        // A refused or failed step: try again soon, not in a tight loop.
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /** One customer's visit; true when every step got a 2xx. */
  private async cycle(cycle: number): Promise<boolean> {
    if (cycle % 10 === 0) {
      const fresh = await this.signUp(`chaos-prober-late-${cycle}@loadline.test`, false);
      if (fresh === null) {
        return false;
      }
    }
    const user = this.userAt(cycle);
    const trip = this.trip();
    const quote = await this.request('quote', 'POST', '/v1/quotes', user, { body: trip });
    if (quote.status !== 200) {
      return false;
    }
    // Now and then a booking for later, so the scheduled path is exercised too.
    const scheduledAt = cycle % 15 === 0 ? { scheduledAt: new Date(Date.now() + 70_000).toISOString() } : {};
    const booking = await this.request('booking', 'POST', '/v1/bookings', user, {
      body: { quoteId: (quote.body as Quote).id, ...scheduledAt },
      headers: { 'idempotency-key': `chaos-${cycle}` },
    });
    if (booking.status !== 201) {
      return false;
    }
    const id = (booking.body as Booking).id;
    const reads = [
      await this.request('read booking', 'GET', `/v1/bookings/${id}`, user),
      await this.request('read events', 'GET', `/v1/bookings/${id}/events`, user),
      await this.request('list bookings', 'GET', '/v1/bookings?limit=5', user),
      await this.request('me', 'GET', '/v1/me', user),
    ];
    return reads.every((read) => read.status === 200);
  }

  private userAt(index: number): ProbeUser {
    const user = this.users[index % this.users.length];
    if (user === undefined) {
      throw new Error('the prober has no users');
    }
    return user;
  }

  private trip(): {
    pickup: { lat: number; lng: number };
    dropoff: { lat: number; lng: number };
    vehicleType: VehicleType;
  } {
    const pickup = pointInDisc(this.random, DEFAULT_AREA.center, 5);
    return {
      pickup,
      dropoff: pointInDisc(this.random, pickup, 3),
      vehicleType: VEHICLES[Math.floor(this.random.next() * VEHICLES.length)] ?? 'van',
    };
  }

  private async signUp(email: string, required = true): Promise<ProbeUser | null> {
    const deadline = Date.now() + this.profile.recoveryBoundMs;
    do {
      const answer = await this.request('signup', 'POST', '/v1/auth/signup', null, {
        body: { email, password: PASSWORD, name: 'Chaos prober', role: 'customer' },
      });
      if (answer.status === 201) {
        const user = { email, token: (answer.body as AuthResponse).token };
        this.users.push(user);
        return user;
      }
      if (answer.status === 409) {
        // Taken by an earlier try whose answer was lost: log in instead.
        const login = await this.request('login', 'POST', '/v1/auth/login', null, {
          body: { email, password: PASSWORD },
        });
        if (login.status === 200) {
          const user = { email, token: (login.body as AuthResponse).token };
          this.users.push(user);
          return user;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    } while (required && Date.now() < deadline);
    if (required) {
      throw new Error(`the prober could not sign up ${email}`);
    }
    return null;
  }

  /** One request through nginx, recorded; a 401 logs the user in again (as every client should). */
  private async request(
    op: string,
    method: string,
    path: string,
    user: ProbeUser | null,
    options: { body?: unknown; headers?: Record<string, string>; relogin?: boolean } = {},
  ): Promise<{ status: number; body: unknown }> {
    const started = Date.now();
    let status = 0;
    let body: unknown = null;
    let outcome: Outcome;
    let detail = '';
    try {
      const response = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          ...(user === null ? {} : { authorization: `Bearer ${user.token}` }),
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(this.profile.hangMs),
      });
      status = response.status;
      const text = await response.text();
      try {
        body = text === '' ? null : (JSON.parse(text) as unknown);
      } catch {
        body = text;
      }
      outcome = classify(status, body);
      if (outcome === 'bad') {
        detail = text.slice(0, 120);
      }
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      outcome = timedOut ? 'hang' : 'bad';
      detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    this.answers.push({ at: started, op, status, ms: Date.now() - started, outcome, detail });
    if (status === 401 && user !== null && options.relogin !== false) {
      await this.relogin(user);
    }
    return { status, body };
  }

  private async relogin(user: ProbeUser): Promise<void> {
    const login = await this.request('login', 'POST', '/v1/auth/login', null, {
      body: { email: user.email, password: PASSWORD },
    });
    if (login.status === 200) {
      user.token = (login.body as AuthResponse).token;
    }
  }
}
