import type { Coordinates, Quote, VehicleType } from '@loadline/contracts';
import type { TripTemplate } from './book-again';

export type PlaceTarget = 'pickup' | 'dropoff';

export interface BookingFormState {
  pickup: Coordinates | null;
  dropoff: Coordinates | null;
  /** Which place a click on the map sets. */
  target: PlaceTarget;
  vehicleType: VehicleType;
  description: string;
  weightText: string;
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
  | { type: 'placeEntered'; which: PlaceTarget; place: Coordinates | null }
  | { type: 'mapPicked'; position: Coordinates }
  | { type: 'targetChosen'; target: PlaceTarget }
  | { type: 'vehicleChosen'; vehicleType: VehicleType }
  | { type: 'descriptionChanged'; value: string }
  | { type: 'weightChanged'; value: string }
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

export const initialBookingForm: BookingFormState = {
  pickup: null,
  dropoff: null,
  target: 'pickup',
  vehicleType: 'van',
  description: '',
  weightText: '',
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

export function bookingFormReducer(state: BookingFormState, action: BookingFormAction): BookingFormState {
  switch (action.type) {
    case 'placeEntered':
      return withoutQuote({
        ...state,
        [action.which]: action.place,
        fitCount: action.place === null ? state.fitCount : state.fitCount + 1,
      });
    case 'mapPicked':
      return withoutQuote(
        state.target === 'pickup'
          ? { ...state, pickup: action.position, target: 'dropoff' }
          : { ...state, dropoff: action.position },
      );
    case 'targetChosen':
      return { ...state, target: action.target };
    case 'vehicleChosen':
      return withoutQuote({ ...state, vehicleType: action.vehicleType });
    case 'descriptionChanged':
      return { ...state, description: action.value };
    case 'weightChanged':
      return { ...state, weightText: action.value };
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
      return withoutQuote({
        ...state,
        pickup: trip.pickup,
        dropoff: trip.dropoff,
        vehicleType: trip.vehicleType,
        description: trip.goods?.description ?? '',
        weightText: trip.goods === null ? '' : String(trip.goods.weightKg),
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
