import type {
  Booking,
  BookingStatus,
  DriverJob,
  Goods,
  JobCustomer,
  Money,
  Offer,
} from '@loadline/contracts';
import { isActiveJob } from '../../domain/booking-status';

/** The job the driver is on, from the booking (accept, status moves) or the jobs list (a reload). */
export interface ActiveJob extends Pick<
  DriverJob,
  'bookingId' | 'status' | 'pickup' | 'dropoff' | 'price' | 'vehicleType' | 'distanceKm'
> {
  /** From the booking; undefined until it is loaded (the jobs list does not carry it). */
  goods?: Goods | null;
  /** From the jobs list, which names the customer of an active job; undefined until it is loaded. */
  customer?: JobCustomer;
}

/** What the driver is told after a job leaves their hands. */
export type ShiftNotice =
  | { kind: 'delivered'; price: Money }
  /** The job ended without the driver: cancelled by the customer or an admin. */
  | { kind: 'ended'; status: BookingStatus };

export interface ShiftState {
  /** Until the first load answers. */
  loading: boolean;
  /** null until known. */
  online: boolean | null;
  togglingOnline: boolean;
  offers: Offer[];
  job: ActiveJob | null;
  /** An offer is being accepted or the job moved on. */
  busy: boolean;
  error: string | null;
  notice: ShiftNotice | null;
  /** Counts jobs that ended here, so the trip history reloads after each. */
  finishedJobs: number;
}

export type ShiftAction =
  | { type: 'loadStarted' }
  | { type: 'loaded'; online: boolean; offers: Offer[]; jobs: DriverJob[]; now: number }
  | { type: 'loadFailed'; message: string }
  | { type: 'goodsLoaded'; booking: Booking }
  /** The job as the jobs list has it: who the customer is. */
  | { type: 'jobDetailsLoaded'; job: DriverJob }
  | { type: 'offerReceived'; offer: Offer }
  /** Revoked, expired, rejected: the offer is no longer open to this driver. */
  | { type: 'offerGone'; bookingId: string }
  | { type: 'jobStatusChanged'; bookingId: string; status: BookingStatus }
  | { type: 'togglingOnline' }
  | { type: 'onlineSet'; online: boolean }
  | { type: 'onlineFailed'; message: string }
  | { type: 'jobActionStarted' }
  | { type: 'accepted'; booking: Booking }
  | { type: 'acceptFailed'; bookingId: string; message: string }
  | { type: 'advanced'; booking: Booking }
  | { type: 'jobActionFailed'; message: string }
  /** Something else went wrong (a rejection, a location update): shown, nothing pending ends. */
  | { type: 'failed'; message: string };

export function initialShift(online: boolean | null): ShiftState {
  return {
    loading: true,
    online,
    togglingOnline: false,
    offers: [],
    job: null,
    busy: false,
    error: null,
    notice: null,
    finishedJobs: 0,
  };
}

export function jobFromBooking(booking: Booking): ActiveJob {
  return {
    bookingId: booking.id,
    status: booking.status,
    pickup: booking.pickup,
    dropoff: booking.dropoff,
    price: booking.price,
    vehicleType: booking.vehicleType,
    distanceKm: booking.distanceKm,
    goods: booking.goods,
  };
}

function jobFromList(job: DriverJob): ActiveJob {
  return {
    bookingId: job.bookingId,
    status: job.status,
    pickup: job.pickup,
    dropoff: job.dropoff,
    price: job.price,
    vehicleType: job.vehicleType,
    distanceKm: job.distanceKm,
    ...(job.customer === undefined ? {} : { customer: job.customer }),
  };
}

/** The customer already known for this booking's job, kept across its status moves. */
function customerOf(state: ShiftState, booking: Booking): Pick<ActiveJob, 'customer'> {
  const known = state.job?.bookingId === booking.id ? state.job.customer : undefined;
  return known === undefined ? {} : { customer: known };
}

function withoutOffer(offers: Offer[], bookingId: string): Offer[] {
  return offers.filter((o) => o.bookingId !== bookingId);
}

/** The driver's shift: availability, open offers and the current job, changed by answers and live events. */
export function shiftReducer(state: ShiftState, action: ShiftAction): ShiftState {
  switch (action.type) {
    case 'loadStarted':
      return { ...state, error: null };
    case 'loaded': {
      const current = action.jobs.find((job) => isActiveJob(job.status));
      return {
        ...state,
        loading: false,
        online: action.online,
        offers: action.offers.filter((o) => new Date(o.expiresAt).getTime() > action.now),
        job: current === undefined ? null : jobFromList(current),
      };
    }
    case 'loadFailed':
      return { ...state, loading: false, error: action.message };
    case 'goodsLoaded':
      return state.job !== null && state.job.bookingId === action.booking.id
        ? { ...state, job: { ...state.job, goods: action.booking.goods } }
        : state;
    case 'jobDetailsLoaded':
      return state.job !== null &&
        state.job.bookingId === action.job.bookingId &&
        action.job.customer !== undefined
        ? { ...state, job: { ...state.job, customer: action.job.customer } }
        : state;
    case 'offerReceived':
      return { ...state, offers: [...withoutOffer(state.offers, action.offer.bookingId), action.offer] };
    case 'offerGone':
      return { ...state, offers: withoutOffer(state.offers, action.bookingId) };
    case 'jobStatusChanged': {
      const { job } = state;
      if (job === null || job.bookingId !== action.bookingId) {
        return state;
      }
      if (isActiveJob(action.status)) {
        return { ...state, job: { ...job, status: action.status } };
      }
      return {
        ...state,
        job: null,
        notice: { kind: 'ended', status: action.status },
        finishedJobs: state.finishedJobs + 1,
      };
    }
    case 'togglingOnline':
      return { ...state, togglingOnline: true, error: null };
    case 'onlineSet':
      // Offline, the last job's notice is old news.
      return {
        ...state,
        togglingOnline: false,
        online: action.online,
        notice: action.online ? state.notice : null,
      };
    case 'onlineFailed':
      return { ...state, togglingOnline: false, error: action.message };
    case 'jobActionStarted':
      return { ...state, busy: true, error: null };
    case 'accepted':
      return { ...state, busy: false, job: jobFromBooking(action.booking), offers: [], notice: null };
    case 'acceptFailed':
      return {
        ...state,
        busy: false,
        error: action.message,
        offers: withoutOffer(state.offers, action.bookingId),
      };
    case 'advanced':
      return isActiveJob(action.booking.status)
        ? {
            ...state,
            busy: false,
            job: { ...jobFromBooking(action.booking), ...customerOf(state, action.booking) },
          }
        : {
            ...state,
            busy: false,
            job: null,
            notice: { kind: 'delivered', price: action.booking.price },
            finishedJobs: state.finishedJobs + 1,
          };
    case 'jobActionFailed':
      return { ...state, busy: false, error: action.message };
    case 'failed':
      return { ...state, error: action.message };
  }
}
