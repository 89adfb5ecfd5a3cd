/**
 * The HTTP bench's request mix: every route it drives, with the data each needs, in one table so the mix's proportions
 * are read in one place.
 */
import type autocannon from 'autocannon';
import type { Booking, Offer, Quote, VehicleType } from '@loadline/contracts';
import { mapConcurrent, type ApiClient } from '../support/api';
import type { LatencyRecorder } from '../support/latency';
import { BENGALURU, pointNear, Random } from '../support/random';
import {
  AREA_KM,
  TRIP_STEPS,
  moveTrip,
  type Account,
  type BookingRef,
  type Dataset,
  type Driver,
} from './dataset';

/** Share of each kind of request in the mix (relative weights). */
export const MIX_WEIGHTS = {
  quote: 20,
  bookingRead: 20,
  tracking: 20,
  location: 25,
  bookingCreate: 8,
  /** One step of the accept flow: create, poll offers, accept, or a status move. */
  flow: 7,
} as const;

export type Op = keyof typeof MIX_WEIGHTS;

/** Route templates: the per-route figures are grouped by these. */
const ROUTES = {
  quote: 'POST /v1/quotes',
  bookingRead: 'GET /v1/bookings/:id',
  tracking: 'GET /v1/bookings/:id/tracking',
  location: 'POST /v1/driver/location',
  bookingCreate: 'POST /v1/bookings',
  offers: 'GET /v1/driver/offers',
  accept: 'POST /v1/driver/offers/:id/accept',
  status: 'POST /v1/bookings/:id/status',
} as const;

const QUOTE_VEHICLES: Readonly<Record<VehicleType, number>> = { van: 4, bike: 2, mini_truck: 1, truck: 1 };
/** Offer polls of one flow before it gives up (nothing was offered to its driver). */
const MAX_OFFER_POLLS = 20;
/** Flow pickups sit this close to the chosen driver, so dispatch offers it to that driver first. */
const PICKUP_NEAR_DRIVER_KM = 0.05;
/** Location pings wander this far from the driver's home. */
const PING_RADIUS_KM = 0.3;
const MAX_READABLE = 20_000;

type Flow =
  | { stage: 'create'; driver: Driver; customer: Account }
  | { stage: 'poll'; driver: Driver; customer: Account; bookingId: string; polls: number; createdAt: number }
  | { stage: 'accept'; driver: Driver; customer: Account; bookingId: string }
  | { stage: 'move'; driver: Driver; customer: Account; bookingId: string; step: number };

interface Pending {
  op: Op;
  route: string;
  customer?: Account;
  flow?: Flow;
}

/** What one connection is doing: the request in flight, its flow, quotes it may book from. */
interface ClientState {
  random: Random;
  pending: Pending | null;
  answered: Pending | null;
  flow: Flow | null;
  quotes: { customer: Account; quoteId: string }[];
}

export interface FlowCounts {
  started: number;
  /** The flow's own booking showed up in its driver's offers and was taken. */
  acceptingOwn: number;
  /** Not yet offered its own booking, the driver took another pending offer. */
  acceptingOther: number;
  /** Accept answered 200. */
  accepted: number;
  /** Driven through every status to delivered. */
  completed: number;
  /** Gave up: the booking was not offered to the chosen driver within the polls. */
  noOffer: number;
  /** Accept answered 409 (booking_taken, driver_busy, offer_expired). */
  conflicts: number;
  failed: number;
  /** A flow step was due but no driver was free; a location ping went instead. */
  skipped: number;
}

function emptyCounts(): FlowCounts {
  return {
    started: 0,
    acceptingOwn: 0,
    acceptingOther: 0,
    accepted: 0,
    completed: 0,
    noOffer: 0,
    conflicts: 0,
    failed: 0,
    skipped: 0,
  };
}

/**
 * The mixed workload: each connection draws its next request from
 * MIX_WEIGHTS with a realistic random body and the right account's token.
 * The accept flow is a small state machine per connection whose steps are
 * interleaved with the rest of the mix, which gives dispatch time to offer.
 */
export class MixWorkload {
  private readonly active = new Set<Flow>();
  private clients = 0;
  counts = emptyCounts();
  /** Milliseconds from a flow's booking creation to the first poll that saw it offered to its driver. */
  offerWaits: number[] = [];

  constructor(
    private readonly data: Dataset,
    private readonly seed: number,
    private readonly weights: Readonly<Record<Op, number>> = MIX_WEIGHTS,
  ) {}

  /** autocannon `setupClient` recording into `recorder`; one call per run. */
  clientSetup(recorder: LatencyRecorder): (client: autocannon.Client) => void {
    return (client) => {
      this.clients += 1;
      const state: ClientState = {
        random: new Random(this.seed * 7919 + this.clients),
        pending: null,
        answered: null,
        flow: null,
        quotes: [],
      };
      client.setRequests([
        {
          setupRequest: (request) => {
            if (state.pending !== null) {
              // The previous request never got an answer (timeout or dropped connection).
              recorder.lost(state.pending.route);
              this.abandon(state);
            }
            return { ...request, ...this.nextRequest(state) };
          },
          onResponse: (status, body) => {
            state.answered = state.pending;
            state.pending = null;
            if (state.answered !== null) {
              this.handle(state, state.answered, status, body, recorder);
            }
          },
        },
      ]);
      // autocannon emits `response` right after onResponse and before building the next request.
      client.on('response', (status: number, _bytes: number, durationMs: number) => {
        if (state.answered !== null) {
          recorder.record(state.answered.route, status, durationMs);
        }
      });
    };
  }

