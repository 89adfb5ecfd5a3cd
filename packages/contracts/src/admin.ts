import { Type, type Static } from '@sinclair/typebox';
import { Id, Text, Timestamp } from './common';
import { Account, RoleSchema, VehicleTypeSchema } from './auth';
import { StopFailureReasonSchema } from './bookings';

/** A user as the admin lists show it (no secrets). */
export const AdminUser = Account;
export type AdminUser = Static<typeof AdminUser>;

export const AdminUserListQuery = Type.Object(
  {
    email: Type.Optional(
      Type.String({
        minLength: 3,
        maxLength: 254,
        description:
          'Exact email (any letter case): the one account that has it, found through the directory.',
      }),
    ),
    role: Type.Optional(RoleSchema),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('suspended')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    page: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 50,
        description: 'A page number for small pages (1-50); deeper pages use the cursor.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type AdminUserListQuery = Static<typeof AdminUserListQuery>;

export const GENERATION_ENTITIES = ['users', 'drivers', 'bookings'] as const;
export type GenerationEntity = (typeof GENERATION_ENTITIES)[number];

export const GenerateBody = Type.Object(
  {
    entity: Type.Union(GENERATION_ENTITIES.map((entity) => Type.Literal(entity))),
    count: Type.Integer({ minimum: 1, maximum: 50_000_000 }),
  },
  { additionalProperties: false },
);
export type GenerateBody = Static<typeof GenerateBody>;

export const GenerateAccepted = Type.Object({ jobId: Id });
export type GenerateAccepted = Static<typeof GenerateAccepted>;

export const GENERATION_STATES = ['queued', 'running', 'completed', 'failed'] as const;
export type GenerationState = (typeof GENERATION_STATES)[number];

export const GenerationJob = Type.Object({
  id: Id,
  entity: Type.Union(GENERATION_ENTITIES.map((entity) => Type.Literal(entity))),
  state: Type.Union(GENERATION_STATES.map((state) => Type.Literal(state))),
  done: Type.Integer(),
  total: Type.Integer(),
  /** Rows written per second since the job started. */
  rate: Type.Number(),
  /** Seconds left at the current rate; null when unknown or finished. */
  etaSeconds: Type.Union([Type.Number(), Type.Null()]),
  startedAt: Timestamp,
  finishedAt: Type.Optional(Timestamp),
  error: Type.Optional(Type.String()),
});
export type GenerationJob = Static<typeof GenerationJob>;

export const AnalyticsQuery = Type.Object(
  {
    from: Type.Optional(
      Type.String({
        format: 'date',
        description: 'First UTC day, inclusive (default: 29 days before `to`).',
      }),
    ),
    to: Type.Optional(
      Type.String({ format: 'date', description: 'Last UTC day, inclusive (default: today).' }),
    ),
  },
  { additionalProperties: false },
);
export type AnalyticsQuery = Static<typeof AnalyticsQuery>;

export const VehicleTypeFigures = Type.Object({
  vehicleType: VehicleTypeSchema,
  bookings: Type.Integer(),
  tripsCompleted: Type.Integer(),
  cancelled: Type.Integer(),
  expired: Type.Integer({ description: 'Bookings that expired: no driver accepted in time (v1.2).' }),
  revenue: Type.Integer({ description: 'Minor units of delivered trips.' }),
  avgTripMinutes: Type.Union([Type.Number(), Type.Null()]),
});
export type VehicleTypeFigures = Static<typeof VehicleTypeFigures>;

export const DriverPerformance = Type.Object({
  driverId: Id,
  name: Type.String(),
  trips: Type.Integer(),
  avgTripMinutes: Type.Union([Type.Number(), Type.Null()]),
  acceptanceRate: Type.Union([Type.Number(), Type.Null()]),
  rating: Type.Union([Type.Number(), Type.Null()]),
});
export type DriverPerformance = Static<typeof DriverPerformance>;

/** Demand the fleet did not serve: bookings that expired because no driver accepted in time. */
export const UnfilledDemand = Type.Object({
  expired: Type.Integer({ description: 'Bookings of the range that expired.' }),
  rate: Type.Union([Type.Number(), Type.Null()], {
    description:
      'Expired bookings as a share of the bookings made in the range (0..1); null without bookings.',
  }),
  byHour: Type.Array(
    Type.Object({ hour: Type.Integer({ minimum: 0, maximum: 23 }), count: Type.Integer() }),
    {
      description: 'Expired bookings by the UTC hour of the day they were made: 24 entries, hour 0 first.',
    },
  ),
  byArea: Type.Array(
    Type.Object({
      lat: Type.Number(),
      lng: Type.Number(),
      count: Type.Integer(),
      address: Type.Union([Type.String(), Type.Null()], {
        description: 'A pickup address typed in the area, to name it.',
      }),
    }),
    {
      description:
        'Pickup areas (cells of 0.05°, about 5 km; `lat`, `lng` their centre) with the most expired bookings, most first; at most 10.',
    },
  ),
});
export type UnfilledDemand = Static<typeof UnfilledDemand>;

/** Failed stops by reason: every reason, in the order the contract lists them. */
export const FailedStopsByReason = Type.Array(
  Type.Object({ reason: StopFailureReasonSchema, count: Type.Integer() }),
);
export type FailedStopsByReason = Static<typeof FailedStopsByReason>;

/** Stops drivers could not hand over in the range, counted on the day each failed (v1.1). */
export const FailedStopsFigures = Type.Object({
  total: Type.Integer({ description: 'Stops failed in the range.' }),
  byReason: FailedStopsByReason,
  drivers: Type.Array(
    Type.Object({
      driverId: Id,
      name: Type.String(),
      failed: Type.Integer(),
      byReason: FailedStopsByReason,
    }),
    { description: 'The drivers with the most failed stops in the range, most first; at most 10.' },
  ),
});
export type FailedStopsFigures = Static<typeof FailedStopsFigures>;

export const Analytics = Type.Object({
  from: Type.String({ format: 'date' }),
  to: Type.String({ format: 'date' }),
  /** Currency of every revenue figure (the pricing catalog's default region). */
  currency: Type.String({ minLength: 3, maxLength: 3 }),
  tripsCompleted: Type.Integer(),
  avgTripMinutes: Type.Union([Type.Number(), Type.Null()]),
  avgPickupWaitMinutes: Type.Union([Type.Number(), Type.Null()]),
  bookingsPerDay: Type.Array(
    Type.Object({
      day: Type.String({ format: 'date' }),
      count: Type.Integer(),
      completed: Type.Integer(),
      expired: Type.Integer({ description: 'Bookings that expired that day (v1.2).' }),
    }),
  ),
  byVehicleType: Type.Array(VehicleTypeFigures),
  driverPerformance: Type.Array(DriverPerformance, { description: 'The top drivers by trips in the range.' }),
  /** Added in v1.2. */
  unfilled: UnfilledDemand,
  /** Added in v1.1 (multi-stop bookings). */
  failedStops: Type.Optional(FailedStopsFigures),
});
export type Analytics = Static<typeof Analytics>;

export const RatingBody = Type.Object(
  {
    rating: Type.Integer({ minimum: 1, maximum: 5 }),
    comment: Type.Optional(Text({ maxLength: 500, multiline: true })),
  },
  { additionalProperties: false },
);
export type RatingBody = Static<typeof RatingBody>;
