import type {
  Booking,
  BookingStatus,
  BookingStop,
  DriverTrip,
  Goods,
  Money,
  Offer,
  TripCustomer,
} from '@loadline/contracts';
import { isActiveTrip } from '../../domain/booking-status';

/** The trip the driver is on, from the booking (accept, status moves) or the trip list (a reload). */
export interface ActiveTrip extends Pick<
  DriverTrip,
  'bookingId' | 'status' | 'pickup' | 'dropoff' | 'price' | 'vehicleType' | 'distanceKm'
> {
  /** From the booking; undefined until it is loaded (the trip list does not carry it). */
  goods?: Goods | null;
  /** From the trip list, which names the customer of an active trip; undefined until it is loaded. */
  customer?: TripCustomer;
  /** From the booking: the drop-offs in order, with how each stands; undefined until it is loaded. */
  stops?: BookingStop[];
  /** From the booking: whether the pickup and each stop need the recipient's PIN. */
  handoverPins?: boolean;
}

/** What the driver is told after a trip leaves their hands. */
export type ShiftNotice =
  | { kind: 'delivered'; price: Money }
  /** The trip ended without the driver: cancelled by the customer or an admin. */
  | { kind: 'ended'; status: BookingStatus };

export interface ShiftState {
  /** Until the first load answers. */
  loading: boolean;
  /** null until known. */
  online: boolean | null;
  togglingOnline: boolean;
  offers: Offer[];
  trip: ActiveTrip | null;
  /** An offer is being accepted or the trip moved on. */
  busy: boolean;
  error: string | null;
  notice: ShiftNotice | null;
  /** Counts trips that ended here, so the trip history reloads after each. */
  finishedTrips: number;
}

export type ShiftAction =
  | { type: 'loadStarted' }
  | { type: 'loaded'; online: boolean; offers: Offer[]; trips: DriverTrip[]; now: number }
  | { type: 'loadFailed'; message: string }
  /** The booking behind the trip: its goods, stops and whether it has handover PINs. */
  | { type: 'goodsLoaded'; booking: Booking }
  /** The trip as the trip list has it: who the customer is. */
  | { type: 'tripDetailsLoaded'; trip: DriverTrip }
  | { type: 'offerReceived'; offer: Offer }
  /** Revoked, expired, rejected: the offer is no longer open to this driver. */
  | { type: 'offerGone'; bookingId: string }
  | { type: 'tripStatusChanged'; bookingId: string; status: BookingStatus }
  | { type: 'togglingOnline' }
  | { type: 'onlineSet'; online: boolean }
  | { type: 'onlineFailed'; message: string }
  | { type: 'tripActionStarted' }
  | { type: 'accepted'; booking: Booking }
  | { type: 'acceptFailed'; bookingId: string; message: string }
  | { type: 'advanced'; booking: Booking }
  | { type: 'tripActionFailed'; message: string }
  /** The move was refused for a reason shown beside its own form (a wrong PIN): nothing for the banner. */
  | { type: 'tripActionRefused' }
  /** Something else went wrong (a rejection, a location update): shown, nothing pending ends. */
  | { type: 'failed'; message: string };

export function initialShift(online: boolean | null): ShiftState {
  return {
    loading: true,
    online,
    togglingOnline: false,
    offers: [],
    trip: null,
    busy: false,
    error: null,
    notice: null,
    finishedTrips: 0,
  };
}

export function tripFromBooking(booking: Booking): ActiveTrip {
  return {
    bookingId: booking.id,
    status: booking.status,
    pickup: booking.pickup,
    dropoff: booking.dropoff,
    price: booking.price,
    vehicleType: booking.vehicleType,
    distanceKm: booking.distanceKm,
    ...bookingDetails(booking),
  };
}

/** What the trip reads from its booking and the trip list does not carry. */
function bookingDetails(booking: Booking): Pick<ActiveTrip, 'goods' | 'stops' | 'handoverPins'> {
  return {
    goods: booking.goods,
    ...(booking.stops === undefined ? {} : { stops: booking.stops }),
    handoverPins: booking.handoverPins ?? false,
  };
}

