import type { GeoPoint } from '../geo/geo-index.port';
import { maxIndexableLat } from '../geo/memory-geo-index';

/**
 * A member's facts as its owner module stores them, with what the geo index
 * needs to know of them: the set the member belongs to, and whether it is to be
 * in it now (`indexed`) or kept out.
 */
export interface LiveFacts {
  doc: string;
  set: string;
  indexed: boolean;
}

/** One position report of a member (a driver's location ping). */
export interface LivePing {
  member: string;
  /** When the position was taken (epoch ms): a position older than the stored one is refused. */
  at: number;
  /** The position document to store. */
  position: string;
  /** Where the geo index places the member; null when the position cannot be indexed. */
  point: GeoPoint | null;
  /** Every set the facts may name: the only ones a ping may touch. */
  sets: readonly string[];
  /** Pings allowed per member per fixed window; null when not limited. */
  rate: { limit: number; windowMs: number } | null;
  /** How long the stored position lives after this ping. */
  positionTtlMs: number;
}

export type LivePingResult =
  /** Beyond the rate: nothing was stored. */
  | { outcome: 'rate_limited'; retryAfterMs: number }
  /** No facts are stored: nothing but the rate counter changed; the owner reloads them and pings again. */
  | { outcome: 'no_facts' }
  /**
   * `accepted`: the position is stored and the member is in its set or out of
   * it as its facts say; `stale`: an older position, refused, nothing changed.
   */
  | { outcome: 'accepted' | 'stale'; facts: string };

/**
 * The live state of members that report positions often (drivers): their
 * facts, their last position, and their place in the geo index, with the hot
 * path (`ping`) as one atomic step: rate limit, refusal of a stale position,
 * the write, and the geo index as the facts read in that same step say (ADR
 * 0026). Everything here is a copy the owner can rebuild from its store of record.
 */
export interface LiveStateStore {
  ping(ping: LivePing): Promise<LivePingResult>;
  read(member: string): Promise<{ facts: string | null; position: string | null }>;
  readFacts(member: string): Promise<string | null>;
  readPositions(members: readonly string[]): Promise<(string | null)[]>;
  writeFacts(member: string, facts: LiveFacts, ttlMs: number): Promise<void>;
  forgetFacts(member: string): Promise<void>;
  /** Stores a position unless one is stored already (a ping's is newer than any seed). */
  seedPosition(member: string, at: number, position: string, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The ping's point if the geo index can hold it, else null (the member then
 * leaves its set): checked by every adapter, since GEOADD refuses polar
 * latitudes and a script that fails midway keeps its earlier writes.
 */
export function indexablePoint(ping: Pick<LivePing, 'point'>): GeoPoint | null {
  return ping.point !== null && Math.abs(ping.point.lat) <= maxIndexableLat ? ping.point : null;
}

/** A lifetime in whole milliseconds; RangeError unless positive (Redis refuses any other expiry). */
export function positiveTtlMs(ttlMs: number): number {
  const ms = Math.round(ttlMs);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new RangeError(`ttlMs must be positive, got ${ttlMs}`);
  }
  return ms;
}
