import {
  isActiveTripStatus,
  type BookingStatusUpdatedEvent,
  type LocationUpdate,
  type Offer,
} from '@loadline/contracts';
import { simulatedMs, type AgentContext } from './agent-context';
import { AgentTasks } from './agent-tasks';
import { isApiError } from './api-client';
import { driveTrip, standingPoint, tripOf, type Trip } from './driver-trip';
import { DriverLink } from './driver-link';
import { pointAtDistance, pointInArea, withGpsNoise, type Point } from './paths';
import type { Range, Random } from '../lib/random';
import { connectSession, driverSignup, vehicleTypeOf } from './sim-accounts';
import { SimSession } from './sim-session';
import { CITY_SPEED_KMH } from './sim-settings';
import { VehicleMotion } from './vehicle-motion';

/** How soon a position report the server did not take is sent again (at least). */
const REFUSED_PING_RETRY_MS = 150;
/** Pings `reportPosition` sends before it leaves the server with the last position it took. */
const REPORT_ATTEMPTS = 5;

interface PendingOffer {
  bookingId: string;
  scope: AbortController;
}

/** What a driver has once signed in. */
interface Session {
  link: DriverLink;
  motion: VehicleMotion;
}

/**
 * One driver: logs in, keeps a socket open, works shifts (online, sometimes
 * offline for a while), drifts around the city while idle, answers offers
 * like a person would and drives accepted trips through every status while
 * reporting positions.
 */
export class SimDriver {
  private readonly tasks: AgentTasks;
  /** Separate streams, so pings (timing-dependent) never shift the plans. */
  private readonly plans: Random;
  private readonly offers: Random;
  private readonly routes: Random;
  private readonly gps: Random;
  private readonly startsOnline: boolean;
  private readonly toggles: boolean;
  private readonly startPoint: Point;

  private session: Session | null = null;
  private online = false;
  private trip: Trip | null = null;
  private offer: PendingOffer | null = null;
  private cruise: AbortController | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private pinging = false;

  constructor(
    readonly index: number,
    private readonly ctx: AgentContext,
    random: Random,
  ) {
    this.tasks = new AgentTasks((what, error) => ctx.stats.error(what, error, { driver: index }));
    this.plans = random.fork('plans');
    this.offers = random.fork('offers');
    this.routes = random.fork('routes');
    this.gps = random.fork('gps');
    this.startsOnline = this.plans.chance(ctx.settings.onlineAtStart);
    this.toggles = this.plans.chance(ctx.settings.togglingShare);
    this.startPoint = pointInArea(this.plans, ctx.area);
  }

  /** Signed in and connected. */
  get ready(): boolean {
    return this.session !== null;
  }

  get isOnline(): boolean {
    return this.online;
  }

  get onTrip(): boolean {
    return this.trip !== null;
  }

  /** Logs in (or signs up), connects, resumes a trip left from an earlier run, and starts the shift. */
  async start(): Promise<void> {
    const { api, stats, settings } = this.ctx;
    const session = await SimSession.open(
      api,
      driverSignup(this.index, this.ctx.password),
      stats,
      this.ctx.signInOrder,
    );
    // On a rerun the account keeps the vehicle it registered with.
    const type = session.user.driver?.vehicle.type ?? vehicleTypeOf(this.index);
    const socket = await connectSession(api, session, (error) =>
      stats.error('sign in again', error, { driver: this.index }),
    );
    this.session = {
      link: new DriverLink(api, session, socket),
      motion: new VehicleMotion(
        this.startPoint,
        this.routes.in(CITY_SPEED_KMH[type]),
        settings.timeScale,
        this.routes,
      ),
    };
    socket.socket.on('bookingOffer', (offer) => this.onOffer(offer));
    socket.socket.on('offerRevoked', (event) => {
      if (this.offer?.bookingId === event.bookingId) {
        this.offer.scope.abort();
      }
    });
    socket.socket.on('bookingStatusUpdated', (event) => this.onBookingStatus(event));
    await this.resumeTrip();
    this.schedulePing();
    this.tasks.spawn('shift', () => this.shift());
  }

  /** Ends every plan, waits for requests in flight, goes offline, closes the socket and logs out. */
  async stop(): Promise<void> {
    if (this.pingTimer !== null) {
      clearTimeout(this.pingTimer);
    }
    this.offer?.scope.abort();
    this.cruise?.abort();
    this.trip?.scope.abort();
    await this.tasks.stop();
    this.online = false;
    if (this.session === null) {
      return;
    }
    const { api, stats } = this.ctx;
    const { link } = this.session;
    try {
      await api.setAvailability(link.session, false);
    } catch (error) {
      stats.error('go offline', error, { driver: this.index });
    }
    link.socket.close();
    try {
      await api.logout(link.session.token);
    } catch (error) {
      stats.error('logout', error, { driver: this.index });
    }
  }

