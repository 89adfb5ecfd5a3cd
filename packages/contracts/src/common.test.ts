import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decimalUpTo, Id, isId, MAX_ID, Text } from './common';

describe('decimalUpTo', () => {
  it('matches exactly the decimals from 1 to the bound', () => {
    for (const max of ['1', '9', '10', '47', '100', '305', '999', '1000', '2019']) {
      const pattern = new RegExp(decimalUpTo(max));
      for (let value = 0; value <= Number(max) + 50; value += 1) {
        expect(pattern.test(String(value)), `${value} against 1..${max}`).toBe(
          value >= 1 && value <= Number(max),
        );
      }
    }
  });

  it('bounds IDs at 2^63-1', () => {
    const pattern = new RegExp(decimalUpTo(MAX_ID));
    expect(MAX_ID).toBe(String(2n ** 63n - 1n));
    expect(pattern.test('9223372036854775807')).toBe(true);
    expect(pattern.test('9223372036854775808')).toBe(false);
    expect(pattern.test('9999999999999999999')).toBe(false);
    expect(pattern.test('10000000000000000000')).toBe(false);
    expect(pattern.test('0')).toBe(false);
    expect(pattern.test('0123')).toBe(false);
    expect(pattern.test('-1')).toBe(false);
    expect(pattern.test('386581341617207296')).toBe(true);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n }), (value) => {
        expect(pattern.test(value.toString())).toBe(value >= 1n && value <= 2n ** 63n - 1n);
      }),
    );
  });
});

describe('isId', () => {
  it('accepts exactly what the Id schema accepts: 1 .. 2^63-1 in decimal', () => {
    expect(Id.pattern).toBe(decimalUpTo(MAX_ID));
    expect(['1', '386581341617207296', '9223372036854775807'].map(isId)).toEqual([true, true, true]);
    expect(['0', '01', '-1', '12a', ' 1', '9223372036854775808', '10000000000000000000'].map(isId)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n }), (value) => {
        expect(isId(value.toString())).toBe(value >= 1n && value <= 2n ** 63n - 1n);
      }),
    );
  });
});

describe('Text', () => {
  const visible = new RegExp(Text({ maxLength: 50, required: true }).pattern ?? '', 'u');
  const optional = new RegExp(Text({ maxLength: 50 }).pattern ?? '', 'u');
  const multiline = new RegExp(Text({ maxLength: 50, required: true, multiline: true }).pattern ?? '', 'u');

  it('needs a visible character when required', () => {
    expect(visible.test('Asha')).toBe(true);
    expect(visible.test('  Asha Rao ')).toBe(true);
    expect(visible.test('Zoë Ångström')).toBe(true);
    expect(visible.test('   ')).toBe(false);
    expect(visible.test('\u00a0\u2003')).toBe(false);
    expect(visible.test('')).toBe(false);
    expect(optional.test('')).toBe(true);
  });

  it('refuses control characters; multi-line text keeps line breaks and tabs', () => {
    for (const text of ['a\u0000b', 'a\u0007', 'a\u001b[31m', 'a\u007f', 'a\nb']) {
      expect(visible.test(text), JSON.stringify(text)).toBe(false);
      expect(optional.test(text), JSON.stringify(text)).toBe(false);
    }
    expect(multiline.test('two boxes\nfragile\tup')).toBe(true);
    expect(multiline.test('a\r\nb')).toBe(true);
    expect(multiline.test('a\u0000b')).toBe(false);
    expect(multiline.test('a\u000bb')).toBe(false);
  });
});
