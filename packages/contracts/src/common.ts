import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * A regular expression source matching the decimal integers 1..max exactly
 * (no sign, no leading zeros), so a schema can bound a number too large for
 * JSON numbers: each alternative fixes a prefix of `max` and one smaller digit.
 */
export function decimalUpTo(max: string): string {
  if (!/^[1-9][0-9]*$/.test(max)) {
    throw new RangeError(`not a positive decimal: ${max}`);
  }
  const width = max.length;
  const alternatives: string[] = [];
  if (width > 1) {
    alternatives.push(`[1-9][0-9]{0,${width - 2}}`);
  }
  for (let index = 0; index < width; index += 1) {
    const digit = Number(max[index]);
    const lowest = index === 0 ? 1 : 0;
    if (digit > lowest) {
      const rest = width - index - 1;
      const range = digit - 1 === lowest ? String(lowest) : `[${lowest}-${digit - 1}]`;
      alternatives.push(`${max.slice(0, index)}${range}${rest > 0 ? `[0-9]{${rest}}` : ''}`);
    }
  }
  alternatives.push(max);
  return `^(?:${alternatives.join('|')})$`;
}

/** The largest ID: IDs are positive signed 64-bit integers. */
export const MAX_ID = '9223372036854775807';

const ID_PATTERN = decimalUpTo(MAX_ID);
const ID_REGEX = new RegExp(ID_PATTERN);

/** A 64-bit integer ID rendered in decimal (1 .. 2^63-1); anything else is refused as invalid input. */
export const Id = Type.String({ pattern: ID_PATTERN, description: 'A 64-bit ID in decimal.' });

/** True when `value` is an ID the `Id` schema accepts: 1 .. 2^63-1 in decimal, no sign, no leading zero. */
export function isId(value: string): boolean {
  return ID_REGEX.test(value);
}

// Control characters never belong in text a person typed; multi-line text keeps tab and line breaks.
const CONTROLS = '\\u0000-\\u001F\\u007F';
const CONTROLS_BUT_BREAKS = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F';

/**
 * Free text typed by a person (names, addresses, descriptions): no control
 * characters (multi-line text may hold tabs and line breaks) and, when
 * `required`, at least one character that is not white space, so a value of
 * only spaces never becomes an empty name.
 */
export function Text(options: {
  maxLength: number;
  required?: boolean;
  multiline?: boolean;
  description?: string;
}) {
  const allowed = `[^${options.multiline === true ? CONTROLS_BUT_BREAKS : CONTROLS}]`;
  const visible = `[^\\s${CONTROLS}]`;
  const pattern = options.required === true ? `^${allowed}*${visible}${allowed}*$` : `^${allowed}*$`;
  return Type.String({
    maxLength: options.maxLength,
    ...(options.required === true ? { minLength: 1 } : {}),
    pattern,
    ...(options.description === undefined ? {} : { description: options.description }),
  });
}

/** ISO-8601 UTC timestamp. */
export const Timestamp = Type.String({ format: 'date-time' });

export const Coordinates = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lng: Type.Number({ minimum: -180, maximum: 180 }),
    address: Type.Optional(Text({ maxLength: 300 })),
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
