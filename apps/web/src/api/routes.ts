import {
  AdminBooking,
  AdminBookingListQuery,
  AdminDriver,
  AdminDriverListQuery,
  AdminUser,
  AdminUserListQuery,
  AdminVehicle,
  ApiKey,
  Analytics,
  AnalyticsQuery,
  AuthResponse,
  AvailabilityBody,
  AvailabilityResponse,
  Booking,
  BookingEvent,
  BookingPins,
  CompleteStopBody,
  FailStopBody,
  BookingListQuery,
  CancelBookingBody,
  CreateApiKeyBody,
  CreatedApiKey,
  CreatedWebhook,
  CreateWebhookBody,
  CreateBookingBody,
  DriverStats,
  DriverTrip,
  GenerateAccepted,
  GenerateBody,
  GenerationJob,
  Items,
  ListQuery,
  LoginBody,
  MeResponse,
  Notification,
  NotificationListQuery,
  Offer,
  Overview,
  Page,
  PublicTracking,
  Quote,
  QuoteRequest,
  RatingBody,
  ShareLink,
  SignupBody,
  StatusUpdateBody,
  SuspendBody,
  Tracking,
  UnlockPinsBody,
  Webhook,
  WebhookDelivery,
} from '@loadline/contracts';

/** A TypeBox schema: it carries its static type in `static` (what `Static<S>` reads). */
export interface Schema {
  static: unknown;
}

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** `:name` segments are filled from `params`. */
  path: `/v1/${string}`;
  query?: Schema;
  body?: Schema;
  /** `null`: the route answers 204 No Content. */
  response: Schema | null;
}

/**
 * Every route the web app calls, with the contract's schemas for its query,
 * body and answer: the one place request and response types come from.
 */
