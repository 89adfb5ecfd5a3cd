import { describe, expect, it } from 'vitest';
import { VEHICLES } from '../../domain/vehicles';
import { checkGoods, parseWeight, tooSmall } from './capacity';

describe('checkGoods', () => {
  it('no goods at all is fine and sends nothing', () => {
    expect(checkGoods('  ', '', 'van')).toEqual({
      goods: null,
      weightKg: null,
      descriptionError: null,
      weightError: null,
      larger: null,
      overCapacity: false,
      valid: true,
    });
  });

  it('goods within the capacity are sent trimmed', () => {
    expect(checkGoods(' 12 cartons of books ', '120', 'van')).toEqual({
      goods: { description: '12 cartons of books', weightKg: 120 },
      weightKg: 120,
      descriptionError: null,
      weightError: null,
      larger: null,
      overCapacity: false,
      valid: true,
    });
    expect(checkGoods('a fridge', '750', 'van').valid).toBe(true);
  });

  it('goods heavier than the vehicle carries name the smallest vehicle that does', () => {
    const check = checkGoods('12 cartons of books', '900', 'van');
    expect(check.weightError).toBe('A van carries up to 750 kg. For 900 kg choose a mini truck or larger.');
    expect(check.larger).toEqual({ type: 'mini_truck', label: 'Mini truck', capacityKg: 1500 });
    expect(check.overCapacity).toBe(true);
    expect(check.valid).toBe(false);
    expect(check.goods).toBeNull();
    expect(checkGoods('documents', '21', 'bike').weightError).toBe(
      'A bike carries up to 20 kg. For 21 kg choose a van or larger.',
    );
  });

  it('goods heavier than any vehicle ask for several bookings and suggest none', () => {
    const check = checkGoods('steel beams', '12000', 'truck');
    expect(check.weightError).toBe(
      `${(12_000).toLocaleString()} kg is more than any vehicle carries (${(10_000).toLocaleString()} kg at most): split the load into several bookings.`,
    );
    expect(check.larger).toBeNull();
    expect(check.overCapacity).toBe(false);
    expect(check.valid).toBe(false);
  });

  it('a weight without a description, or a description without a weight, is incomplete', () => {
    const noDescription = checkGoods('', '50', 'van');
    expect(noDescription.descriptionError).toBe('Say what you are sending, e.g. "12 cartons of books".');
    expect(noDescription.weightError).toBeNull();
    expect(noDescription.valid).toBe(false);
    const noWeight = checkGoods('books', ' ', 'van');
    expect(noWeight.weightError).toBe('Enter the approximate weight in kg.');
    expect(noWeight.valid).toBe(false);
  });

  it('a weight that is not a positive number is refused', () => {
    for (const text of ['0', '-5', 'abc', 'Infinity']) {
      expect(checkGoods('books', text, 'van').weightError, text).toBe(
        'Enter the weight in kg as a number, e.g. 120.',
      );
    }
  });
});

describe('parseWeight and tooSmall', () => {
  it('reads positive finite weights only', () => {
    expect(parseWeight(' 12.5 ')).toBe(12.5);
    expect(parseWeight('')).toBeNull();
    expect(parseWeight('0')).toBeNull();
    expect(parseWeight('NaN')).toBeNull();
  });

  it('marks the vehicles a typed weight does not fit', () => {
    expect(VEHICLES.filter((v) => tooSmall(v, 800)).map((v) => v.type)).toEqual(['bike', 'van']);
    expect(VEHICLES.filter((v) => tooSmall(v, null))).toEqual([]);
  });
});
