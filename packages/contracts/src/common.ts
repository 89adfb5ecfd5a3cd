import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** A 64-bit integer ID rendered in decimal. */
export const Id = Type.String({ pattern: '^[1-9][0-9]{0,18}$', description: 'A 64-bit ID in decimal.' });

/** ISO-8601 UTC timestamp. */
export const Timestamp = Type.String({ format: 'date-time' });

export const Coordinates = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lng: Type.Number({ minimum: -180, maximum: 180 }),
    address: Type.Optional(Type.String({ maxLength: 300 })),
  },
  { additionalProperties: false },
);
export type Coordinates = Static<typeof Coordinates>;

export const Money = Type.Object({
  amount: Type.Integer({ description: 'Minor units (e.g. paise).' }),
  currency: Type.String({ minLength: 3, maxLength: 3 }),
});
export type Money = Static<typeof Money>;

export const ErrorEnvelope = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
});
export type ErrorEnvelope = Static<typeof ErrorEnvelope>;

export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);

/** `{ items, nextCursor }`: every list of the API. */
export function Page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