  private live(): Session {
    if (this.session === null) {
      throw new Error('the driver is not signed in');
    }
    return this.session;
  }

  private async resumeTrip(): Promise<void> {
    const { session } = this.live().link;
    const trips = await this.ctx.api.recentTrips(session);
    const active = trips.find((trip) => isActiveTripStatus(trip.status));
    if (active !== undefined) {
      this.ctx.stats.add('tripsResumed');
      // The booking says which stops are left and whether its handovers need PINs.
      const trip = tripOf(await this.ctx.api.getBooking(session, active.bookingId));
      // A driver waiting at a pickup or a drop-off is still there, and says so before the handover.
      const standing = standingPoint(trip);
      if (standing !== null) {
        this.live().motion.parkAt(standing);
        await this.reportPosition();
      }
      this.beginTrip(trip);
    }
  }

  // Shifts ------------------------------------------------------------------

  private async shift(): Promise<void> {
    const { settings } = this.ctx;
    const wait = (range: Range) => this.tasks.sleep(simulatedMs(this.plans, range, settings));
    if (!this.startsOnline) {
      await wait(settings.lateStartMs);
    }
    for (;;) {
      if (!(await this.goOnline())) {
        await wait(settings.offlineSpellMs);
        continue;
      }
      if (!this.toggles) {
        return;
      }
      await wait(settings.onlineSpellMs);
      // Nobody clocks off in the middle of a delivery.
      while (this.trip !== null) {
        await this.tasks.sleep(1_000);
      }
      await this.goOffline();
      await wait(settings.offlineSpellMs);
    }
  }

  /** False when the server refuses (a suspended driver); the shift tries again later. */
  private async goOnline(): Promise<boolean> {
    // Dispatch needs a known position before it can offer anything.
    await this.ping();
    this.tasks.check();
    try {
      await this.ctx.api.setAvailability(this.live().link.session, true);
    } catch (error) {
      if (isApiError(error, 403)) {
        this.ctx.logger.info({ driver: this.index, code: error.code }, 'simulated driver may not go online');
        return false;
      }
      throw error;
    }
    this.online = true;
    this.startCruise();
    return true;
  }

  private async goOffline(): Promise<void> {
    this.online = false;
    this.offer?.scope.abort();
    this.stopCruise();
    this.tasks.check();
    await this.ctx.api.setAvailability(this.live().link.session, false);
  }

  // Idle driving ------------------------------------------------------------

  private startCruise(): void {
    if (!this.online || this.trip !== null || this.cruise !== null || this.tasks.stopped) {
      return;
    }
    const scope = new AbortController();
    this.cruise = scope;
    this.tasks.spawn('cruise', async () => {
      try {
        await this.cruiseAround(scope.signal);
      } finally {
        if (this.cruise === scope) {
          this.cruise = null;
        }
      }
    });
  }

  private stopCruise(): void {
    this.cruise?.abort();
    this.cruise = null;
    this.session?.motion.halt();
  }

  /** Idle drivers wait parked, now and then moving a few km to another spot. */
  private async cruiseAround(scope: AbortSignal): Promise<void> {
    const { settings, area } = this.ctx;
    const { motion } = this.live();
    for (;;) {
      if (this.plans.chance(settings.cruiseShare)) {
        const target = pointAtDistance(this.routes, area, motion.fix().point, 0.5, 3);
        await this.tasks.sleep(motion.driveTo(target, 0.7), scope);
      }
      await this.tasks.sleep(simulatedMs(this.plans, settings.parkedMs, settings), scope);
    }
  }

  // Location pings ----------------------------------------------------------

  private schedulePing(): void {
    if (this.tasks.stopped) {
      return;
    }
    this.pingTimer = setTimeout(() => {
      if ((this.online || this.trip !== null) && !this.pinging) {
        this.tasks.spawn('location', async () => {
          await this.ping();
        });
      }
      this.schedulePing();
    }, this.gps.in(this.ctx.settings.pingIntervalMs));
  }

