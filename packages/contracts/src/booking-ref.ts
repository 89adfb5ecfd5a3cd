import { Type } from '@sinclair/typebox';
import { isId } from './common';

/**
 * Booking references: the short code a person reads out (`LL-7K2Q9MX`), next
 * to the 64-bit ID the API keys on. See docs/adr/0020-booking-references.md.
 *
 * A minted reference is `LL-` and 7 to 12 characters of Crockford's base32
 * (digits and capitals without I, L, O, U), carrying 5 bits each. The bits are
 * a value put through a fixed permutation of that many bits, so codes look
 * random but decode exactly:
 *
 *   live bookings       [ logical shard (12 bits) ][ random ][ 0 ]
 *   generated bookings  [ generation index               ][ 1 ]
 *
 * A live code carries its booking's logical shard, and the shard enforces a
 * unique index on `bookings.ref`, so a code is unique across every shard; a
 * generated code carries the deployment-wide generation index, unique by
 * construction. Codes of different lengths never meet.
 *
 * Bookings made before references existed have none stored; they show
 * `fallbackBookingRef(id)`: the whole ID in 13 base32 characters, a length no
 * minted code has.
 */

export const BOOKING_REF_PREFIX = 'LL-';
/** The length minted codes start at; a shard whose codes of one length grow crowded mints longer ones. */
export const MIN_BOOKING_REF_LENGTH = 7;
export const MAX_BOOKING_REF_LENGTH = 12;
const FALLBACK_LENGTH = 13;
export const LOGICAL_SHARD_BITS = 12;

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const BookingRef = Type.String({
  pattern: `^LL-[0-9A-HJKMNP-TV-Z]{${MIN_BOOKING_REF_LENGTH},${FALLBACK_LENGTH}}$`,
  description:
    'A short booking reference for people (tabs, receipts, support calls), unique across shards; the ID stays the key in the API.',
  examples: ['LL-7K2Q9MX'],
});

/** What a minted code holds. */
export type BookingRefValue =
  { kind: 'live'; logicalShard: number; random: bigint } | { kind: 'generated'; index: bigint };

// Two rounds of xor-shift and multiplication by an odd constant: each step is a bijection on n bits.
const M1 = 0x9e3779b97f4a7c15n;
const M2 = 0xbf58476d1ce4e5b9n;

function mask(bits: number): bigint {
  return (1n << BigInt(bits)) - 1n;
}

/** The inverse of an odd number modulo 2^64 (Newton's iteration doubles the correct bits each time). */
function inverse(odd: bigint): bigint {
  let inv = odd;
  for (let step = 0; step < 6; step += 1) {
    inv = (inv * (2n - odd * inv)) & mask(64);
  }
  return inv;
}
const M1_INVERSE = inverse(M1);
const M2_INVERSE = inverse(M2);

function shiftOf(bits: number): bigint {
  return BigInt(Math.ceil(bits / 2));
}

function scramble(value: bigint, bits: number): bigint {
  const m = mask(bits);
  const s = shiftOf(bits);
  let x = value & m;
  x ^= x >> s;
  x = (x * M1) & m;
  x ^= x >> s;
  x = (x * M2) & m;
  x ^= x >> s;
  return x;
}

function unscramble(value: bigint, bits: number): bigint {
  const m = mask(bits);
  const s = shiftOf(bits);
  // With a shift of at least half the width, one xor undoes an xor-shift.
  let x = value & m;
  x ^= x >> s;
  x = (x * M2_INVERSE) & m;
  x ^= x >> s;
  x = (x * M1_INVERSE) & m;
  x ^= x >> s;
  return x;
}

function toBase32(value: bigint, length: number): string {
  let text = '';
  let rest = value;
  for (let index = 0; index < length; index += 1) {
    text = ALPHABET.charAt(Number(rest & 31n)) + text;
    rest >>= 5n;
  }
  return text;
}

function fromBase32(text: string): bigint | null {
  let value = 0n;
  for (const char of text) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0) {
      return null;
    }
    value = (value << 5n) | BigInt(digit);
  }
  return value;
}

