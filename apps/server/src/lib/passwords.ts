import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptParams {
  /** CPU and memory cost (a power of two). */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelisation: independent passes over the same memory, run one after another here. */
  p: number;
}

const KEY_LENGTH = 64;
const SCHEME = 'scrypt';

/**
 * OWASP's Password Storage Cheat Sheet asks scrypt for N=2^17, r=8, p=1 (128 MiB)
 * or one of its equal-cost rows; this is the N=2^14, r=8, p=5 row. It costs the
 * same CPU per hash but holds 16 MiB instead of 128 MiB, so a burst of logins
 * filling libuv's thread pool needs tens of MiB rather than half a GiB.
 * About 190 ms per hash on the reference machine, against 40 ms for the former
 * N=2^14, r=8, p=1. Hashes made with weaker parameters are upgraded at the next
 * successful login (`needsRehash`).
 */
export const PASSWORD_HASH_PARAMS: Readonly<ScryptParams> = Object.freeze({ N: 16384, r: 8, p: 5 });

/**
 * The stored hash of an account that cannot sign in with a password (generated
 * accounts): no scrypt string can equal it, and it is refused before any work.
 * An administrator gives such an account a password with `admin reset-password`.
 */
export const UNUSABLE_PASSWORD_HASH = '!unusable';

/** Highest parameters a stored hash may ask for: bounds the memory one check can take. */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 64;

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function parse(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== SCHEME) {
    return null;
  }
  const [, nText, rText, pText, saltText, keyText] = parts;
  const [N, r, p] = [nText, rText, pText].map((text) => (/^\d{1,8}$/.test(text ?? '') ? Number(text) : 0));
  if (
    N === undefined ||
    r === undefined ||
    p === undefined ||
    N < 2 ||
    N > MAX_N ||
    (N & (N - 1)) !== 0 ||
    r < 1 ||
    r > MAX_R ||
    p < 1 ||
    p > MAX_P ||
    saltText === undefined ||
    keyText === undefined ||
    saltText === '' ||
    keyText === ''
  ) {
    return null;
  }
  return { params: { N, r, p }, salt: Buffer.from(saltText, 'base64'), key: Buffer.from(keyText, 'base64') };
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // OpenSSL holds 128 * r * (N + p + 2) bytes for one derivation; leave room above it.
  const maxmem = 128 * params.r * (params.N + params.p + 2) + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, { ...params, maxmem }, (error, key) => {
      if (error) {
        reject(error);
      } else {
        resolve(key);
      }
    });
  });
}

/**
 * scrypt with a random salt; the parameters travel in the stored string so they
 * can be raised later. `params` exists for tests of that upgrade path.
 */
export async function hashPassword(
  password: string,
  params: Readonly<ScryptParams> = PASSWORD_HASH_PARAMS,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return [SCHEME, params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** False for the unusable marker and for anything that is not a well-formed scrypt string. */
export function isUsablePasswordHash(stored: string): boolean {
  return parse(stored) !== null;
}

/**
 * True when `password` matches `stored`. An unusable or malformed hash never
 * matches and costs nothing: callers that must not reveal which accounts have
 * a usable password verify against `decoyPasswordHash` instead (see login).
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (parsed === null) {
    return false;
  }
  const actual = await derive(password, parsed.salt, parsed.params);
  return actual.length === parsed.key.length && timingSafeEqual(actual, parsed.key);
}

/** True when a usable hash was made with parameters weaker than the current ones. */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  if (parsed === null) {
    return false;
  }
  const { N, r, p } = parsed.params;
  const current = PASSWORD_HASH_PARAMS;
  return N * r * p < current.N * current.r * current.p || N < current.N || r < current.r;
}

/** A valid hash of a random password: verifying against it costs what a real check costs. */
export const decoyPasswordHash: Promise<string> = hashPassword(randomBytes(12).toString('hex'));
