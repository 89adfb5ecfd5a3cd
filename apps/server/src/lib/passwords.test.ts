import { describe, expect, it } from 'vitest';
import {
  PASSWORD_HASH_PARAMS,
  UNUSABLE_PASSWORD_HASH,
  hashPassword,
  isUsablePasswordHash,
  needsRehash,
  verifyPassword,
} from './passwords';

describe('password hashing', () => {
  it('hashes with scrypt N=2^14, r=8, p=5 by default (an OWASP-listed equivalent of N=2^17, p=1)', async () => {
    expect(PASSWORD_HASH_PARAMS).toEqual({ N: 16384, r: 8, p: 5 });
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$16384\$8\$5\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{88}$/);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(needsRehash(stored)).toBe(false);
  });

  it('verifies a hash made with older, weaker parameters, and says it needs a rehash', async () => {
    const old = await hashPassword('correct horse battery', { N: 16384, r: 8, p: 1 });
    expect(old.startsWith('scrypt$16384$8$1$')).toBe(true);
    expect(await verifyPassword('correct horse battery', old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
  });

  it('never matches the unusable hash or a malformed one, whatever the password', async () => {
    expect(isUsablePasswordHash(UNUSABLE_PASSWORD_HASH)).toBe(false);
    expect(isUsablePasswordHash(await hashPassword('x'.repeat(8)))).toBe(true);
    for (const stored of [UNUSABLE_PASSWORD_HASH, '', 'scrypt$abc$8$1$c2FsdA==$a2V5', 'plain-text']) {
      expect(await verifyPassword('loadline-generated', stored)).toBe(false);
      expect(await verifyPassword('', stored)).toBe(false);
      expect(isUsablePasswordHash(stored)).toBe(false);
    }
  });
});