export const routes = {
  'auth.me': { method: 'GET', path: '/v1/me', response: MeResponse },
  'auth.login': { method: 'POST', path: '/v1/auth/login', body: LoginBody, response: AuthResponse },
  'auth.signup': { method: 'POST', path: '/v1/auth/signup', body: SignupBody, response: AuthResponse },
  'auth.logout': { method: 'POST', path: '/v1/auth/logout', response: null },

  'quotes.create': { method: 'POST', path: '/v1/quotes', body: QuoteRequest, response: Quote },

  'bookings.create': { method: 'POST', path: '/v1/bookings', body: CreateBookingBody, response: Booking },
  'bookings.list': { method: 'GET', path: '/v1/bookings', query: BookingListQuery, response: Page(Booking) },
  'bookings.get': { method: 'GET', path: '/v1/bookings/:id', response: Booking },
  'bookings.events': { method: 'GET', path: '/v1/bookings/:id/events', response: Items(BookingEvent) },
  'bookings.tracking': { method: 'GET', path: '/v1/bookings/:id/tracking', response: Tracking },
  'bookings.cancel': {
    method: 'POST',
    path: '/v1/bookings/:id/cancel',
    body: CancelBookingBody,
    response: Booking,
  },
  'bookings.rate': { method: 'POST', path: '/v1/bookings/:id/rating', body: RatingBody, response: Booking },
  'bookings.share': { method: 'POST', path: '/v1/bookings/:id/share', response: ShareLink },
  'bookings.unshare': { method: 'DELETE', path: '/v1/bookings/:id/share/:token', response: null },
  'track.get': { method: 'GET', path: '/v1/track/:token', response: PublicTracking },
  'bookings.setStatus': {
    method: 'POST',
    path: '/v1/bookings/:id/status',
    body: StatusUpdateBody,
    response: Booking,
  },
  'bookings.pins': { method: 'GET', path: '/v1/bookings/:id/pins', response: BookingPins },
  'stops.arrive': { method: 'POST', path: '/v1/bookings/:id/stops/:seq/arrive', response: Booking },
  'stops.complete': {
    method: 'POST',
    path: '/v1/bookings/:id/stops/:seq/complete',
    body: CompleteStopBody,
    response: Booking,
  },
  'stops.fail': {
    method: 'POST',
    path: '/v1/bookings/:id/stops/:seq/fail',
    body: FailStopBody,
    response: Booking,
  },
  'admin.unlockPins': {
    method: 'POST',
    path: '/v1/admin/bookings/:id/pins/unlock',
    body: UnlockPinsBody,
    response: BookingPins,
  },

  'apiKeys.list': { method: 'GET', path: '/v1/api-keys', response: Items(ApiKey) },
  'apiKeys.create': { method: 'POST', path: '/v1/api-keys', body: CreateApiKeyBody, response: CreatedApiKey },
  'apiKeys.revoke': { method: 'DELETE', path: '/v1/api-keys/:id', response: null },
  'webhooks.list': { method: 'GET', path: '/v1/webhooks', response: Items(Webhook) },
  'webhooks.create': {
    method: 'POST',
    path: '/v1/webhooks',
    body: CreateWebhookBody,
    response: CreatedWebhook,
  },
  'webhooks.remove': { method: 'DELETE', path: '/v1/webhooks/:id', response: null },
  'webhooks.deliveries': {
    method: 'GET',
    path: '/v1/webhooks/:id/deliveries',
    query: ListQuery,
    response: Page(WebhookDelivery),
  },
  'webhooks.replay': {
    method: 'POST',
    path: '/v1/webhooks/:id/deliveries/:deliveryId/replay',
    response: null,
  },

  'driver.setAvailability': {
    method: 'PUT',
    path: '/v1/driver/availability',
    body: AvailabilityBody,
    response: AvailabilityResponse,
  },
  'driver.offers': { method: 'GET', path: '/v1/driver/offers', response: Items(Offer) },
  'driver.acceptOffer': { method: 'POST', path: '/v1/driver/offers/:bookingId/accept', response: Booking },
  'driver.rejectOffer': { method: 'POST', path: '/v1/driver/offers/:bookingId/reject', response: null },
  'driver.trips': { method: 'GET', path: '/v1/driver/jobs', query: ListQuery, response: Page(DriverTrip) },
  'driver.stats': { method: 'GET', path: '/v1/driver/stats', response: DriverStats },

  'notifications.list': {
    method: 'GET',
    path: '/v1/notifications',
    query: NotificationListQuery,
    response: Page(Notification),
  },
  'notifications.read': { method: 'POST', path: '/v1/notifications/:id/read', response: null },
  'notifications.readAll': { method: 'POST', path: '/v1/notifications/read-all', response: null },

  'admin.overview': { method: 'GET', path: '/v1/admin/overview', response: Overview },
  'admin.analytics': {
    method: 'GET',
    path: '/v1/admin/analytics',
    query: AnalyticsQuery,
    response: Analytics,
  },
  'admin.bookings': {
    method: 'GET',
    path: '/v1/admin/bookings',
    query: AdminBookingListQuery,
    response: Page(AdminBooking),
  },
  'admin.drivers': {
    method: 'GET',
    path: '/v1/admin/drivers',
    query: AdminDriverListQuery,
    response: Page(AdminDriver),
  },
  'admin.setSuspended': {
    method: 'PATCH',
    path: '/v1/admin/drivers/:id',
    body: SuspendBody,
    response: AdminDriver,
  },
  'admin.vehicles': {
    method: 'GET',
    path: '/v1/admin/vehicles',
    query: ListQuery,
    response: Page(AdminVehicle),
  },
  'admin.users': {
    method: 'GET',
    path: '/v1/admin/users',
    query: AdminUserListQuery,
    response: Page(AdminUser),
  },
  'admin.generate': {
    method: 'POST',
    path: '/v1/admin/generate',
    body: GenerateBody,
    response: GenerateAccepted,
  },
  'admin.job': { method: 'GET', path: '/v1/admin/jobs/:id', response: GenerationJob },
} as const satisfies Record<string, RouteSpec>;

export type Routes = typeof routes;
export type RouteName = keyof Routes;