  /**
   * Sends where the vehicle is now and makes sure the server took it: after any
   * ping in flight (it may carry an older position), again after a 429. The
   * server checks arrivals and handovers against the last position it has.
   */
  private async reportPosition(): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      while (this.pinging) {
        await this.tasks.sleep(10);
      }
      const outcome = await this.ping();
      if (outcome.taken) {
        return;
      }
      if (attempt === REPORT_ATTEMPTS) {
        // The move after it is checked against an older position and may be refused for it.
        this.ctx.logger.warn(
          { driver: this.index, attempts: attempt },
          'simulated driver position not taken',
        );
        return;
      }
      await this.tasks.sleep(outcome.retryInMs);
    }
  }

  /**
   * Whether the server took the position: not when it was over the rate limit
   * (then it says when to try again), nor when it answered that the position
   * did not become the live one.
   */
  private async ping(): Promise<{ taken: true } | { taken: false; retryInMs: number }> {
    const { link, motion } = this.live();
    const fix = motion.fix();
    const point = withGpsNoise(this.gps, fix.point, this.ctx.settings.gpsNoiseMetres);
    const update: LocationUpdate = {
      lat: point.lat,
      lng: point.lng,
      heading: Math.round(fix.heading) % 360,
      speedKmh: Math.round(motion.speedNowKmh),
      at: new Date().toISOString(),
    };
    this.pinging = true;
    try {
      const taken = await link.sendLocation(update);
      this.ctx.stats.add('locationPings');
      return taken ? { taken } : { taken, retryInMs: REFUSED_PING_RETRY_MS };
    } catch (error) {
      // Over 10 a second: skip this one, the next comes soon enough.
      if (isApiError(error, 429)) {
        this.ctx.stats.add('rateLimited');
        return {
          taken: false,
          retryInMs: Math.max(REFUSED_PING_RETRY_MS, (error.retryAfterSeconds ?? 0) * 1000),
        };
      }
      throw error;
    } finally {
      this.pinging = false;
    }
  }

  // Offers ------------------------------------------------------------------

  private onOffer(offer: Offer): void {
    const { stats, settings } = this.ctx;
    stats.add('offersReceived');
    // Drawn for every offer, so the decisions do not depend on which ones find the driver busy.
    const accept = this.offers.chance(settings.acceptProbability);
    const reject = this.offers.chance(settings.rejectShare);
    const delayMs = this.offers.in(settings.offerDecisionMs);
    // One offer at a time, as on a phone; the others lapse.
    if (!this.online || this.trip !== null || this.offer !== null || this.tasks.stopped) {
      stats.add('offersBusy');
      return;
    }
    const pending: PendingOffer = { bookingId: offer.bookingId, scope: new AbortController() };
    this.offer = pending;
    this.tasks.spawn('offer', async () => {
      try {
        await this.answer(offer, accept, reject, delayMs, pending.scope.signal);
      } finally {
        if (this.offer === pending) {
          this.offer = null;
        }
      }
    });
  }

  private async answer(
    offer: Offer,
    accept: boolean,
    reject: boolean,
    delayMs: number,
    scope: AbortSignal,
  ): Promise<void> {
    const { api, stats } = this.ctx;
    const { session } = this.live().link;
    // A person reads the offer first; a revoked offer ends the wait.
    try {
      await this.tasks.sleep(delayMs, scope);
    } catch (error) {
      if (scope.aborted && !this.tasks.stopped) {
        stats.add('offersRevoked');
      }
      throw error;
    }
    if (!accept) {
      if (!reject) {
        stats.add('offersIgnored');
        return;
      }
      try {
        await api.rejectOffer(session, offer.bookingId);
      } catch (error) {
        // The offer ended meanwhile: nothing left to decline.
        if (!isApiError(error, 409) && !isApiError(error, 404)) {
          throw error;
        }
      }
      stats.add('offersRejected');
      return;
    }
    let booking;
    try {
      booking = await api.acceptOffer(session, offer.bookingId);
    } catch (error) {
      // booking_taken, offer_expired, driver_busy: the race the contract describes, not a failure.
      if (isApiError(error, 409)) {
        stats.add('offersLost');
        return;
      }
      throw error;
    }
    stats.add('offersAccepted');
    this.beginTrip(tripOf(booking));
  }

  // Trips -------------------------------------------------------------------

  private beginTrip(trip: Trip): void {
    const { link, motion } = this.live();
    this.stopCruise();
    this.trip = trip;
    this.tasks.spawn('subscribe', () => link.follow(trip.bookingId));
    // 'job' names this task in logs and error counts (`what`), which keep their values.
    this.tasks.spawn('job', async () => {
      try {
        await driveTrip(trip, {
          link,
          motion,
          tasks: this.tasks,
          plans: this.plans,
          settings: this.ctx.settings,
          stats: this.ctx.stats,
          handovers: this.ctx.handovers,
          reportPosition: () => this.reportPosition(),
        });
      } finally {
        this.trip = null;
        motion.halt();
        this.tasks.spawn('unsubscribe', () => link.unfollow(trip.bookingId));
        this.startCruise();
      }
    });
  }

  private onBookingStatus(event: BookingStatusUpdatedEvent): void {
    if (
      this.trip?.bookingId === event.bookingId &&
      (event.status === 'cancelled' || event.status === 'expired')
    ) {
      this.trip.scope.abort();
    }
  }
}
