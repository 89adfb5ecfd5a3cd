import { Type, type Static } from '@sinclair/typebox';
import { Id, Timestamp } from './common';

/**
 * Something a user was told: the `notification` socket event's fields
 * (`id, type, title, body, bookingId?, at`) plus whether it has been read.
 */
export const Notification = Type.Object({
  id: Id,
  type: Type.String({
    maxLength: 40,
    description:
      'Stable snake_case kind, e.g. `driver_confirmed`, `booking_delivered`, `job_cancelled`; new kinds may be added.',
  }),
  title: Type.String({ maxLength: 120 }),
  body: Type.String({ maxLength: 500 }),
  bookingId: Type.Optional(Id),
  at: Timestamp,
  readAt: Type.Union([Timestamp, Type.Null()], {
    description: 'When the user marked it read; null while unread.',
  }),
});
export type Notification = Static<typeof Notification>;

export const NotificationListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    unread: Type.Optional(
      Type.Boolean({ description: 'true: only notifications not yet read; false or absent: all of them.' }),
    ),
  },
  { additionalProperties: false },
);
export type NotificationListQuery = Static<typeof NotificationListQuery>;
