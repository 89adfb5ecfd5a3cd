import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { StoredJson } from './message-kind';

describe('formats in checked JSON', () => {
  const kind = new StoredJson(
    'formats',
    Type.Object({
      day: Type.String({ format: 'date' }),
      at: Type.String({ format: 'date-time' }),
      email: Type.String({ format: 'email' }),
    }),
  );
  const good = { day: '2026-02-28', at: '2026-02-28T10:00:00.000Z', email: 'ops@example.com' };

  it('reads back what it wrote, every format the contracts use included', () => {
    expect(kind.read(kind.write(good))).toEqual(good);
  });

  it('refuses a value that breaks a format, naming where', () => {
    for (const [field, value] of [
      ['day', '2026-02-29'],
      ['day', '2026-2-1'],
      ['at', 'yesterday'],
      ['email', 'ops@'],
    ] as const) {
      expect(() => kind.read(JSON.stringify({ ...good, [field]: value }))).toThrow(`/${field}`);
      expect(kind.readCached(JSON.stringify({ ...good, [field]: value }))).toBeNull();
    }
    expect(kind.readCached('{not json')).toBeNull();
  });
});
