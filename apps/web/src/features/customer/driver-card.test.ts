import { describe, expect, it } from 'vitest';
import { initials, telHref } from './driver-card';

describe('driver card', () => {
  it('takes the initials of the first and last names', () => {
    expect(initials('Ravi Kumar')).toBe('RK');
    expect(initials('  ravi   kumar  singh ')).toBe('RS');
    expect(initials('Ravi')).toBe('R');
    expect(initials('   ')).toBe('?');
  });

  it('calls the digits of a loosely written number', () => {
    expect(telHref('+91 98450 12345')).toBe('tel:+919845012345');
    expect(telHref('(080) 2345-6789')).toBe('tel:08023456789');
  });
});