function tripFromList(trip: DriverTrip): ActiveTrip {
  return {
    bookingId: trip.bookingId,
    status: trip.status,
    pickup: trip.pickup,
    dropoff: trip.dropoff,
    price: trip.price,
    vehicleType: trip.vehicleType,
    distanceKm: trip.distanceKm,
    ...(trip.customer === undefined ? {} : { customer: trip.customer }),
  };
}

/** The customer already known for this booking's trip, kept across its status moves. */
function customerOf(state: ShiftState, booking: Booking): Pick<ActiveTrip, 'customer'> {
  const known = state.trip?.bookingId === booking.id ? state.trip.customer : undefined;
  return known === undefined ? {} : { customer: known };
}

function withoutOffer(offers: Offer[], bookingId: string): Offer[] {
  return offers.filter((o) => o.bookingId !== bookingId);
}

/** The driver's shift: availability, open offers and the current trip, changed by answers and live events. */
export function shiftReducer(state: ShiftState, action: ShiftAction): ShiftState {
  switch (action.type) {
    case 'loadStarted':
      return { ...state, error: null };
    case 'loaded': {
      const current = action.trips.find((trip) => isActiveTrip(trip.status));
      return {
        ...state,
        loading: false,
        online: action.online,
        offers: action.offers.filter((o) => new Date(o.expiresAt).getTime() > action.now),
        trip: current === undefined ? null : tripFromList(current),
      };
    }
    case 'loadFailed':
      return { ...state, loading: false, error: action.message };
    case 'goodsLoaded':
      return state.trip !== null && state.trip.bookingId === action.booking.id
        ? { ...state, trip: { ...state.trip, ...bookingDetails(action.booking) } }
        : state;
    case 'tripDetailsLoaded':
      return state.trip !== null &&
        state.trip.bookingId === action.trip.bookingId &&
        action.trip.customer !== undefined
        ? { ...state, trip: { ...state.trip, customer: action.trip.customer } }
        : state;
    case 'offerReceived':
      return { ...state, offers: [...withoutOffer(state.offers, action.offer.bookingId), action.offer] };
    case 'offerGone':
      return { ...state, offers: withoutOffer(state.offers, action.bookingId) };
    case 'tripStatusChanged': {
      const { trip } = state;
      if (trip === null || trip.bookingId !== action.bookingId) {
        return state;
      }
      if (isActiveTrip(action.status)) {
        return { ...state, trip: { ...trip, status: action.status } };
      }
      return {
        ...state,
        trip: null,
        notice: { kind: 'ended', status: action.status },
        finishedTrips: state.finishedTrips + 1,
      };
    }
    case 'togglingOnline':
      return { ...state, togglingOnline: true, error: null };
    case 'onlineSet':
      // Offline, the last trip's notice is old news.
      return {
        ...state,
        togglingOnline: false,
        online: action.online,
        notice: action.online ? state.notice : null,
      };
    case 'onlineFailed':
      return { ...state, togglingOnline: false, error: action.message };
    case 'tripActionStarted':
      return { ...state, busy: true, error: null };
    case 'accepted':
      return { ...state, busy: false, trip: tripFromBooking(action.booking), offers: [], notice: null };
    case 'acceptFailed':
      return {
        ...state,
        busy: false,
        error: action.message,
        offers: withoutOffer(state.offers, action.bookingId),
      };
    case 'advanced':
      return isActiveTrip(action.booking.status)
        ? {
            ...state,
            busy: false,
            trip: { ...tripFromBooking(action.booking), ...customerOf(state, action.booking) },
          }
        : {
            ...state,
            busy: false,
            trip: null,
            notice: { kind: 'delivered', price: action.booking.price },
            finishedTrips: state.finishedTrips + 1,
          };
    case 'tripActionFailed':
      return { ...state, busy: false, error: action.message };
    case 'tripActionRefused':
      return { ...state, busy: false };
    case 'failed':
      return { ...state, error: action.message };
  }
}
