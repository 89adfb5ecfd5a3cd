import type { StopFailureReason, VehicleType } from '@loadline/contracts';
import type { Range } from '../lib/random';

/**
 * How simulated people behave. Durations marked "simulated" are divided by
 * `timeScale` (a 4-minute loading stop at time scale 60 takes 4 s of wall
 * time, and vehicles cover ground 60 times faster); the others are wall time
 * because the server sees them (offer deadlines, rate limits).
 */
export interface SimSettings {
  /** Simulated time runs this many times faster than wall time (1: real time). */
  timeScale: number;
  /** Wall time between two location pings of one driver (the contract allows 10 a second). */
  pingIntervalMs: Range;
  /** Wall time a driver looks at an offer before answering (offers expire on the server's clock). */
  offerDecisionMs: Range;
  acceptProbability: number;
  /** Of the offers not accepted, the share answered with a reject (the others are left to expire). */
  rejectShare: number;
  /** Share of drivers online from the start; the others come online a little later. */
  onlineAtStart: number;
  /** Share of drivers who go offline now and then (never during a trip). */
  togglingShare: number;
  /** Simulated: how long a toggling driver stays online, and offline. */
  onlineSpellMs: Range;
  offlineSpellMs: Range;
  /** Simulated: how late the drivers not online at the start come online. */
  lateStartMs: Range;
  /** Simulated: how long an idle driver waits parked before driving somewhere else. */
  parkedMs: Range;
  /** Share of idle moves that are a drive (the rest: staying parked). */
  cruiseShare: number;
  /** Simulated: a driver's pause before reporting the next status (starting out, setting off). */
  statusPauseMs: Range;
  /** Simulated: loading at the pickup and unloading at the dropoff. */
  loadingMs: Range;
  unloadingMs: Range;
  /** Simulated: a customer's look at the quote before booking. */
  quoteThinkMs: Range;
  /** Share of quotes the customer does not book. */
  declineQuoteShare: number;
  /** Share of bookings the customer cancels if still searching after `cancelAfterMs` (simulated). */
  cancelShare: number;
  cancelAfterMs: Range;
  /** Share of delivered trips the customer rates, `rateAfterMs` (simulated) after delivery. */
  rateShare: number;
  rateAfterMs: Range;
  /** GPS noise on reported positions, in metres. */
  gpsNoiseMetres: number;
  /** Share of bookings with several drop-offs, and how many (whole numbers drawn from the range). */
  multiStopShare: number;
  stopsPerBooking: Range;
  /** Share of bookings made with `handoverPins`: the driver needs the customer's PIN at each handover. */
  handoverPinsShare: number;
  /** Share of a multi-stop booking's stops the driver cannot hand over (a failed stop, with a reason). */
  failStopShare: number;
  /** Share of handed-over stops where the recipient signs on the driver's phone (a PNG uploaded as proof). */
  signatureShare: number;
}

export const DEFAULT_SETTINGS: SimSettings = {
  timeScale: 1,
  pingIntervalMs: { min: 2_000, max: 5_000 },
  offerDecisionMs: { min: 1_000, max: 6_000 },
  acceptProbability: 0.8,
  rejectShare: 0.5,
  onlineAtStart: 0.85,
  togglingShare: 0.2,
  onlineSpellMs: { min: 8 * 60_000, max: 25 * 60_000 },
  offlineSpellMs: { min: 2 * 60_000, max: 8 * 60_000 },
  lateStartMs: { min: 30_000, max: 5 * 60_000 },
  parkedMs: { min: 30_000, max: 4 * 60_000 },
  cruiseShare: 0.6,
  statusPauseMs: { min: 5_000, max: 30_000 },
  loadingMs: { min: 2 * 60_000, max: 6 * 60_000 },
  unloadingMs: { min: 60_000, max: 4 * 60_000 },
  quoteThinkMs: { min: 3_000, max: 20_000 },
  declineQuoteShare: 0.05,
  cancelShare: 0.08,
  cancelAfterMs: { min: 15_000, max: 90_000 },
  rateShare: 0.7,
  rateAfterMs: { min: 20_000, max: 3 * 60_000 },
  gpsNoiseMetres: 4,
  multiStopShare: 0.2,
  stopsPerBooking: { min: 2, max: 4 },
  handoverPinsShare: 0.25,
  failStopShare: 0.04,
  signatureShare: 0.3,
};

/** Why drivers could not hand over a stop's goods, and how often. */
export const STOP_FAILURE_WEIGHTS: ReadonlyMap<StopFailureReason, number> = new Map([
  ['recipient_absent', 55],
  ['address_not_found', 15],
  ['refused', 15],
  ['damaged', 5],
  ['other', 10],
]);

/** What a driver notes with a failed stop. */
export const STOP_FAILURE_NOTES: Readonly<Record<StopFailureReason, string>> = {
  recipient_absent: 'Nobody answered the door or the phone',
  address_not_found: 'No such building on the street',
  refused: 'The recipient would not take it',
  damaged: 'The goods were damaged on the way',
  other: 'Gate closed for the day',
};

/** Who customers name as a stop's recipient. */
export const RECIPIENTS: readonly string[] = [
  'Asha Rao',
  'Ravi Kumar',
  'Meera Nair',
  'Store manager',
  'Front desk',
];

/** Typical city speeds in km/h: bikes weave through traffic, trucks do not. */
export const CITY_SPEED_KMH: Readonly<Record<VehicleType, Range>> = {
  bike: { min: 22, max: 32 },
  van: { min: 18, max: 28 },
  mini_truck: { min: 16, max: 25 },
  truck: { min: 12, max: 20 },
};

/** Trip lengths customers book per vehicle type, in km (capped by the area). */
export const TRIP_KM: Readonly<Record<VehicleType, Range>> = {
  bike: { min: 1, max: 8 },
  van: { min: 2, max: 15 },
  mini_truck: { min: 3, max: 20 },
  truck: { min: 4, max: 25 },
};

/** What customers send by each vehicle type. */
export const GOODS: Readonly<Record<VehicleType, readonly string[]>> = {
  bike: ['Documents', 'Food parcel', 'Phone and charger', 'Pharmacy order', 'Keys'],
  van: ['Household boxes', 'Office chairs', 'Groceries for a shop', 'Washing machine', 'Textiles'],
  mini_truck: ['Furniture', 'Construction tiles', 'Restaurant supplies', 'Two refrigerators'],
  truck: ['Cement bags', 'Steel rods', 'Warehouse pallets', 'Machinery parts'],
};

/** Loads customers book per vehicle type, in kg: well within what each type carries. */
export const LOAD_KG: Readonly<Record<VehicleType, Range>> = {
  bike: { min: 0.5, max: 15 },
  van: { min: 20, max: 500 },
  mini_truck: { min: 200, max: 1_000 },
  truck: { min: 1_000, max: 7_000 },
};
