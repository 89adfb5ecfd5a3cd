import { describe, expect, it } from 'vitest';
import type { FleetDriver, Overview } from '@loadline/contracts';
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
  const clock = new ManualClock();
  const board = new MemoryFleetBoard(clock);
  let computed = 0;
  const live = new LiveFeeds({
    board,
    cache: new MemoryCache(),
    sink,
    clock,
    overview: () => {
      computed += 1;
      return Promise.resolve(OVERVIEW);
    },
    adminsPresent: () => Promise.resolve(present.value),
    logger: createLogger('silent'),
  });
  return { live, sink, board, clock, computed: () => computed };
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

  it('moves no fleet batch while no admin is connected, and sends what changed meanwhile once one is', async () => {
    const present = { value: false };
    const { live, sink, board, clock } = feeds(present);
    const moved: FleetDriver = { id: '7', lat: 12.97, lng: 77.59, status: 'available', vehicleType: 'van' };
    await board.upsert({ ...moved, lat: 12.9 }, 1);
    await board.upsert(moved, 2);
    await board.upsert({ id: '8', lat: 12.8, lng: 77.5, status: 'available', vehicleType: 'bike' }, 1);
    await board.remove('8');
    expect(await live.pushFleet()).toBe(false);
    expect(sink.delivered).toEqual([]);

    // Nor did it take the window's lead: the first batch goes out without waiting for the window to pass.
    present.value = true;
    expect(await live.pushFleet()).toBe(true);
    expect(sink.delivered).toEqual([
      {
        rooms: ['fleet'],
        event: 'fleetUpdate',
        data: { at: new Date(clock.now()).toISOString(), full: false, drivers: [moved], removed: ['8'] },
      },
    ]);
  });
});
