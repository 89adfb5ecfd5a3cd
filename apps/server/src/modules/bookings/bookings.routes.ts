import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  Booking,
  BookingEvent,
  BookingListQuery,
  BookingPins,
  CancelBookingBody,
  CompleteStopBody,
  CreateBookingBody,
  FailStopBody,
  IdParams,
  Page,
  RatingBody,
  StatusUpdateBody,
  StopParams,
  Tracking,
} from '@loadline/contracts';
import { bearerSecurity, emptyBodyAsObject, errorResponses } from '../../lib/route-schemas';
import { callerOf, type Authenticator } from '../auth/authenticator';
import type { BookingStopsService } from './booking-stops.service';
import type { BookingsService } from './bookings.service';
import type { HandoverPinsService } from './handover-pins.service';

const routeErrors = errorResponses(400, 401, 403, 404, 409, 422, 429, 503);
const handoverErrors = errorResponses(400, 401, 403, 404, 409, 422, 423, 429, 503);

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 128,
      pattern: '^[A-Za-z0-9_.:-]+$',
      description: 'The same key and body within 24 h returns the first answer and creates nothing new.',
    }),
  ),
});

const STOP_ORDER =
  'Stops are worked in order once the booking is `in_transit`: another stop, or a booking not in transit, is ' +
  '422 invalid_transition. ';
const STOP_DISTANCE =
  "The driver's last reported position must be within the operator's limit of the stop (default 300 m), else " +
  '422 too_far_from_stop (`details`: distanceM, maxDistanceM). ';
const HANDOVER_PIN =
  'On a booking with `handoverPins`, `pin` is the handover’s PIN: missing or wrong is 422 invalid_pin ' +
  '(`details`: handover, triesLeft); the fifth wrong PIN locks the handover, then 423 pin_locked until an admin unlocks it. ';

