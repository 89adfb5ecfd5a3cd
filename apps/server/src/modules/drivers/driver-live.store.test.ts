import { describe, expect, it } from 'vitest';
import { MemoryCache } from '../../platform/cache/memory-cache';
import { DriverLiveStore, factsKey } from './driver-live.store';

describe('the cached driver facts', () => {
  it('are written with the active trip under its stored key, activeJob', async () => {
    const cache = new MemoryCache();
    const store = new DriverLiveStore(cache);
    await store.writeFacts('42', {
      vehicleType: 'van',
      online: true,
      suspended: false,
      activeTrip: { bookingId: '7', customerId: '9' },
    });
    expect(await cache.get(factsKey('42'))).toBe(
      '{"vehicleType":"van","online":true,"suspended":false,"activeJob":{"bookingId":"7","customerId":"9"}}',
    );
  });

  it('read an entry stored with activeJob as the active trip, and a free driver as none', async () => {
    const cache = new MemoryCache();
    const store = new DriverLiveStore(cache);
    await cache.set(
      factsKey('42'),
      '{"vehicleType":"bike","online":true,"suspended":false,"activeJob":{"bookingId":"7","customerId":null}}',
      60,
    );
    await cache.set(
      factsKey('43'),
      '{"vehicleType":"bike","online":false,"suspended":true,"activeJob":null}',
      60,
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
});
