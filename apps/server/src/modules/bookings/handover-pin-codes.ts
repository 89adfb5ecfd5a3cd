import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** The handover of a booking's pickup; a stop's handover is its seq. */
export const PICKUP_HANDOVER = 0;

/** Wrong PINs one handover takes before it locks (423 pin_locked until an admin unlocks it). */
export const PIN_TRIES = 5;

/** A fresh 4-digit PIN from the system's CSPRNG, leading zeros kept. */
export function newPin(): string {
  return String(randomInt(0, 10_000)).padStart(4, '0');
}

function digest(salt: Buffer, pin: string): Buffer {
  return createHash('sha256').update(salt).update(pin, 'utf8').digest();
}

/** How a PIN is stored for checking: `<salt hex>.<sha256(salt, pin) hex>`, a fresh salt per PIN. */
export function hashPin(pin: string): string {
  const salt = randomBytes(16);
  return `${salt.toString('hex')}.${digest(salt, pin).toString('hex')}`;
}

/** Whether `pin` is the one `stored` was made from, compared in constant time. */
export function pinMatches(stored: string, pin: string): boolean {
  const [salt, expected] = stored.split('.');
  if (salt === undefined || expected === undefined) {
    return false;
  }
  const want = Buffer.from(expected, 'hex');
  const got = digest(Buffer.from(salt, 'hex'), pin);
  return want.length === got.length && timingSafeEqual(want, got);
}
