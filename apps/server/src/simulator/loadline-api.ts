import type {
  AuthResponse,
  AvailabilityResponse,
  Booking,
  BookingPins,
  BookingStatus,
  CompleteStopBody,
  CreateBookingBody,
  DriverTrip,
  FailStopBody,
  LocationAccepted,
  LocationUpdate,
  Quote,
  QuoteRequest,
  SignupBody,
  Upload,
} from '@loadline/contracts';
import { isApiError, type HttpClient, type RequestOptions } from './api-client';
import type { SessionToken } from './sim-session';

/**
 * The public REST routes the simulated people use, typed with the contract.
 * Answers are not validated: the server's own schemas already serialize them.
 * A signed-in call the server answers 401 `unauthenticated` signs in again
 * (`SessionToken.renew`) and is sent once more with the new token.
 */
export class LoadlineApi {
  constructor(readonly http: HttpClient) {}

  /** Reachability check before a run starts. */
  health(): Promise<unknown> {
    return this.http.request('GET', '/healthz', { rateLimitRetries: 0 });
  }

  signup(body: SignupBody): Promise<AuthResponse> {
    return this.http.request('POST', '/v1/auth/signup', { body, rateLimitRetries: Infinity });
  }

  login(email: string, password: string): Promise<AuthResponse> {
    return this.http.request('POST', '/v1/auth/login', {
      body: { email, password },
      rateLimitRetries: Infinity,
    });
  }

  /** Ends the session; a token the server no longer knows is ended already. */
  async logout(token: string): Promise<void> {
    try {
      await this.http.request('POST', '/v1/auth/logout', { token, transientRetries: 1 });
    } catch (error) {
      if (!isApiError(error, 401, 'unauthenticated')) {
        throw error;
      }
    }
  }

  setAvailability(session: SessionToken, online: boolean): Promise<AvailabilityResponse> {
    return this.signedIn(session, 'PUT', '/v1/driver/availability', {
      body: { online },
      transientRetries: 2,
    });
  }

  /** HTTP fallback of the `driverLocationUpdate` socket event. */
  sendLocation(session: SessionToken, update: LocationUpdate): Promise<LocationAccepted> {
    return this.signedIn(session, 'POST', '/v1/driver/location', { body: update, rateLimitRetries: 0 });
  }

  /** The driver's most recent trips (to pick up an active one after a restart). */
  async recentTrips(session: SessionToken): Promise<DriverTrip[]> {
    const page = await this.signedIn<{ items: DriverTrip[] }>(session, 'GET', '/v1/driver/jobs?limit=10', {
      transientRetries: 2,
    });
    return page.items;
  }

  acceptOffer(session: SessionToken, bookingId: string): Promise<Booking> {
    return this.signedIn(session, 'POST', `/v1/driver/offers/${bookingId}/accept`, { rateLimitRetries: 0 });
  }

  rejectOffer(session: SessionToken, bookingId: string): Promise<unknown> {
    return this.signedIn(session, 'POST', `/v1/driver/offers/${bookingId}/reject`);
  }

  /** HTTP fallback of the `bookingStatusChanged` socket event; `pin` for a handover of a booking with PINs. */
  updateStatus(
    session: SessionToken,
    bookingId: string,
    status: BookingStatus,
    pin?: string,
  ): Promise<Booking> {
    return this.signedIn(session, 'POST', `/v1/bookings/${bookingId}/status`, {
      body: pin === undefined ? { status } : { status, pin },
    });
  }

  arriveAtStop(session: SessionToken, bookingId: string, seq: number): Promise<Booking> {
    return this.signedIn(session, 'POST', `/v1/bookings/${bookingId}/stops/${seq}/arrive`, { body: {} });
  }

  completeStop(
    session: SessionToken,
    bookingId: string,
    seq: number,
    body: CompleteStopBody,
  ): Promise<Booking> {
    return this.signedIn(session, 'POST', `/v1/bookings/${bookingId}/stops/${seq}/complete`, { body });
  }

  failStop(session: SessionToken, bookingId: string, seq: number, body: FailStopBody): Promise<Booking> {
    return this.signedIn(session, 'POST', `/v1/bookings/${bookingId}/stops/${seq}/fail`, { body });
  }

  /** A proof image (photo or signature) of the driver's current trip. */
  upload(session: SessionToken, contentType: string, bytes: Uint8Array): Promise<Upload> {
    return this.signedIn(session, 'POST', '/v1/uploads', { raw: { contentType, bytes } });
  }

  /** The customer's PINs of a booking with `handoverPins` (null ones before a driver holds it). */
  bookingPins(session: SessionToken, bookingId: string): Promise<BookingPins> {
    return this.signedIn(session, 'GET', `/v1/bookings/${bookingId}/pins`, { transientRetries: 2 });
  }

  quote(session: SessionToken, body: QuoteRequest): Promise<Quote> {
    return this.signedIn(session, 'POST', '/v1/quotes', { body, transientRetries: 2 });
  }

  /** Retried with the same Idempotency-Key, so a lost answer never books twice. */
  createBooking(session: SessionToken, body: CreateBookingBody, idempotencyKey: string): Promise<Booking> {
    return this.signedIn(session, 'POST', '/v1/bookings', {
      body,
      headers: { 'idempotency-key': idempotencyKey },
      transientRetries: 2,
    });
  }

  getBooking(session: SessionToken, bookingId: string): Promise<Booking> {
    return this.signedIn(session, 'GET', `/v1/bookings/${bookingId}`, { transientRetries: 2 });
  }

  cancelBooking(session: SessionToken, bookingId: string, reason: string): Promise<Booking> {
    return this.signedIn(session, 'POST', `/v1/bookings/${bookingId}/cancel`, { body: { reason } });
  }

  rateBooking(session: SessionToken, bookingId: string, rating: number): Promise<unknown> {
    return this.signedIn(session, 'POST', `/v1/bookings/${bookingId}/rating`, { body: { rating } });
  }

  /** A call with the session's token; on 401 `unauthenticated`, once more after signing in again. */
  private async signedIn<T>(
    session: SessionToken,
    method: string,
    path: string,
    options: Omit<RequestOptions, 'token'> = {},
  ): Promise<T> {
    const token = session.token;
    try {
      return await this.http.request<T>(method, path, { ...options, token });
    } catch (error) {
      if (!isApiError(error, 401, 'unauthenticated')) {
        throw error;
      }
      return this.http.request<T>(method, path, { ...options, token: await session.renew(token) });
    }
  }
}
