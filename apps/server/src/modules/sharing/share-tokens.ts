import { hash, randomBytes } from 'node:crypto';
import { LOGICAL_SHARDS } from '../../platform/db/ids';

/** 128 random bits: 22 base64url characters. */
const RANDOM_BYTES = 16;
const TOKEN_SHAPE = /^([0-9a-z]{1,4})\.([A-Za-z0-9_-]{22})$/;

export interface ShareToken {
  token: string;
  /** What is stored and compared: SHA-256 of the whole token, base64url. */
  hash: string;
  /** The booking's logical shard, which the token names so that a lookup reads one shard. */
  logicalShard: number;
}

export function hashShareToken(token: string): string {
  return hash('sha256', token, 'base64url');
}

/**
 * A new token for a booking on `logicalShard`: the shard in base 36, a dot,
 * then the random part (ADR 0022). The shard is not secret (any booking ID
 * carries one); the random part is what an attacker would have to guess.
 */
export function mintShareToken(logicalShard: number): ShareToken {
  const token = `${logicalShard.toString(36)}.${randomBytes(RANDOM_BYTES).toString('base64url')}`;
  return { token, hash: hashShareToken(token), logicalShard };
}

/** The token's parts, or null when it cannot be one of ours (so no shard is read for it). */
export function parseShareToken(token: string): ShareToken | null {
  const match = TOKEN_SHAPE.exec(token);
  if (match?.[1] === undefined) {
    return null;
  }
  const logicalShard = Number.parseInt(match[1], 36);
  if (logicalShard >= LOGICAL_SHARDS) {
    return null;
  }
  return { token, hash: hashShareToken(token), logicalShard };
}