export function bookingsRoutes(deps: {
  bookings: BookingsService;
  stops: BookingStopsService;
  pins: HandoverPinsService;
  authenticator: Authenticator;
}) {
  return (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const { bookings, stops, pins, authenticator } = deps;

    app.post(
      '/v1/bookings',
      {
        preHandler: authenticator.guard(['customer'], { scope: 'bookings:write' }),
        schema: {
          tags: ['bookings'],
          summary: 'Book a vehicle, now or for later',
          description:
            'From a quote (`quoteId`, keeping its price; 409 quote_expired after it expires) or directly from ' +
            '`pickup`, `dropoff` and `vehicleType`. `scheduledAt` (1 minute to 30 days ahead) makes a scheduled ' +
            'booking that starts searching shortly before its time. Goods heavier than the vehicle type carries are 422 over_capacity. ' +
            'Without a quote, the trip is checked as a quote is: a pickup or drop-off outside every service area is ' +
            "422 outside_service_area, a trip over the vehicle type's maximum 422 trip_too_long; nothing is stored.",
          security: bearerSecurity,
          headers: IdempotencyHeaders,
          body: CreateBookingBody,
          response: { 201: Booking, ...routeErrors },
        },
      },
      async (request, reply) => {
        const result = await bookings.create(
          callerOf(request).userId,
          request.body,
          request.headers['idempotency-key'],
        );
        if (result.replayed) {
          void reply.header('idempotent-replayed', 'true');
        }
        return reply.status(201).send(result.booking);
      },
    );

    app.get(
      '/v1/bookings',
      {
        preHandler: authenticator.guard(['customer'], { scope: 'bookings:read' }),
        schema: {
          tags: ['bookings'],
          summary: "The caller's bookings, newest first",
          security: bearerSecurity,
          querystring: BookingListQuery,
          response: { 200: Page(Booking), ...routeErrors },
        },
      },
      (request) => bookings.list(callerOf(request).userId, request.query),
    );

    app.get(
      '/v1/bookings/:id',
      {
        preHandler: authenticator.guard(undefined, { scope: 'bookings:read' }),
        schema: {
          tags: ['bookings'],
          summary: 'One booking (its customer, its driver or an admin; 404 for anyone else)',
          security: bearerSecurity,
          params: IdParams,
          response: { 200: Booking, ...routeErrors },
        },
      },
      (request) => bookings.get(callerOf(request), request.params.id),
    );

    app.post(
      '/v1/bookings/:id/cancel',
      {
        preHandler: authenticator.guard(['customer', 'admin'], { scope: 'bookings:write' }),
        // The body is optional: a bare POST cancels without a reason.
        preValidation: emptyBodyAsObject,
        schema: {
          tags: ['bookings'],
          summary: 'Cancel a booking',
          description: 'Customers until the goods are collected; admins any time before delivery. Else 422.',
          security: bearerSecurity,
          params: IdParams,
          body: CancelBookingBody,
          response: { 200: Booking, ...routeErrors },
        },
      },
      (request) => bookings.cancel(callerOf(request), request.params.id, request.body.reason),
    );

    app.post(
      '/v1/bookings/:id/rating',
      {
        preHandler: authenticator.guard(['customer']),
        schema: {
          tags: ['bookings'],
          summary: 'Rate a delivered trip (1-5), once',
          description: '409 already_rated on a second rating; 422 invalid_transition before delivery.',
          security: bearerSecurity,
          params: IdParams,
          body: RatingBody,
          response: { 200: Booking, ...routeErrors },
        },
      },
      (request) =>
        bookings.rate(callerOf(request).userId, request.params.id, request.body.rating, request.body.comment),
    );

    app.get(
      '/v1/bookings/:id/events',
      {
        preHandler: authenticator.guard(undefined, { scope: 'bookings:read' }),
        schema: {
          tags: ['bookings'],
          summary: "The booking's status changes, oldest first, with their seq",
          security: bearerSecurity,
          params: IdParams,
          response: { 200: Type.Object({ items: Type.Array(BookingEvent) }), ...routeErrors },
        },
      },
      async (request) => ({ items: await bookings.events(callerOf(request), request.params.id) }),
    );

    app.get(
      '/v1/bookings/:id/tracking',
      {
        preHandler: authenticator.guard(undefined, { scope: 'bookings:read' }),
        schema: {
          tags: ['bookings'],
          summary: "Status, the driver's live position and ETA",
          security: bearerSecurity,
          params: IdParams,
          response: { 200: Tracking, ...routeErrors },
        },
      },
      (request) => bookings.tracking(callerOf(request), request.params.id),
    );

    app.post(
      '/v1/bookings/:id/status',
      {
        preHandler: authenticator.guard(['driver']),
        schema: {
          tags: ['bookings'],
          summary: 'Move a job to its next status (the assigned driver only)',
          description:
            'Moves outside the state machine are 422 invalid_transition; `searching` releases the job. ' +
            HANDOVER_PIN +
            'With PINs, `goods_collected` needs the pickup’s PIN and the driver within the limit of the pickup ' +
            '(422 too_far_from_stop), and `delivered` of a one-stop booking its stop’s PIN.',
          security: bearerSecurity,
          params: IdParams,
          body: StatusUpdateBody,
          response: { 200: Booking, ...handoverErrors },
        },
      },
      (request) =>
        bookings.driverUpdate(
          callerOf(request).userId,
          request.params.id,
          request.body.status,
          request.body.pin,
        ),
    );

    app.get(
      '/v1/bookings/:id/pins',
      {
        preHandler: authenticator.guard(['customer', 'admin'], { scope: 'bookings:read' }),
        schema: {
          tags: ['bookings'],
          summary: 'The handover PINs, for the customer to give at each handover',
          description:
            'Its customer and admins only (never the driver). While a driver holds a booking made with ' +
            '`handoverPins`: the pickup’s PIN and each stop’s, fresh at every assignment; `pickup` null and no ' +
            'stops before one or after a release. `locked`: handovers locked by wrong PINs (0 is the pickup).',
          security: bearerSecurity,
          params: IdParams,
          response: { 200: BookingPins, ...routeErrors },
        },
      },
      (request) => pins.read(callerOf(request), request.params.id),
    );

    app.post(
      '/v1/bookings/:id/stops/:seq/arrive',
      {
        preHandler: authenticator.guard(['driver']),
        // The body is optional: arriving says nothing more.
        preValidation: emptyBodyAsObject,
        schema: {
          tags: ['bookings'],
          summary: 'The assigned driver arrives at a stop',
          description: STOP_ORDER + STOP_DISTANCE,
          security: bearerSecurity,
          params: StopParams,
          body: Type.Object({}, { additionalProperties: false }),
          response: { 200: Booking, ...routeErrors },
        },
      },
      (request) => stops.arrive(callerOf(request).userId, request.params.id, request.params.seq),
    );

    app.post(
      '/v1/bookings/:id/stops/:seq/complete',
      {
        preHandler: authenticator.guard(['driver']),
        schema: {
          tags: ['bookings'],
          summary: 'The assigned driver hands over a stop’s goods, with proof',
          description:
            STOP_ORDER +
            STOP_DISTANCE +
            HANDOVER_PIN +
            '`photoId` and `signatureId` must be uploads (`POST /v1/uploads`) of this booking by this driver: ' +
            "404 when unknown or someone else's, 422 invalid_proof when made for another booking. The stop's " +
            "`proof` keeps them with the recipient's name, the time and the driver's position. The last stop " +
            'delivered or failed delivers the booking.',
          security: bearerSecurity,
          params: StopParams,
          body: CompleteStopBody,
          response: { 200: Booking, ...handoverErrors },
        },
      },
      (request) =>
        stops.complete(callerOf(request).userId, request.params.id, request.params.seq, request.body),
    );

    app.post(
      '/v1/bookings/:id/stops/:seq/fail',
      {
        preHandler: authenticator.guard(['driver']),
        schema: {
          tags: ['bookings'],
          summary: 'The assigned driver records a failed attempt at a stop',
          description:
            STOP_ORDER +
            'The customer is notified at once. `photoId` follows the rules of a completion. The last stop ' +
            'delivered or failed delivers the booking.',
          security: bearerSecurity,
          params: StopParams,
          body: FailStopBody,
          response: { 200: Booking, ...routeErrors },
        },
      },
      (request) => stops.fail(callerOf(request).userId, request.params.id, request.params.seq, request.body),
    );
    return Promise.resolve();
  };
}
