import { describe, expect, it } from 'vitest';
import type { FleetDriver } from '@loadline/contracts';
import type { FleetBoard } from './fleet-board.port';

function driver(id: string, lat = 12.97): FleetDriver {
  return { id, lat, lng: 77.59, status: 'available', vehicleType: 'van' };
}

/** One behaviour for every FleetBoard adapter. */
export function describeFleetBoardContract(name: string, make: () => Promise<FleetBoard>): void {
  describe(`FleetBoard contract: ${name}`, () => {
    it('keeps the last entry per driver and lists them all', async () => {
      const board = await make();
      await board.upsert(driver('1', 1));
      await board.upsert(driver('2', 2));
      await board.upsert(driver('1', 3));
      const all = (await board.all()).sort((a, b) => a.id.localeCompare(b.id));
      expect(all).toEqual([driver('1', 3), driver('2', 2)]);
      await board.close();
    });

    it('hands out each change once, with the latest entry, and removals separately', async () => {
      const board = await make();
      await board.upsert(driver('1', 1));
      await board.upsert(driver('1', 2));
      await board.upsert(driver('2', 5));
      await board.remove('2');
      const first = await board.takeChanges();
      expect(first).toEqual({ changed: [driver('1', 2)], removed: ['2'] });
      expect(await board.takeChanges()).toEqual({ changed: [], removed: [] });
      expect(await board.all()).toEqual([driver('1', 2)]);
      await board.upsert(driver('2', 7));
      expect(await board.takeChanges()).toEqual({ changed: [driver('2', 7)], removed: [] });
      await board.close();
    });

    it('hands out a batch of 12,000 changed drivers whole', async () => {
      const board = await make();
      await Promise.all(
        Array.from({ length: 12_000 }, (_, index) => board.upsert(driver(String(index + 1)))),
      );
      const { changed } = await board.takeChanges();
      expect(changed).toHaveLength(12_000);
      expect(new Set(changed.map((entry) => entry.id)).size).toBe(12_000);
      await board.close();
    });

    it('an older position never moves a driver back, but its status still counts', async () => {
      const board = await make();
      await board.upsert(driver('1', 5), 2000);
      await board.upsert({ ...driver('1', 4), status: 'busy' }, 1000);
      const { changed } = await board.takeChanges();
      expect(changed).toEqual([{ ...driver('1', 5), status: 'busy' }]);
      expect(await board.all()).toEqual([{ ...driver('1', 5), status: 'busy' }]);
      await board.close();
    });

    it('once refilled (or never lost), hands out no refill claim', async () => {
      const board = await make();
      const token = await board.claimRefill(60_000);
      if (token !== null) {
        expect(await board.claimRefill(60_000)).toBeNull();
        await board.completeRefill(token);
      }
      expect(await board.claimRefill(60_000)).toBeNull();
      await board.close();
    });

    it('lets one caller lead per window', async () => {
      const board = await make();
      expect(await board.tryLead(60_000)).toBe(true);
      expect(await board.tryLead(60_000)).toBe(false);
      await board.close();
    });
  });
}
