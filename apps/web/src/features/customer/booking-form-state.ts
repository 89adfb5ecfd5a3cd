import type { Coordinates, Quote, VehicleType } from '@loadline/contracts';
import type { TripTemplate } from './book-again';
import {
  addStop,
  emptyStop,
  moveStop,
  removeStop,
  stopFromTemplate,
  updateStop,
  type StopDraft,
  type StopEdit,
  type StopTemplate,
} from './stop-list';
import { usesStops } from './trip-request';

/** The map's target for the pickup; a stop is targeted by its key. */
export const PICKUP = 'pickup';
/** `PICKUP`, or the key of a stop. */
export type PlaceTarget = string;

export interface BookingFormState {
  pickup: Coordinates | null;
  /** The drop-offs in order (1..MAX_STOPS), each with its recipient and goods. */
  stops: StopDraft[];
  /** The number in the next new stop's key. */
  nextStop: number;
  /** Which place a click on the map sets. */
  target: PlaceTarget;
  vehicleType: VehicleType;
  /** Ask for a PIN at every handover (pickup and each stop). */
  handoverPins: boolean;
  /** The price for exactly these places and vehicle; any change to them drops it. */
  quote: Quote | null;
  /** One key per quote: a retried "Book" after a network error cannot create a second booking. */
  idempotencyKey: string | null;
  quoting: boolean;
  booking: boolean;
  error: string | null;
  schedule: boolean;
  scheduledAt: string;
  /** Goods messages wait until the customer has tried to go on, so a half-typed field is not shouted at. */
  showGoodsErrors: boolean;
  /** Bumped when a place comes from the search or typed coordinates: the map refits (not on a map click). */
  fitCount: number;
}

export type BookingFormAction =
  /** A place typed or searched for the pickup or a stop (`which`: `PICKUP` or the stop's key). */
  | { type: 'placeEntered'; which: PlaceTarget; place: Coordinates | null }
  | { type: 'mapPicked'; position: Coordinates }
  | { type: 'targetChosen'; target: PlaceTarget }
  | { type: 'vehicleChosen'; vehicleType: VehicleType }
  | { type: 'stopAdded' }
  | { type: 'stopRemoved'; key: string }
  | { type: 'stopMoved'; key: string; by: -1 | 1 }
  /** A stop's recipient or goods typed. */
  | { type: 'stopEdited'; key: string; edit: Omit<StopEdit, 'place'> }
  | { type: 'handoverPinsToggled'; on: boolean }
  | { type: 'goodsErrorsShown' }
  | { type: 'scheduleToggled'; on: boolean }
  | { type: 'scheduledAtChanged'; value: string }
  | { type: 'quoteRequested' }
  | { type: 'quoteReceived'; quote: Quote; idempotencyKey: string }
  | { type: 'quoteFailed'; message: string }
  | { type: 'bookingRequested' }
  | { type: 'bookingFailed'; message: string }
  /** Something to fix before going on (no places, a past pickup time). */
  | { type: 'invalid'; message: string }
  /** Filled in from an earlier booking ("Book again", "Schedule for later"): its trip, vehicle and goods. */
  | { type: 'prefilled'; trip: TripTemplate; schedule: boolean };

const FIRST_STOP = 'stop-1';

export const initialBookingForm: BookingFormState = {
  pickup: null,
  stops: [emptyStop(FIRST_STOP)],
  nextStop: 2,
  target: PICKUP,
  vehicleType: 'van',
  handoverPins: false,
  quote: null,
  idempotencyKey: null,
  quoting: false,
  booking: false,
  error: null,
  schedule: false,
  scheduledAt: '',
  showGoodsErrors: false,
  fitCount: 0,
};

/** A change to the trip: the quote no longer prices it. */
function withoutQuote(state: BookingFormState): BookingFormState {
  return { ...state, quote: null, idempotencyKey: null };
}

/** `place` set where `which` points (the pickup or a stop). */
function withPlace(state: BookingFormState, which: PlaceTarget, place: Coordinates | null): BookingFormState {
  return which === PICKUP
    ? { ...state, pickup: place }
    : { ...state, stops: updateStop(state.stops, which, { place }) };
}

