import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/support/wait';
import { IdGenerator, LOGICAL_SHARDS } from '../db/ids';
import type { Session, SessionKey, SessionStore } from './session-store.port';

export interface SessionStoreHarness {
  /** A fresh store; the suite closes it after each test. Stores may share their storage. */
  open(): Promise<SessionStore>;
  /**
   * Closes `store` and the connection or file handle under it, then opens a new
   * store on the same storage, as a server restart would.
   */
  reopen(store: SessionStore): Promise<SessionStore>;
  /**
   * Drops every cached copy in front of the storage, as a Redis restart without
   * persistence would, and returns the store to go on with (a new process's when
   * the cache is in-process). A store without a cache is returned as it is.
   */
  loseCache(store: SessionStore): Promise<SessionStore>;
}

const hour = 3600_000;
const ids = new IdGenerator(0);
let nextLogical = 0;

/** A new user id, each on another logical shard, so the users of one test spread over the shards. */
function newUserId(): string {
  nextLogical = (nextLogical + 1031) % LOGICAL_SHARDS;
  return ids.next(nextLogical);
}

/** The behaviour every SessionStore adapter shares. */
export function describeSessionStoreContract(name: string, harness: SessionStoreHarness): void {
  describe(`SessionStore contract: ${name}`, () => {
    let store: SessionStore;
    // Fresh users and token hashes per test, so stores that share storage never see each other's rows.
    let run: string;
    let user: string;
    let alice: string;
    let bob: string;

    const hash = (label: string): string => `${run}-${label}`;
    const key = (label: string, userId = user): SessionKey => ({ userId, tokenHash: hash(label) });
    const session = (overrides: Partial<Session> = {}): Session => {
      const now = Date.now();
      return { userId: user, role: 'customer', createdAt: now, expiresAt: now + hour, ...overrides };
    };

    beforeEach(async () => {
      run = randomBytes(6).toString('base64url');
      user = newUserId();
      alice = newUserId();
      bob = newUserId();
      store = await harness.open();
    });

    afterEach(async () => {
      await store.close();
    });

    it('a created session can be read back', async () => {
      const created = session({ role: 'driver' });
      await store.create(hash('a'), created);
      expect(await store.get(key('a'))).toEqual(created);
    });

    it('get returns null for an unknown token hash', async () => {
      expect(await store.get(key('unknown'))).toBeNull();
    });

    it("get returns null when the key names another user than the session's", async () => {
      await store.create(hash('a'), session());
      expect(await store.get(key('a', alice))).toBeNull();
      expect(await store.get(key('a'))).not.toBeNull();
    });

    it('creating a session with a known hash replaces it', async () => {
      await store.create(hash('a'), session({ role: 'customer' }));
      const replacement = session({ role: 'admin' });
      await store.create(hash('a'), replacement);
      expect(await store.get(key('a'))).toEqual(replacement);
    });

    it('a revoked session is gone', async () => {
      await store.create(hash('a'), session());
      await store.create(hash('b'), session());
      await store.revoke(key('a'));
      expect(await store.get(key('a'))).toBeNull();
      expect(await store.get(key('b'))).not.toBeNull();
    });

    it('revoking an unknown session does nothing', async () => {
      await expect(store.revoke(key('unknown'))).resolves.toBeUndefined();
    });

    it('an expired session is not returned', async () => {
      await store.create(hash('short'), session({ expiresAt: Date.now() + 50 }));
      await store.create(hash('long'), session());
      await waitFor(async () => (await store.get(key('short'))) === null, 2000);
      expect(await store.get(key('long'))).not.toBeNull();
    });

    it('creating an already expired session stores nothing', async () => {
      await store.create(hash('stale'), session({ expiresAt: Date.now() - 1 }));
      expect(await store.get(key('stale'))).toBeNull();
      expect(await store.revokeAllForUser(user)).toBe(0);
    });

    it('revokeAllForUser removes every session of the user and returns how many', async () => {
      await store.create(hash('a1'), session({ userId: alice }));
      await store.create(hash('a2'), session({ userId: alice, role: 'driver' }));
      await store.create(hash('b1'), session({ userId: bob }));

      expect(await store.revokeAllForUser(alice)).toBe(2);

      expect(await store.get(key('a1', alice))).toBeNull();
      expect(await store.get(key('a2', alice))).toBeNull();
      expect(await store.get(key('b1', bob))).not.toBeNull();
      expect(await store.revokeAllForUser(alice)).toBe(0);
    });

    it('revokeAllForUser does not count sessions that had expired or were revoked', async () => {
      await store.create(hash('expiring'), session({ userId: alice, expiresAt: Date.now() + 50 }));
      await store.create(hash('revoked'), session({ userId: alice }));
      await store.create(hash('live'), session({ userId: alice }));
      await store.revoke(key('revoked', alice));
      await waitFor(async () => (await store.get(key('expiring', alice))) === null, 2000);

      expect(await store.revokeAllForUser(alice)).toBe(1);
      expect(await store.get(key('live', alice))).toBeNull();
    });

    it('a user can sign in again after revokeAllForUser', async () => {
      await store.create(hash('old'), session({ userId: alice }));
      await store.revokeAllForUser(alice);
      await store.create(hash('new'), session({ userId: alice }));
      expect(await store.get(key('new', alice))).not.toBeNull();
      expect(await store.revokeAllForUser(alice)).toBe(1);
    });

    it('a session survives closing and reopening the store', async () => {
      const created = session({ role: 'admin' });
      await store.create(hash('durable'), created);
      await store.create(hash('revoked'), session());
      await store.revoke(key('revoked'));

      store = await harness.reopen(store);

      expect(await store.get(key('durable'))).toEqual(created);
      expect(await store.get(key('revoked'))).toBeNull();
      expect(await store.revokeAllForUser(user)).toBe(1);
    });

    it('a session survives the loss of every cached copy', async () => {
      const created = session({ role: 'driver' });
      await store.create(hash('kept'), created);
      expect(await store.get(key('kept'))).toEqual(created);

      store = await harness.loseCache(store);

      expect(await store.get(key('kept'))).toEqual(created);
    });

    it('revoked sessions stay revoked after the loss of every cached copy', async () => {
      await store.create(hash('logged-out'), session());
      await store.create(hash('a1'), session({ userId: alice }));
      await store.create(hash('b1'), session({ userId: bob }));
      // Cached copies exist before the revocations.
      expect(await store.get(key('logged-out'))).not.toBeNull();
      expect(await store.get(key('a1', alice))).not.toBeNull();
      await store.revoke(key('logged-out'));
      expect(await store.revokeAllForUser(alice)).toBe(1);

      store = await harness.loseCache(store);

      expect(await store.get(key('logged-out'))).toBeNull();
      expect(await store.get(key('a1', alice))).toBeNull();
      expect(await store.get(key('b1', bob))).not.toBeNull();
    });

    it('ping resolves', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('close can be called twice and later calls are refused', async () => {
      await store.close();
      await store.close();
      await expect(store.get(key('a'))).rejects.toThrow(/closed/);
    });
  });
}
