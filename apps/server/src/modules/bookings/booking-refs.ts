import { randomBytes } from 'node:crypto';
import {
  encodeBookingRef,
  liveRefRandomBits,
  MAX_BOOKING_REF_LENGTH,
  MIN_BOOKING_REF_LENGTH,
} from '@loadline/contracts';

/**
 * Minting booking references (the format is the contracts' `booking-ref.ts`,
 * the reasons ADR 0020). A live code is its logical shard and random bits; the
 * shard's unique index on `bookings.ref` catches the rare repeat, and the
 * booking is written again with a new code.
 */

/** The code for a live booking on `logicalShard`, for the `attempt`-th try (0 first). */
export type RefMinter = (logicalShard: number, attempt: number) => string;

/** Tries at one length before the next is one character longer: repeats mean the shorter codes are crowded. */
const TRIES_PER_LENGTH = 3;
/** Tries before giving up (three lengths): with 22 random bits at the shortest, never reached in practice. */
export const REF_ATTEMPTS = 3 * TRIES_PER_LENGTH;

/** The code length of the `attempt`-th try: the shortest first, one longer after every few repeats. */
export function refLength(attempt: number): number {
  return Math.min(MAX_BOOKING_REF_LENGTH, MIN_BOOKING_REF_LENGTH + Math.floor(attempt / TRIES_PER_LENGTH));
}

/** Mints from the operating system's random numbers. */
export const randomRef: RefMinter = (logicalShard, attempt) => {
  const length = refLength(attempt);
  const bits = liveRefRandomBits(length);
  const random = randomBytes(8).readBigUInt64BE() & ((1n << BigInt(bits)) - 1n);
  return encodeBookingRef({ kind: 'live', logicalShard, random }, length);
};

/**
 * The code of the generated booking with generation index `index` (unique
 * across every generation job of the deployment, so its code is too): the
 * shortest that holds it, 34 bits at 7 characters.
 */
export function generatedRef(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new RangeError(`not a generation index: ${index}`);
  }
  const value = BigInt(index);
  let length = MIN_BOOKING_REF_LENGTH;
  while (value >= 1n << BigInt(length * 5 - 1)) {
    length += 1;
  }
  return encodeBookingRef({ kind: 'generated', index: value }, length);
}
