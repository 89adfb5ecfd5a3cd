import type {
  AuthResponse,
  AvailabilityResponse,
  Booking,
  BookingStatus,
  CreateBookingBody,
  DriverJob,
  LocationAccepted,
  LocationUpdate,
  Quote,
  QuoteRequest,
  SignupBody,
} from '@loadline/contracts';
import type { HttpClient } from './api-client';

/**
 * The public REST routes the simulated people use, typed with the contract.
 * Answers are not validated: the server's own schemas already serialize them.
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

  logout(token: string): Promise<unknown> {
    return this.http.request('POST', '/v1/auth/logout', { token, transientRetries: 1 });
  }

  setAvailability(token: string, online: boolean): Promise<AvailabilityResponse> {
    return this.http.request('PUT', '/v1/driver/availability', {
      token,
      body: { online },
      transientRetries: 2,
    });
  }

  /** HTTP fallback of the `driverLocationUpdate` socket event. */
  sendLocation(token: string, update: LocationUpdate): Promise<LocationAccepted> {
    return this.http.request('POST', '/v1/driver/location', { token, body: update, rateLimitRetries: 0 });
  }

  /** The driver's most recent jobs (to pick up an active one after a restart). */
  async recentJobs(token: string): Promise<DriverJob[]> {
    const page = await this.http.request<{ items: DriverJob[] }>('GET', '/v1/driver/jobs?limit=10', {
      token,
      transientRetries: 2,
    });
    return page.items;
  }

  acceptOffer(token: string, bookingId: string): Promise<Booking> {
    return this.http.request('POST', `/v1/driver/offers/${bookingId}/accept`, { token, rateLimitRetries: 0 });
  }

  rejectOffer(token: string, bookingId: string): Promise<unknown> {
    return this.http.request('POST', `/v1/driver/offers/${bookingId}/reject`, { token });
  }

  /** HTTP fallback of the `bookingStatusChanged` socket event. */
  updateStatus(token: string, bookingId: string, status: BookingStatus): Promise<Booking> {
    return this.http.request('POST', `/v1/bookings/${bookingId}/status`, { token, body: { status } });
  }

  quote(token: string, body: QuoteRequest): Promise<Quote> {
    return this.http.request('POST', '/v1/quotes', { token, body, transientRetries: 2 });
  }

  /** Retried with the same Idempotency-Key, so a lost answer never books twice. */
  createBooking(token: string, body: CreateBookingBody, idempotencyKey: string): Promise<Booking> {
    return this.http.request('POST', '/v1/bookings', {
      token,
      body,
      headers: { 'idempotency-key': idempotencyKey },
      transientRetries: 2,
    });
  }

  getBooking(token: string, bookingId: string): Promise<Booking> {
    return this.http.request('GET', `/v1/bookings/${bookingId}`, { token, transientRetries: 2 });
  }

  cancelBooking(token: string, bookingId: string, reason: string): Promise<Booking> {
    return this.http.request('POST', `/v1/bookings/${bookingId}/cancel`, { token, body: { reason } });
  }

  rateBooking(token: string, bookingId: string, rating: number): Promise<unknown> {
    return this.http.request('POST', `/v1/bookings/${bookingId}/rating`, { token, body: { rating } });
  }
}
