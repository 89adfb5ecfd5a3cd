import { describe, expect, it } from 'vitest';
import { Password, Phone } from './auth';

describe('auth field patterns', () => {
  const phone = new RegExp(Phone.pattern ?? '', 'u');
  const password = new RegExp(Password.pattern ?? '', 'u');

  it('phone numbers: E.164 or loosely written digits, 6 to 15 of them', () => {
    for (const good of ['+919876543210', '+91 98765-43210', '(080) 2345 6789', '080-23456789', '123456']) {
      expect(phone.test(good), good).toBe(true);
    }
    for (const bad of [
      '------',
      '((((((',
      '+',
      '12345',
      '1234567890123456',
      'call me',
      '+91 98765 4321x',
      ' 123456',
    ]) {
      expect(phone.test(bad), bad).toBe(false);
    }
  });

  it('a password of only white space is refused', () => {
    expect(password.test('        ')).toBe(false);
    expect(password.test('\t\t\t\t\t\t\t\t')).toBe(false);
    expect(password.test('correct horse')).toBe(true);
  });
});
