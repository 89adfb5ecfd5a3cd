import { describe, expect, it } from 'vitest';
import type { GeoIndex } from '../geo/geo-index.port';
import type { LiveFacts, LivePing, LiveStateStore } from './live-state.port';

const SETS = ['available:van', 'available:bike'] as const;
const HOUR_MS = 3_600_000;

function facts(indexed: boolean, set: string = SETS[0]): LiveFacts {
  return { doc: JSON.stringify({ indexed }), set, indexed };
}

function ping(member: string, at: number, overrides: Partial<LivePing> = {}): LivePing {
  return {
    member,
    at,
    position: JSON.stringify({ at }),
    point: { lat: 12.97, lng: 77.59 },
    sets: SETS,
    rate: null,
    positionTtlMs: HOUR_MS,
    ...overrides,
  };
}

export interface LiveStateFixture {
  store: LiveStateStore;
  /** The geo index the store's pings write (the same sets, read through the GeoIndex port). */
  geo: GeoIndex;
  close(): Promise<void>;
}

/** One behaviour for every LiveStateStore adapter. */
export function describeLiveStateContract(name: string, make: () => Promise<LiveStateFixture>): void {
  describe(`LiveStateStore contract: ${name}`, () => {
    it('a ping without stored facts changes nothing and says so', async () => {
      const { store, geo, close } = await make();
      expect(await store.ping(ping('1', 1000))).toEqual({ outcome: 'no_facts' });
      expect(await store.read('1')).toEqual({ facts: null, position: null });
      expect(await geo.position(SETS[0], '1')).toBeNull();
      await close();
    });

    it('an accepted ping stores the position and puts an indexed member in its set only', async () => {
      const { store, geo, close } = await make();
      await store.writeFacts('1', facts(true), HOUR_MS);
      expect(await store.ping(ping('1', 1000, { point: { lat: 12.5, lng: 77.5 } }))).toEqual({
        outcome: 'accepted',
        facts: facts(true).doc,
      });
      expect(await store.read('1')).toEqual({ facts: facts(true).doc, position: '{"at":1000}' });
      const indexed = await geo.position(SETS[0], '1');
      expect(indexed?.lat).toBeCloseTo(12.5, 4);
      expect(indexed?.lng).toBeCloseTo(77.5, 4);
      expect(await geo.position(SETS[1], '1')).toBeNull();
      await close();
    });

    it('a position older than the stored one is refused and moves nothing', async () => {
      const { store, geo, close } = await make();
      await store.writeFacts('1', facts(true), HOUR_MS);
      await store.ping(ping('1', 2000, { point: { lat: 12.5, lng: 77.5 } }));
      expect(await store.ping(ping('1', 1999, { point: { lat: 13.5, lng: 77.5 } }))).toEqual({
        outcome: 'stale',
        facts: facts(true).doc,
      });
      expect(await store.readPositions(['1', '2'])).toEqual(['{"at":2000}', null]);
      expect((await geo.position(SETS[0], '1'))?.lat).toBeCloseTo(12.5, 4);
      // The same time is not older: accepted.
      expect((await store.ping(ping('1', 2000))).outcome).toBe('accepted');
      await close();
    });

    it('a member whose facts say not indexed is kept out of its set', async () => {
      const { store, geo, close } = await make();
      await store.writeFacts('1', facts(true), HOUR_MS);
      await store.ping(ping('1', 1000));
      await store.writeFacts('1', facts(false), HOUR_MS);
      // Writers take a member out as they change its facts; the ping never puts it back.
      await geo.remove(SETS[0], '1');
      expect((await store.ping(ping('1', 2000))).outcome).toBe('accepted');
      expect(await geo.position(SETS[0], '1')).toBeNull();
      expect(await store.readFacts('1')).toBe(facts(false).doc);
      await close();
    });

    it('an indexed member reporting a position the index cannot hold leaves its set', async () => {
      const { store, geo, close } = await make();
      await store.writeFacts('1', facts(true), HOUR_MS);
      await store.ping(ping('1', 1000));
      expect((await store.ping(ping('1', 2000, { point: { lat: 89.9, lng: 77.5 } }))).outcome).toBe(
        'accepted',
      );
      expect(await geo.position(SETS[0], '1')).toBeNull();
      expect((await store.ping(ping('1', 3000, { point: null }))).outcome).toBe('accepted');
      expect(await geo.position(SETS[0], '1')).toBeNull();
      await close();
    });

    it('a set the ping does not name is never touched', async () => {
      const { store, geo, close } = await make();
      await store.writeFacts('1', facts(true, 'elsewhere'), HOUR_MS);
      expect((await store.ping(ping('1', 1000))).outcome).toBe('accepted');
      expect(await geo.position('elsewhere', '1')).toBeNull();
      await close();
    });

    it('limits pings per member per window, counting refused ones, and answers when the window ends', async () => {
      const { store, close } = await make();
      const rate = { limit: 2, windowMs: 60_000 };
      expect((await store.ping(ping('1', 1000, { rate }))).outcome).toBe('no_facts');
      await store.writeFacts('1', facts(false), HOUR_MS);
      expect((await store.ping(ping('1', 2000, { rate }))).outcome).toBe('accepted');
      const limited = await store.ping(ping('1', 3000, { rate }));
      expect(limited.outcome).toBe('rate_limited');
      if (limited.outcome === 'rate_limited') {
        expect(limited.retryAfterMs).toBeGreaterThan(0);
        expect(limited.retryAfterMs).toBeLessThanOrEqual(60_000);
      }
      expect(await store.readPositions(['1'])).toEqual(['{"at":2000}']);
      // Other members have their own window; a ping without a rate is not counted.
      expect((await store.ping(ping('2', 1000, { rate }))).outcome).toBe('no_facts');
      expect((await store.ping(ping('1', 4000))).outcome).toBe('accepted');
      await close();
    });

    it('a seed never replaces a stored position, and forgotten facts are gone', async () => {
      const { store, close } = await make();
      await store.seedPosition('1', 500, '{"at":500}', HOUR_MS);
      await store.seedPosition('1', 900, '{"at":900}', HOUR_MS);
      await store.writeFacts('1', facts(false), HOUR_MS);
      // The seed counts as the stored position: an older ping is refused.
      expect((await store.ping(ping('1', 400))).outcome).toBe('stale');
      expect(await store.read('1')).toEqual({ facts: facts(false).doc, position: '{"at":500}' });
      await store.forgetFacts('1');
      expect(await store.readFacts('1')).toBeNull();
      expect((await store.ping(ping('1', 1000))).outcome).toBe('no_facts');
      await close();
    });
  });
}
