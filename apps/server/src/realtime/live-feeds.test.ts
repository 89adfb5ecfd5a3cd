import { describe, expect, it } from 'vitest';
import type { Overview } from '@loadline/contracts';
import { ManualClock } from '../lib/clock';
import { createLogger } from '../lib/logger';
import { MemoryCache } from '../platform/cache/memory-cache';
import { MemoryFleetBoard } from '../platform/fleet/memory-fleet-board';
import { RecordingSink } from '../platform/realtime/realtime-sink.port';
import { LiveFeeds } from './live-feeds';

const OVERVIEW: Overview = {
  onlineDrivers: 3,
  activeBookings: 1,
  searchingBookings: 0,
  completedToday: 2,
  avgTripMinutes: 12.5,
  avgPickupWaitMinutes: 4,
  acceptanceRate: 0.5,
  cancellationRate: 0,
  expiredToday: 1,
  expiredRate: 0.333,
};

function feeds(present: { value: boolean }) {
  const sink = new RecordingSink();
  let computed = 0;
  const live = new LiveFeeds({
    board: new MemoryFleetBoard(new ManualClock()),
    cache: new MemoryCache(),
    sink,
    clock: new ManualClock(),
    overview: () => {
      computed += 1;
      return Promise.resolve(OVERVIEW);
    },
    adminsPresent: () => Promise.resolve(present.value),
    logger: createLogger('silent'),
  });
  return { live, sink, computed: () => computed };
}

describe('admin live feeds', () => {
  it('computes no overview while no admin is connected, and pushes it once one is', async () => {
    const present = { value: false };
    const { live, sink, computed } = feeds(present);
    expect(await live.pushMetrics()).toBe(false);
    expect(computed()).toBe(0);
    expect(sink.delivered).toEqual([]);

    present.value = true;
    expect(await live.pushMetrics()).toBe(true);
    expect(computed()).toBe(1);
    expect(sink.delivered).toEqual([{ rooms: ['admin'], event: 'metrics', data: OVERVIEW }]);
  });
});