  /** Resets the counters for a new measured run. */
  resetCounts(): void {
    this.counts = emptyCounts();
    this.offerWaits = [];
  }

  /**
   * After a run: brings every unfinished flow to an end through plain fetch
   * (an accepted trip is driven to delivered) and gives its driver back, so
   * the next run starts with every flow driver free.
   */
  async settle(api: ApiClient): Promise<number> {
    const flows = [...this.active];
    this.active.clear();
    await mapConcurrent(flows, 16, async (flow) => {
      if (flow.stage === 'accept' || flow.stage === 'move') {
        const read = await api.call('GET', `/v1/bookings/${flow.bookingId}`, {
          token: flow.driver.token,
          expect: [200, 404],
        });
        if (read.status === 200) {
          const done = TRIP_STEPS.indexOf((read.body as Booking).status);
          await moveTrip(api, flow.driver, flow.bookingId, TRIP_STEPS.slice(done + 1)).catch(() => undefined);
        }
      }
      this.data.flowDrivers.push(flow.driver);
    });
    return flows.length;
  }

  private nextRequest(state: ClientState): autocannon.Request {
    const { random } = state;
    let op: Op = random.weighted(this.weights);
    if (op === 'flow') {
      const flow = state.flow ?? this.startFlow(state);
      if (flow !== null) {
        return this.flowRequest(state, flow);
      }
      this.counts.skipped += 1;
      op = 'location';
    }
    switch (op) {
      case 'quote': {
        const customer = random.pick(this.data.customers);
        state.pending = { op, route: ROUTES.quote, customer };
        return post('/v1/quotes', customer, {
          pickup: pointNear(random, BENGALURU, AREA_KM),
          dropoff: pointNear(random, BENGALURU, AREA_KM + 2),
          vehicleType: random.weighted(QUOTE_VEHICLES),
        });
      }
      case 'bookingRead': {
        const booking = random.pick(this.data.readable);
        state.pending = { op, route: ROUTES.bookingRead };
        return get(`/v1/bookings/${booking.id}`, booking.customer);
      }
      case 'tracking': {
        const booking = random.pick(this.data.tracked);
        state.pending = { op, route: ROUTES.tracking };
        return get(`/v1/bookings/${booking.id}/tracking`, booking.customer);
      }
      case 'bookingCreate': {
        const fromQuote = random.next() < 0.5 ? state.quotes.pop() : undefined;
        const customer = fromQuote?.customer ?? random.pick(this.data.customers);
        state.pending = { op, route: ROUTES.bookingCreate, customer };
        const body =
          fromQuote === undefined
            ? {
                pickup: { ...pointNear(random, BENGALURU, AREA_KM), address: 'MG Road' },
                dropoff: pointNear(random, BENGALURU, AREA_KM + 2),
                vehicleType: 'van',
                goods: { description: 'furniture', weightKg: 20 + random.int(400) },
              }
            : { quoteId: fromQuote.quoteId };
        return post('/v1/bookings', customer, body, {
          'idempotency-key': `bench-${random.int(2 ** 31).toString(36)}-${Date.now().toString(36)}`,
        });
      }
      case 'location':
        return this.ping(state);
    }
  }

  private ping(state: ClientState): autocannon.Request {
    const { random } = state;
    const driver = random.pick(this.data.drivers);
    state.pending = { op: 'location', route: ROUTES.location };
    return post('/v1/driver/location', driver, {
      ...pointNear(random, driver.home, PING_RADIUS_KM),
      heading: random.int(360),
      speedKmh: random.int(40),
    });
  }

  private startFlow(state: ClientState): Flow | null {
    const driver = this.data.flowDrivers.shift();
    if (driver === undefined) {
      return null;
    }
    const flow: Flow = { stage: 'create', driver, customer: state.random.pick(this.data.customers) };
    this.active.add(flow);
    state.flow = flow;
    this.counts.started += 1;
    return flow;
  }

  private flowRequest(state: ClientState, flow: Flow): autocannon.Request {
    const { random } = state;
    switch (flow.stage) {
      case 'create':
        state.pending = { op: 'flow', route: ROUTES.bookingCreate, flow };
        return post('/v1/bookings', flow.customer, {
          pickup: pointNear(random, flow.driver.home, PICKUP_NEAR_DRIVER_KM),
          dropoff: pointNear(random, BENGALURU, AREA_KM),
          vehicleType: 'van',
          goods: { description: 'cartons', weightKg: 50 },
        });
      case 'poll':
        state.pending = { op: 'flow', route: ROUTES.offers, flow };
        return get('/v1/driver/offers', flow.driver);
      case 'accept':
        state.pending = { op: 'flow', route: ROUTES.accept, flow };
        return {
          method: 'POST',
          path: `/v1/driver/offers/${flow.bookingId}/accept`,
          headers: auth(flow.driver),
        };
      case 'move':
        state.pending = { op: 'flow', route: ROUTES.status, flow };
        return post(`/v1/bookings/${flow.bookingId}/status`, flow.driver, { status: TRIP_STEPS[flow.step] });
    }
  }

