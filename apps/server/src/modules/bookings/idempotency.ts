import { createHash } from 'node:crypto';
import { Booking } from '@loadline/contracts';
import type { Clock } from '../../lib/clock';
import { errors } from '../../lib/errors';
import { StoredJson } from '../../lib/message-kind';
import type { Executor } from '../../platform/db/shard-pool';
import type { BookingsRepository } from './bookings.repository';

/** How long a key holds: the contract promises 24 h. */
const WINDOW_MS = 24 * 3600_000;

/** The first answer, kept with its key. */
const STORED_ANSWER = new StoredJson('idempotency_keys.response', Booking);

/** A creation that carries an `Idempotency-Key`: the key and the request it was first used with. */
export interface IdempotentRequest {
  customerId: string;
  key: string;
  requestHash: string;
}

/**
 * `Idempotency-Key` for booking creation: the same key and body within 24 h
 * answer the first booking; the same key with another body is 409. The key row
 * commits in the booking's own transaction, so a key never names a booking that
 * does not exist, and two racing requests with one key cannot both create one.
 */
export class IdempotencyKeys {
  constructor(private readonly deps: { bookings: BookingsRepository; clock: Clock }) {}

  request(customerId: string, key: string | undefined, body: unknown): IdempotentRequest | null {
    return key === undefined ? null : { customerId, key, requestHash: hashRequest(body) };
  }

  /** The first answer for this key, or null when the key is new (or older than the window). */
  async replay(db: Executor, request: IdempotentRequest): Promise<Booking | null> {
    const { bookings, clock } = this.deps;
    const stored = await bookings.findIdempotencyKey(db, request.customerId, request.key);
    if (stored === undefined) {
      return null;
    }
    if (stored.created_at < clock.now() - WINDOW_MS) {
      await bookings.deleteIdempotencyKey(db, request.customerId, request.key);
      return null;
    }
    if (stored.request_hash !== request.requestHash) {
      throw errors.conflict(
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request.',
      );
    }
    return STORED_ANSWER.read(stored.response);
  }

  /** Records the answer inside the transaction that creates the booking. */
  async remember(trx: Executor, request: IdempotentRequest, booking: Booking, now: number): Promise<void> {
    await this.deps.bookings.insertIdempotencyKey(trx, {
      user_id: request.customerId,
      idem_key: request.key,
      request_hash: request.requestHash,
      status_code: 201,
      response: STORED_ANSWER.write(booking),
      created_at: now,
    });
  }
}

function hashRequest(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** JSON with keys sorted and undefined members dropped, so equal bodies hash alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
