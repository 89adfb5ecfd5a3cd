import {
  DRIVER_STEPS,
  isTerminalStatus,
  type BookingStatus,
  type BookingStatusUpdatedEvent,
  type Goods,
  type StopRequest,
  type VehicleType,
} from '@loadline/contracts';
import { simulatedMs, type AgentContext } from './agent-context';
import { AgentTasks } from './agent-tasks';
import { isApiError } from './api-client';
import { pointAtDistance, pointInArea, roundPoint, type Point } from './paths';
import type { Random } from '../lib/random';
import { connectSession, customerSignup } from './sim-accounts';
import { SimSession } from './sim-session';
import { GOODS, LOAD_KG, RECIPIENTS, TRIP_KM } from './sim-settings';
import type { SimSocket } from './sim-socket';

/** Shared by every customer of a run: whether the server has the rating route (a 404 says no). */
export interface RatingSupport {
  available: boolean;
}

interface TrackedBooking {
  status: BookingStatus;
  seq: number;
  assigned: boolean;
  rating: number | null;
  rateAfterMs: number;
}

/** How customers rate: mostly happy. */
const RATING_WEIGHTS: ReadonlyMap<number, number> = new Map([
  [5, 60],
  [4, 25],
  [3, 9],
  [2, 4],
  [1, 2],
]);
/** A driver took the booking: it is at one of the driver's steps. */
const ASSIGNED_OR_LATER: readonly BookingStatus[] = DRIVER_STEPS;

/**
 * One customer: logs in, listens to its bookings over the socket, and when
 * the simulator says so books a trip (quote, a look at the price, booking
 * with an Idempotency-Key); sometimes cancels while searching, often rates
 * a delivered trip.
 */
export class SimCustomer {
  private readonly tasks: AgentTasks;
  private readonly plans: Random;
  private readonly places: Random;
  /** Multi-stop and PIN choices: their own stream, so adding them left the other plans of a seed as they were. */
  private readonly drops: Random;
  private session: SimSession | null = null;
  private socket: SimSocket | null = null;
  private readonly bookings = new Map<string, TrackedBooking>();
  /** Events that overtook the answer of the booking they are about (kept while a booking is being created). */
  private readonly early = new Map<string, BookingStatusUpdatedEvent[]>();
  private creating = 0;
  private requests = 0;

  constructor(
    readonly index: number,
    private readonly ctx: AgentContext,
    random: Random,
    private readonly runId: string,
    private readonly vehicleMix: ReadonlyMap<VehicleType, number>,
    private readonly ratings: RatingSupport,
  ) {
    this.tasks = new AgentTasks((what, error) => ctx.stats.error(what, error, { customer: index }));
    this.plans = random.fork('plans');
    this.places = random.fork('places');
    this.drops = random.fork('drops');
  }

  get ready(): boolean {
    return this.session !== null && this.socket !== null;
  }

  async start(): Promise<void> {
    const { api, stats } = this.ctx;
    const session = await SimSession.open(
      api,
      customerSignup(this.index, this.ctx.password),
      stats,
      this.ctx.signInOrder,
    );
    this.session = session;
    // The customer reads a booking's PINs out to its driver at each handover (the simulator plays both sides).
    this.ctx.handovers.register(session.user.id, (bookingId) => this.ctx.api.bookingPins(session, bookingId));
    const socket = await connectSession(api, session, (error) =>
      stats.error('sign in again', error, { customer: this.index }),
    );
    socket.socket.on('bookingStatusUpdated', (event) => this.onStatus(event));
    this.socket = socket;
  }

  /** Books one trip in the background. */
  book(): void {
    this.tasks.spawn('booking', () => this.bookTrip());
  }

  async stop(): Promise<void> {
    await this.tasks.stop();
    this.socket?.close();
    if (this.session !== null) {
      try {
        await this.ctx.api.logout(this.session.token);
      } catch (error) {
        this.ctx.stats.error('logout', error, { customer: this.index });
      }
    }
  }

  private requireSession(): SimSession {
    if (this.session === null) {
      throw new Error('the customer has no session');
    }
    return this.session;
  }

