import type { Logger } from '../lib/logger';

export const COUNTERS = [
  'accountsCreated',
  'accountsLoggedIn',
  'reauthenticated',
  'quotes',
  'quotesDeclined',
  'bookingsCreated',
  'bookingsAssigned',
  'bookingsDelivered',
  'bookingsExpired',
  'bookingsCancelled',
  'ratings',
  'multiStopBookings',
  'pinBookings',
  'stopsCompleted',
  'stopsFailed',
  'pinsEntered',
  'signaturesUploaded',
  'offersReceived',
  'offersAccepted',
  'offersRejected',
  'offersIgnored',
  'offersLost',
  'offersRevoked',
  'offersBusy',
  'tripsResumed',
  'locationPings',
  'rateLimited',
  'errors',
] as const;
export type Counter = (typeof COUNTERS)[number];

/** The run's figures at one instant. */
export type SimSnapshot = Record<Counter, number> & {
  elapsedSeconds: number;
  driversReady: number;
  driversOnline: number;
  driversOnTrip: number;
  customersReady: number;
  /** Errors by kind ("accept: internal_error"), for the summary. */
  errorKinds: Record<string, number>;
};

/** Counters of one run, and the single place errors are counted and logged. */
export class SimStats {
  private readonly counts = new Map<Counter, number>(COUNTERS.map((name) => [name, 0]));
  private readonly errorKinds = new Map<string, number>();

  constructor(private readonly logger: Logger) {}

  add(counter: Counter, by = 1): void {
    this.counts.set(counter, (this.counts.get(counter) ?? 0) + by);
  }

  get(counter: Counter): number {
    return this.counts.get(counter) ?? 0;
  }

  /** Counts and logs a failure; the run goes on. */
  error(what: string, error: unknown, fields: Record<string, unknown> = {}): void {
    const code =
      typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
        ? error.code
        : 'exception';
    const kind = `${what}: ${code}`;
    this.add('errors');
    this.errorKinds.set(kind, (this.errorKinds.get(kind) ?? 0) + 1);
    this.logger.warn({ ...fields, err: error, what }, 'simulator error');
  }

  snapshot(
    gauges: Pick<
      SimSnapshot,
      'elapsedSeconds' | 'driversReady' | 'driversOnline' | 'driversOnTrip' | 'customersReady'
    >,
  ): SimSnapshot {
    const counters = Object.fromEntries(COUNTERS.map((name) => [name, this.get(name)])) as Record<
      Counter,
      number
    >;
    return { ...counters, ...gauges, errorKinds: Object.fromEntries(this.errorKinds) };
  }
}

function clock(seconds: number): string {
  const whole = Math.floor(seconds);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${pad(Math.floor(whole / 3600))}:${pad(Math.floor(whole / 60) % 60)}:${pad(whole % 60)}`;
}

/** One compact line for the terminal. */
export function formatStatusLine(s: SimSnapshot): string {
  return (
    `[sim ${clock(s.elapsedSeconds)}] ` +
    `drivers ${s.driversOnline}/${s.driversReady} online, ${s.driversOnTrip} on a trip | ` +
    `bookings ${s.bookingsCreated} created, ${s.bookingsAssigned} assigned, ${s.bookingsDelivered} delivered, ` +
    `${s.bookingsExpired} expired, ${s.bookingsCancelled} cancelled | ` +
    `stops ${s.stopsCompleted} handed over, ${s.stopsFailed} failed | ` +
    `offers ${s.offersReceived} (${s.offersAccepted} won, ${s.offersLost} lost) | ` +
    `429s ${s.rateLimited} | errors ${s.errors}`
  );
}
