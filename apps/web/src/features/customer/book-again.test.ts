import { describe, expect, it } from 'vitest';
import { againPath, parseAgain } from './book-again';

describe('book again links', () => {
  it('round-trip a booking and the wish to schedule', () => {
    expect(againPath('386581341617207296')).toBe('/customer?again=386581341617207296');
    expect(againPath('42', { schedule: true })).toBe('/customer?again=42&schedule=1');
    expect(parseAgain('?again=42&schedule=1')).toEqual({ bookingId: '42', schedule: true });
    expect(parseAgain('?again=386581341617207296')).toEqual({
      bookingId: '386581341617207296',
      schedule: false,
    });
  });

  it('ignores anything that is not a booking ID', () => {
    expect(parseAgain('')).toBeNull();
    expect(parseAgain('?again=')).toBeNull();
    expect(parseAgain('?again=abc')).toBeNull();
    expect(parseAgain('?again=-1')).toBeNull();
    expect(parseAgain('?again=99999999999999999999')).toBeNull();
  });
});