  private async bookTrip(): Promise<void> {
    const { api, stats, settings, area } = this.ctx;
    const session = this.requireSession();
    // Every draw up front, so one trip's plan never depends on how the last one went.
    const vehicleType = this.places.weighted(this.vehicleMix);
    const pickup = pointInArea(this.places, area);
    const trip = TRIP_KM[vehicleType];
    const dropoff = pointAtDistance(
      this.places,
      area,
      pickup,
      Math.min(trip.min, area.radiusKm),
      Math.min(trip.max, area.radiusKm * 2),
    );
    const goods: Goods = {
      description: this.places.pick(GOODS[vehicleType]),
      weightKg: Math.round(this.places.in(LOAD_KG[vehicleType]) * 10) / 10,
    };
    const thinkMs = simulatedMs(this.plans, settings.quoteThinkMs, settings);
    const declines = this.plans.chance(settings.declineQuoteShare);
    const cancels = this.plans.chance(settings.cancelShare);
    const cancelAfterMs = simulatedMs(this.plans, settings.cancelAfterMs, settings);
    const stops = this.drops.chance(settings.multiStopShare)
      ? this.dropOffs(pickup, vehicleType, goods)
      : null;
    const handoverPins = this.drops.chance(settings.handoverPinsShare);
    const rating = this.plans.chance(settings.rateShare) ? this.plans.weighted(RATING_WEIGHTS) : null;
    const rateAfterMs = simulatedMs(this.plans, settings.rateAfterMs, settings);
    this.requests += 1;
    const idempotencyKey = `sim-${this.runId}-c${this.index}-${this.requests}`;

    const quote = await api.quote(
      session,
      stops === null
        ? { pickup: roundPoint(pickup), dropoff: roundPoint(dropoff), vehicleType }
        : { pickup: roundPoint(pickup), stops, vehicleType },
    );
    stats.add('quotes');
    await this.tasks.sleep(thinkMs);
    if (declines) {
      stats.add('quotesDeclined');
      return;
    }
    this.creating += 1;
    let bookingId: string;
    try {
      // With stops the goods are the stops' (the quote carries them); a top-level load beside them is refused.
      const booking = await api.createBooking(
        session,
        {
          quoteId: quote.id,
          ...(stops === null ? { goods } : {}),
          ...(handoverPins ? { handoverPins } : {}),
        },
        idempotencyKey,
      );
      bookingId = booking.id;
      stats.add('bookingsCreated');
      if (stops !== null) {
        stats.add('multiStopBookings');
      }
      if (handoverPins) {
        stats.add('pinBookings');
      }
      this.bookings.set(booking.id, {
        status: booking.status,
        seq: booking.seq,
        assigned: false,
        rating,
        rateAfterMs,
      });
      for (const event of this.early.get(booking.id) ?? []) {
        this.onStatus(event);
      }
    } finally {
      this.creating -= 1;
      if (this.creating === 0) {
        this.early.clear();
      }
    }
    if (cancels) {
      this.tasks.spawn('cancel', () => this.cancelIfSearching(bookingId, cancelAfterMs));
    }
  }

  /**
   * Two to four drop-offs a short hop apart, the load shared between them,
   * some with a named recipient (the driver records who took the goods).
   */
  private dropOffs(pickup: Point, vehicleType: VehicleType, load: Goods): StopRequest[] {
    const { settings, area } = this.ctx;
    const count = Math.round(this.drops.in(settings.stopsPerBooking));
    const legKm = Math.max(0.5, Math.min(TRIP_KM[vehicleType].max, area.radiusKm * 2) / count);
    const stops: StopRequest[] = [];
    let from = pickup;
    for (let index = 0; index < count; index += 1) {
      const location = pointAtDistance(this.drops, area, from, Math.min(0.5, legKm), legKm);
      const weightKg = Math.max(0.1, Math.round((load.weightKg / count) * 10) / 10);
      const recipient = this.drops.chance(0.6) ? { name: this.drops.pick(RECIPIENTS) } : null;
      stops.push({
        location: roundPoint(location),
        goods: { description: load.description, weightKg },
        ...(recipient === null ? {} : { recipient }),
      });
      from = location;
    }
    return stops;
  }

  private async cancelIfSearching(bookingId: string, afterMs: number): Promise<void> {
    await this.tasks.sleep(afterMs);
    if (this.bookings.get(bookingId)?.status !== 'searching') {
      return;
    }
    try {
      await this.ctx.api.cancelBooking(this.requireSession(), bookingId, 'Found another way to send it');
    } catch (error) {
      // A driver accepted (or it expired) in the meantime: too late to change one's mind.
      if (isApiError(error, 422)) {
        return;
      }
      throw error;
    }
  }

  private onStatus(event: BookingStatusUpdatedEvent): void {
    const tracked = this.bookings.get(event.bookingId);
    if (tracked === undefined) {
      if (this.creating > 0) {
        this.early.set(event.bookingId, [...(this.early.get(event.bookingId) ?? []), event]);
      }
      return;
    }
    if (event.seq <= tracked.seq) {
      return;
    }
    tracked.seq = event.seq;
    tracked.status = event.status;
    const { stats } = this.ctx;
    if (!tracked.assigned && ASSIGNED_OR_LATER.includes(event.status)) {
      tracked.assigned = true;
      stats.add('bookingsAssigned');
    }
    if (event.status === 'expired') {
      stats.add('bookingsExpired');
    } else if (event.status === 'cancelled') {
      stats.add('bookingsCancelled');
    } else if (event.status === 'delivered' && tracked.rating !== null) {
      const rating = tracked.rating;
      this.tasks.spawn('rating', () => this.rate(event.bookingId, rating, tracked.rateAfterMs));
    }
    if (isTerminalStatus(event.status)) {
      this.bookings.delete(event.bookingId);
    }
  }

  /** Rates a delivered trip; a server without the rating route (404) is remembered and left alone. */
  private async rate(bookingId: string, rating: number, afterMs: number): Promise<void> {
    await this.tasks.sleep(afterMs);
    if (!this.ratings.available) {
      return;
    }
    try {
      await this.ctx.api.rateBooking(this.requireSession(), bookingId, rating);
      this.ctx.stats.add('ratings');
    } catch (error) {
      if (isApiError(error, 404)) {
        this.ratings.available = false;
        return;
      }
      throw error;
    }
  }
}
