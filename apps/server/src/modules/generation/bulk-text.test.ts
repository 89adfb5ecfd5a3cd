import { describe, expect, it } from 'vitest';
import { lookupRow, userRow } from '../users/user-rows';
import { layoutOf, lookupsLayout, tsvLine, usersLayout } from './bulk-text';

const user = userRow({
  id: '1234567890123',
  email: 'a.b.1@example.com',
  passwordHash: '!unusable',
  name: 'Tab\there, back\\slash',
  phone: null,
  role: 'customer',
  status: 'active',
  createdAt: 1_700_000_000_000,
});
const lookup = lookupRow('email', 'a.b.1@example.com', '1234567890123', 1_700_000_000_000);

describe('LOAD DATA lines', () => {
  it('writes the rows the live factories build field by field, as the generic line would', () => {
    const users = usersLayout(user);
    const lookups = lookupsLayout(lookup);
    // The field-by-field layouts are single objects; a generic layout is made anew for each call.
    expect(usersLayout(user)).toBe(users);
    expect(lookupsLayout(lookup)).toBe(lookups);
    expect(users.columns).toEqual(Object.keys(user));
    expect(lookups.columns).toEqual(Object.keys(lookup));
    expect(users.line(user)).toBe(tsvLine(user, layoutOf(user)));
    expect(users.line(user)).toBe(
      '1234567890123\ta.b.1@example.com\t!unusable\tTab\\there, back\\\\slash\t\\N\tcustomer\tactive\t' +
        '1700000000000\t1700000000000\n',
    );
    expect(lookups.line(lookup)).toBe(tsvLine(lookup, layoutOf(lookup)));
  });

  it('falls back to the generic line for rows of another shape', () => {
    const wider = { ...user, nickname: 'x' };
    const layout = usersLayout(wider);
    expect(usersLayout(wider)).not.toBe(layout);
    expect(layout.columns).toEqual(Object.keys(wider));
    expect(layout.line(wider)).toBe(tsvLine(wider, layoutOf(wider)));
  });
});
