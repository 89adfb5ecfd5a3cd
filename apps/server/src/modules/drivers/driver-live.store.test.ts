import { describe, expect, it } from 'vitest';
import { MemoryGeoIndex } from '../../platform/geo/memory-geo-index';
import { MemoryLiveState } from '../../platform/live/memory-live-state';
import { availableDriversSet } from './available-drivers';
import { DriverLiveStore } from './driver-live.store';

const HOUR_MS = 3_600_000;

describe('the cached driver facts', () => {
  it('are written with the active trip under its stored key, activeJob, and the set they keep the driver out of', async () => {
    const state = new MemoryLiveState(new MemoryGeoIndex());
    const store = new DriverLiveStore(state);
    await store.writeFacts('42', {
      vehicleType: 'van',
      online: true,
      suspended: false,
      activeTrip: { bookingId: '7', customerId: '9' },
    });
    expect(await state.readFacts('42')).toBe(
      '{"vehicleType":"van","online":true,"suspended":false,"activeJob":{"bookingId":"7","customerId":"9"}}',
    );
  });

  it('read an entry stored with activeJob as the active trip, and a free driver as none', async () => {
    const state = new MemoryLiveState(new MemoryGeoIndex());
    const store = new DriverLiveStore(state);
    await state.writeFacts(
      '42',
      {
        doc: '{"vehicleType":"bike","online":true,"suspended":false,"activeJob":{"bookingId":"7","customerId":null}}',
        set: availableDriversSet('bike'),
        indexed: false,
      },
      HOUR_MS,
    );
    await state.writeFacts(
      '43',
      {
        doc: '{"vehicleType":"bike","online":false,"suspended":true,"activeJob":null}',
        set: availableDriversSet('bike'),
        indexed: false,
      },
      HOUR_MS,
    );
    expect(await store.readFacts('42')).toEqual({
      vehicleType: 'bike',
      online: true,
      suspended: false,
      activeTrip: { bookingId: '7', customerId: null },
    });
    expect(await store.readFacts('43')).toEqual({
      vehicleType: 'bike',
      online: false,
      suspended: true,
      activeTrip: null,
    });
  });

  it('a ping judged by unreadable facts asks for a reload instead of trusting them', async () => {
    const geo = new MemoryGeoIndex();
    const state = new MemoryLiveState(geo);
    const store = new DriverLiveStore(state);
    await state.writeFacts(
      '42',
      { doc: '{"vehicleType":"tank"}', set: availableDriversSet('van'), indexed: true },
      HOUR_MS,
    );
    const position = { lat: 12.97, lng: 77.59, heading: null, speedKmh: null, at: 1000 };
    expect(await store.ping('42', position, { lat: 12.97, lng: 77.59 }, null)).toEqual({
      outcome: 'no_facts',
    });
  });

  it('only an online, free, unsuspended driver is put in its available set by a ping', async () => {
    const geo = new MemoryGeoIndex();
    const store = new DriverLiveStore(new MemoryLiveState(geo));
    const position = { lat: 12.97, lng: 77.59, heading: null, speedKmh: null, at: 1000 };
    const point = { lat: 12.97, lng: 77.59 };
    const free = { vehicleType: 'van', online: true, suspended: false, activeTrip: null } as const;
    await store.writeFacts('1', free);
    await store.writeFacts('2', { ...free, suspended: true });
    await store.writeFacts('3', { ...free, activeTrip: { bookingId: '9', customerId: '8' } });
    await store.writeFacts('4', { ...free, online: false });
    for (const id of ['1', '2', '3', '4']) {
      expect((await store.ping(id, position, point, null)).outcome).toBe('accepted');
    }
    const hits = await geo.nearby(availableDriversSet('van'), point, 1, 10);
    expect(hits.map((hit) => hit.member)).toEqual(['1']);
  });

  it('pings judge by the facts stored now, parsed once per distinct text and shared read-only', async () => {
    const store = new DriverLiveStore(new MemoryLiveState(new MemoryGeoIndex()));
    const position = { lat: 12.97, lng: 77.59, heading: null, speedKmh: null, at: 1000 };
    const point = { lat: 12.97, lng: 77.59 };
    const free = { vehicleType: 'van', online: true, suspended: false, activeTrip: null } as const;
    await store.writeFacts('1', free);
    await store.writeFacts('2', free);
    const first = await store.ping('1', position, point, null);
    const second = await store.ping('2', position, point, null);
    if (first.outcome !== 'accepted' || second.outcome !== 'accepted') {
      throw new Error('both pings should be accepted');
    }
    expect(second.facts).toBe(first.facts);
    expect(Object.isFrozen(first.facts)).toBe(true);

    await store.writeFacts('1', { ...free, activeTrip: { bookingId: '9', customerId: '8' } });
    const busy = await store.ping('1', { ...position, at: 2000 }, point, null);
    expect(busy).toEqual({
      outcome: 'accepted',
      facts: { ...free, activeTrip: { bookingId: '9', customerId: '8' } },
    });
    await store.writeFacts('1', free);
    expect(await store.ping('1', { ...position, at: 3000 }, point, null)).toEqual({
      outcome: 'accepted',
      facts: free,
    });
  });
});