function checkLength(length: number): number {
  if (!Number.isInteger(length) || length < MIN_BOOKING_REF_LENGTH || length > MAX_BOOKING_REF_LENGTH) {
    throw new RangeError(
      `a booking reference has ${MIN_BOOKING_REF_LENGTH} to ${MAX_BOOKING_REF_LENGTH} characters`,
    );
  }
  return length;
}

/** Random bits a live code of `length` characters holds besides its shard and kind. */
export function liveRefRandomBits(length: number): number {
  return checkLength(length) * 5 - LOGICAL_SHARD_BITS - 1;
}

/** The code of `value` in `length` characters; throws when the value does not fit. */
export function encodeBookingRef(value: BookingRefValue, length: number = MIN_BOOKING_REF_LENGTH): string {
  const bits = checkLength(length) * 5;
  let payload: bigint;
  if (value.kind === 'live') {
    const randomBits = liveRefRandomBits(length);
    if (
      !Number.isInteger(value.logicalShard) ||
      value.logicalShard < 0 ||
      value.logicalShard >= 1 << LOGICAL_SHARD_BITS
    ) {
      throw new RangeError(`logical shard out of range: ${value.logicalShard}`);
    }
    if (value.random < 0n || value.random > mask(randomBits)) {
      throw new RangeError(`a ${length}-character code holds ${randomBits} random bits`);
    }
    payload = ((BigInt(value.logicalShard) << BigInt(randomBits)) | value.random) << 1n;
  } else {
    if (value.index < 0n || value.index > mask(bits - 1)) {
      throw new RangeError(`generation index ${value.index} needs a longer code than ${length}`);
    }
    payload = (value.index << 1n) | 1n;
  }
  return BOOKING_REF_PREFIX + toBase32(scramble(payload, bits), length);
}

/** What a minted code holds; null for anything else (fallback codes included). */
export function decodeBookingRef(ref: string): BookingRefValue | null {
  if (!ref.startsWith(BOOKING_REF_PREFIX)) {
    return null;
  }
  const body = ref.slice(BOOKING_REF_PREFIX.length);
  const length = body.length;
  if (length < MIN_BOOKING_REF_LENGTH || length > MAX_BOOKING_REF_LENGTH) {
    return null;
  }
  const raw = fromBase32(body);
  if (raw === null) {
    return null;
  }
  const payload = unscramble(raw, length * 5);
  if ((payload & 1n) === 1n) {
    return { kind: 'generated', index: payload >> 1n };
  }
  const randomBits = BigInt(liveRefRandomBits(length));
  return {
    kind: 'live',
    logicalShard: Number(payload >> (randomBits + 1n)),
    random: (payload >> 1n) & mask(Number(randomBits)),
  };
}

/** The code shown for a booking stored without one (made before references existed): its whole ID. */
export function fallbackBookingRef(id: string): string {
  if (!isId(id)) {
    throw new RangeError(`not an id: ${id}`);
  }
  return BOOKING_REF_PREFIX + toBase32(BigInt(id), FALLBACK_LENGTH);
}

/** The ID a fallback reference spells (`fallbackBookingRef` read back); null for any other text. */
export function idOfFallbackRef(ref: string): string | null {
  const body = ref.startsWith(BOOKING_REF_PREFIX) ? ref.slice(BOOKING_REF_PREFIX.length) : '';
  const value = body.length === FALLBACK_LENGTH ? fromBase32(body) : null;
  const id = value === null ? '' : value.toString();
  return isId(id) ? id : null;
}

/** The reference to show for a booking: its own, else the fallback derived from its ID. */
export function bookingRefOf(booking: { id: string; ref?: string | undefined }): string {
  return booking.ref ?? fallbackBookingRef(booking.id);
}

/**
 * A reference as a person typed it, in canonical form: capitals, no spaces or
 * dashes inside, the letters base32 readers confuse mapped (O to 0, I and L to
 * 1), the `LL-` prefix optional; null when it cannot be a reference.
 */
export function normalizeBookingRef(typed: string): string | null {
  const compact = typed.toUpperCase().replace(/[\s-]/g, '');
  const body = (compact.startsWith('LL') ? compact.slice(2) : compact)
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (body.length < MIN_BOOKING_REF_LENGTH || body.length > FALLBACK_LENGTH) {
    return null;
  }
  return /^[0-9A-HJKMNP-TV-Z]+$/.test(body) ? BOOKING_REF_PREFIX + body : null;
}
