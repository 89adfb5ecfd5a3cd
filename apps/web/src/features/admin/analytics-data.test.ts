import { describe, expect, it } from 'vitest';
import { reasonRows, reasonSummary } from './analytics-data';

describe('failed stop reasons', () => {
  it('lists every reason in the contract order, zero where the answer has none', () => {
    expect(reasonRows([{ reason: 'damaged', count: 2 }])).toEqual([
      { reason: 'recipient_absent', label: 'Recipient absent', count: 0 },
      { reason: 'refused', label: 'Refused', count: 0 },
      { reason: 'address_not_found', label: 'Address not found', count: 0 },
      { reason: 'damaged', label: 'Damaged', count: 2 },
      { reason: 'other', label: 'Other', count: 0 },
    ]);
  });

  it("sums up a driver's failures most first, without the reasons that have none", () => {
    expect(
      reasonSummary([
        { reason: 'recipient_absent', count: 1 },
        { reason: 'refused', count: 3 },
        { reason: 'address_not_found', count: 0 },
        { reason: 'damaged', count: 1 },
        { reason: 'other', count: 0 },
      ]),
    ).toBe('Refused\u00a03 · Recipient absent\u00a01 · Damaged\u00a01');
    expect(reasonSummary([])).toBe('');
  });
});