  private handle(
    state: ClientState,
    answered: Pending,
    status: number,
    body: string,
    recorder: LatencyRecorder,
  ): void {
    if (status === 409) {
      recorder.conflict(answered.route, errorCode(body));
    }
    if (answered.flow !== undefined) {
      this.advance(state, answered.flow, status, body);
      return;
    }
    if (answered.op === 'quote' && status === 200 && answered.customer !== undefined) {
      state.quotes.push({ customer: answered.customer, quoteId: (JSON.parse(body) as Quote).id });
      if (state.quotes.length > 10) {
        state.quotes.shift();
      }
    } else if (answered.op === 'bookingCreate' && status === 201 && answered.customer !== undefined) {
      this.remember({ id: (JSON.parse(body) as Booking).id, customer: answered.customer });
    }
  }

  private advance(state: ClientState, flow: Flow, status: number, body: string): void {
    switch (flow.stage) {
      case 'create':
        if (status !== 201) {
          this.finish(state, flow, 'failed');
          return;
        }
        {
          const bookingId = (JSON.parse(body) as Booking).id;
          this.remember({ id: bookingId, customer: flow.customer });
          this.replace(state, flow, {
            ...flow,
            stage: 'poll',
            bookingId,
            polls: 0,
            createdAt: performance.now(),
          });
        }
        return;
      case 'poll': {
        if (status !== 200) {
          this.finish(state, flow, 'failed');
          return;
        }
        const offers = (JSON.parse(body) as { items: Offer[] }).items;
        const own = offers.find((offer) => offer.bookingId === flow.bookingId);
        // Like a driver app: take this flow's booking when offered, else whatever is on offer.
        const chosen = own ?? offers[0];
        if (own !== undefined) {
          this.offerWaits.push(performance.now() - flow.createdAt);
        }
        if (chosen !== undefined) {
          this.counts[own === undefined ? 'acceptingOther' : 'acceptingOwn'] += 1;
          this.replace(state, flow, {
            stage: 'accept',
            driver: flow.driver,
            customer: flow.customer,
            bookingId: chosen.bookingId,
          });
        } else if (flow.polls + 1 >= MAX_OFFER_POLLS) {
          this.finish(state, flow, 'noOffer');
        } else {
          flow.polls += 1;
        }
        return;
      }
      case 'accept':
        if (status === 200) {
          this.counts.accepted += 1;
          this.replace(state, flow, { ...flow, stage: 'move', step: 0 });
        } else {
          this.finish(state, flow, status === 409 ? 'conflicts' : 'failed');
        }
        return;
      case 'move':
        if (status !== 200) {
          // Left to settle(), which reads the booking and finishes the trip.
          this.counts.failed += 1;
          state.flow = null;
          return;
        }
        if (flow.step + 1 >= TRIP_STEPS.length) {
          this.finish(state, flow, 'completed');
        } else {
          flow.step += 1;
        }
        return;
    }
  }

  /** The request in flight was lost: a flow that may hold a trip is left to settle(), others end now. */
  private abandon(state: ClientState): void {
    const flow = state.pending?.flow;
    state.pending = null;
    if (flow === undefined) {
      return;
    }
    if (flow.stage === 'create' || flow.stage === 'poll') {
      this.finish(state, flow, 'failed');
    } else {
      this.counts.failed += 1;
      state.flow = null;
    }
  }

  private replace(state: ClientState, from: Flow, to: Flow): void {
    this.active.delete(from);
    this.active.add(to);
    state.flow = to;
  }

  private finish(
    state: ClientState,
    flow: Flow,
    outcome: 'completed' | 'noOffer' | 'conflicts' | 'failed',
  ): void {
    this.counts[outcome] += 1;
    this.active.delete(flow);
    state.flow = null;
    // Back of the queue: by the time it is picked again its claim is long released.
    this.data.flowDrivers.push(flow.driver);
  }

  private remember(booking: BookingRef): void {
    const { readable } = this.data;
    if (readable.length < MAX_READABLE) {
      readable.push(booking);
    } else {
      readable[Math.floor(Math.random() * readable.length)] = booking;
    }
  }
}

function auth(account: Account): Record<string, string> {
  return { authorization: `Bearer ${account.token}` };
}

function get(path: string, account: Account): autocannon.Request {
  return { method: 'GET', path, headers: auth(account) };
}

function post(
  path: string,
  account: Account,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): autocannon.Request {
  return {
    method: 'POST',
    path,
    headers: { ...auth(account), 'content-type': 'application/json', ...extraHeaders },
    body: JSON.stringify(body),
  };
}

function errorCode(body: string): string {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code ?? 'unknown';
  } catch {
    return 'unparsable';
  }
}
