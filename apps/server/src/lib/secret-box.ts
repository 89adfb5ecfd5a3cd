import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const SEALED = 'aes1';

/**
 * Keeps secrets the platform must read again (webhook signing secrets, handover
 * PINs for their customer) unreadable in a copy of the database when the
 * operator gives a key (WEBHOOK_SECRET_KEY): AES-256-GCM with a fresh IV per
 * secret, `aes1.<iv>.<tag>.<ciphertext>`. Without a key a secret is stored as
 * `raw.<secret>`; a sealed one then cannot be opened, which fails loudly
 * (a webhook delivery, a PIN read) instead of answering wrong.
 */
export class SecretBox {
  private readonly key: Buffer | null;

  constructor(base64Key: string | null) {
    this.key = base64Key === null ? null : Buffer.from(base64Key, 'base64');
  }

  seal(secret: string): string {
    if (this.key === null) {
      return `raw.${secret}`;
    }
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [SEALED, iv, cipher.getAuthTag(), sealed]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  open(stored: string): string {
    if (stored.startsWith('raw.')) {
      return stored.slice(4);
    }
    const [scheme, iv, tag, sealed] = stored.split('.');
    if (scheme !== SEALED || iv === undefined || tag === undefined || sealed === undefined) {
      throw new Error('sealed secret is stored in an unknown form');
    }
    if (this.key === null) {
      throw new Error('secret is sealed but WEBHOOK_SECRET_KEY is not set');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }
}
