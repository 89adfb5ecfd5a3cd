import type { FleetDriver } from '@loadline/contracts';
import { describe, expect, it } from 'vitest';
import { fleetRows, shortId } from './fleet-list';

const at = { lat: 12.97, lng: 77.59, vehicleType: 'van' } as const;

describe('fleet list', () => {
  it('lists busy drivers first, then available, then offline, by ID within each', () => {
    const fleet: FleetDriver[] = [
      { id: '30', status: 'offline', ...at },
      { id: '20', status: 'available', ...at },
      { id: '12', status: 'busy', ...at },
      { id: '10', status: 'available', ...at },
      { id: '11', status: 'busy', ...at },
    ];
    expect(fleetRows(fleet).map((driver) => driver.id)).toEqual(['11', '12', '10', '20', '30']);
  });

  it('a short ID is the last six digits', () => {
    expect(shortId('386888192871130112')).toBe('…130112');
  });
});