/** After a map click: the first stop from `after` on still without a place, else where the click went. */
function nextTarget(stops: readonly StopDraft[], after: PlaceTarget): PlaceTarget {
  const from = after === PICKUP ? 0 : stops.findIndex((stop) => stop.key === after) + 1;
  return (
    stops.slice(from).find((stop) => stop.place === null)?.key ??
    (after === PICKUP ? (stops[0]?.key ?? PICKUP) : after)
  );
}

/** The stops an earlier booking had: its `stops` when it has them, else its one drop-off with its goods. */
function templateStops(trip: TripTemplate): StopTemplate[] {
  return trip.stops !== undefined && trip.stops.length > 0
    ? trip.stops
    : [{ location: trip.dropoff, recipient: null, goods: trip.goods }];
}

export function bookingFormReducer(state: BookingFormState, action: BookingFormAction): BookingFormState {
  switch (action.type) {
    case 'placeEntered':
      return withoutQuote({
        ...withPlace(state, action.which, action.place),
        fitCount: action.place === null ? state.fitCount : state.fitCount + 1,
      });
    case 'mapPicked':
      return withoutQuote({
        ...withPlace(state, state.target, action.position),
        target: nextTarget(state.stops, state.target),
      });
    case 'targetChosen':
      return { ...state, target: action.target };
    case 'vehicleChosen':
      return withoutQuote({ ...state, vehicleType: action.vehicleType });
    case 'stopAdded': {
      const key = `stop-${state.nextStop}`;
      const stops = addStop(state.stops, key);
      return stops.length === state.stops.length
        ? state
        : withoutQuote({ ...state, stops, nextStop: state.nextStop + 1, target: key });
    }
    case 'stopRemoved': {
      const stops = removeStop(state.stops, action.key);
      const target =
        state.target === action.key
          ? (stops.find((stop) => stop.place === null) ?? stops[stops.length - 1])?.key
          : undefined;
      return withoutQuote({ ...state, stops, target: target ?? state.target });
    }
    case 'stopMoved':
      return withoutQuote({ ...state, stops: moveStop(state.stops, action.key, action.by) });
    case 'stopEdited': {
      const stops = updateStop(state.stops, action.key, action.edit);
      const next = { ...state, stops };
      // A v1 trip's goods are not priced; with stops they travel in the quote, which must be asked again.
      return usesStops(state.stops) || usesStops(stops) ? withoutQuote(next) : next;
    }
    case 'handoverPinsToggled':
      return { ...state, handoverPins: action.on };
    case 'goodsErrorsShown':
      return { ...state, showGoodsErrors: true };
    case 'scheduleToggled':
      return { ...state, schedule: action.on };
    case 'scheduledAtChanged':
      return { ...state, scheduledAt: action.value };
    case 'quoteRequested':
      return { ...state, quoting: true, error: null };
    case 'quoteReceived':
      return { ...state, quoting: false, quote: action.quote, idempotencyKey: action.idempotencyKey };
    case 'quoteFailed':
      return { ...state, quoting: false, error: action.message };
    case 'bookingRequested':
      return { ...state, booking: true, error: null };
    case 'bookingFailed':
      return { ...state, booking: false, error: action.message };
    case 'invalid':
      return { ...state, error: action.message };
    case 'prefilled': {
      const { trip } = action;
      const templates = templateStops(trip);
      const stops = templates.map((template, index) =>
        stopFromTemplate(`stop-${state.nextStop + index}`, template),
      );
      return withoutQuote({
        ...state,
        pickup: trip.pickup,
        stops,
        nextStop: state.nextStop + stops.length,
        target: PICKUP,
        vehicleType: trip.vehicleType,
        handoverPins: trip.handoverPins === true,
        schedule: action.schedule,
        error: null,
        showGoodsErrors: false,
        fitCount: state.fitCount + 1,
      });
    }
  }
}

/**
 * The scheduled pickup time as ISO, or an error when scheduling is on and the
 * time is missing or not in the future; undefined when booking for now.
 */
export function scheduledPickup(
  state: Pick<BookingFormState, 'schedule' | 'scheduledAt'>,
  now: number,
): { scheduledAt: string | undefined } | { error: string } {
  if (!state.schedule) {
    return { scheduledAt: undefined };
  }
  const when = new Date(state.scheduledAt);
  if (state.scheduledAt === '' || Number.isNaN(when.getTime()) || when.getTime() <= now) {
    return { error: 'Choose a pickup time in the future.' };
  }
  return { scheduledAt: when.toISOString() };
}
