import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  it('seals secrets with the configured key and opens them again; without a key they stay readable', () => {
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const box = new SecretBox(randomBytes(32).toString('base64'));
    const sealed = box.seal(secret);
    expect(sealed.startsWith('aes1.')).toBe(true);
    expect(sealed).not.toContain(secret.slice(6));
    expect(box.open(sealed)).toBe(secret);
    expect(() => new SecretBox(randomBytes(32).toString('base64')).open(sealed)).toThrow();
    expect(() => new SecretBox(null).open(sealed)).toThrow('WEBHOOK_SECRET_KEY is not set');
    const plain = new SecretBox(null);
    expect(plain.open(plain.seal(secret))).toBe(secret);
  });
});
