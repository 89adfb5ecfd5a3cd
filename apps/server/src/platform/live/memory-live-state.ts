import { systemClock, type Clock } from '../../lib/clock';
import type { GeoIndex } from '../geo/geo-index.port';
import {
  indexablePoint,
  positiveTtlMs,
  type LiveFacts,
  type LivePing,
  type LivePingResult,
  type LiveStateStore,
} from './live-state.port';

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

/**
 * Embedded mode: the live state in this process's memory, with the geo index
 * of the same process. A ping runs without yielding between its reads and its
 * writes (the in-process geo index applies a change as it is called), so it is
 * as atomic as the Redis script. Entries hold one member each and expire when
 * next touched.
 */
export class MemoryLiveState implements LiveStateStore {
  private readonly facts = new Map<string, Expiring<LiveFacts>>();
  private readonly positions = new Map<string, Expiring<{ at: number; doc: string }>>();
  private readonly counters = new Map<string, Expiring<number>>();
  private closed = false;

  constructor(
    private readonly geo: GeoIndex,
    private readonly clock: Clock = systemClock,
  ) {}

  async ping(ping: LivePing): Promise<LivePingResult> {
    this.assertOpen();
    const now = this.clock.now();
    if (ping.rate !== null) {
      const counter = live(this.counters, ping.member, now) ?? {
        value: 0,
        expiresAt: now + ping.rate.windowMs,
      };
      counter.value += 1;
      this.counters.set(ping.member, counter);
      if (counter.value > ping.rate.limit) {
        return { outcome: 'rate_limited', retryAfterMs: counter.expiresAt - now };
      }
    }
    const facts = live(this.facts, ping.member, now)?.value;
    if (facts === undefined) {
      return { outcome: 'no_facts' };
    }
    const stored = live(this.positions, ping.member, now)?.value;
    if (stored !== undefined && ping.at < stored.at) {
      return { outcome: 'stale', facts: facts.doc };
    }
    this.positions.set(ping.member, {
      value: { at: ping.at, doc: ping.position },
      expiresAt: now + positiveTtlMs(ping.positionTtlMs),
    });
    if (ping.sets.includes(facts.set)) {
      const point = indexablePoint(ping);
      await (facts.indexed && point !== null
        ? this.geo.upsert(facts.set, ping.member, point)
        : this.geo.remove(facts.set, ping.member));
    }
    return { outcome: 'accepted', facts: facts.doc };
  }

  read(member: string): Promise<{ facts: string | null; position: string | null }> {
    return this.run(() => {
      const now = this.clock.now();
      return {
        facts: live(this.facts, member, now)?.value.doc ?? null,
        position: live(this.positions, member, now)?.value.doc ?? null,
      };
    });
  }

  readFacts(member: string): Promise<string | null> {
    return this.run(() => live(this.facts, member, this.clock.now())?.value.doc ?? null);
  }

  readPositions(members: readonly string[]): Promise<(string | null)[]> {
    return this.run(() => {
      const now = this.clock.now();
      return members.map((member) => live(this.positions, member, now)?.value.doc ?? null);
    });
  }

  writeFacts(member: string, facts: LiveFacts, ttlMs: number): Promise<void> {
    return this.run(() => {
      this.facts.set(member, { value: { ...facts }, expiresAt: this.clock.now() + positiveTtlMs(ttlMs) });
    });
  }

  forgetFacts(member: string): Promise<void> {
    return this.run(() => {
      this.facts.delete(member);
    });
  }

  seedPosition(member: string, at: number, position: string, ttlMs: number): Promise<void> {
    return this.run(() => {
      const now = this.clock.now();
      if (live(this.positions, member, now) === undefined) {
        this.positions.set(member, { value: { at, doc: position }, expiresAt: now + positiveTtlMs(ttlMs) });
      }
    });
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private run<T>(work: () => T): Promise<T> {
    try {
      this.assertOpen();
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new Error('live state is closed');
    }
  }
}

/** The member's entry unless it has expired (then it is dropped). */
function live<T>(entries: Map<string, Expiring<T>>, member: string, now: number): Expiring<T> | undefined {
  const entry = entries.get(member);
  if (entry !== undefined && entry.expiresAt <= now) {
    entries.delete(member);
    return undefined;
  }
  return entry;
}
