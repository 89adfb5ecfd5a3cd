import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/support/wait';
import type { Session, SessionStore } from './session-store.port';

export interface SessionStoreHarness {
  /** A fresh, empty store; the suite closes it after each test. */
  open(): Promise<SessionStore>;
  /**
   * Closes `store` and the connection or file handle under it, then opens a new
   * store on the same storage, as a server restart would.
   */
  reopen(store: SessionStore): Promise<SessionStore>;
}

const hour = 3600_000;

function session(overrides: Partial<Session> = {}): Session {
  const now = Date.now();
  return { userId: 'user-1', role: 'customer', createdAt: now, expiresAt: now + hour, ...overrides };
}

/** The behaviour every SessionStore adapter shares. */
export function describeSessionStoreContract(name: string, harness: SessionStoreHarness): void {
  describe(`SessionStore contract: ${name}`, () => {
    let store: SessionStore;

    beforeEach(async () => {
      store = await harness.open();
    });

    afterEach(async () => {
      await store.close();
    });

    it('a created session can be read back', async () => {
      const created = session({ userId: 'user-7', role: 'driver' });
      await store.create('hash-a', created);
      expect(await store.get('hash-a')).toEqual(created);
    });

    it('get returns null for an unknown token hash', async () => {
      expect(await store.get('unknown')).toBeNull();
    });

    it('creating a session with a known hash replaces it', async () => {
      await store.create('hash-a', session({ role: 'customer' }));
      const replacement = session({ role: 'admin' });
      await store.create('hash-a', replacement);
      expect(await store.get('hash-a')).toEqual(replacement);
    });

    it('a revoked session is gone', async () => {
      await store.create('hash-a', session());
      await store.create('hash-b', session());
      await store.revoke('hash-a');
      expect(await store.get('hash-a')).toBeNull();
      expect(await store.get('hash-b')).not.toBeNull();
    });

    it('revoking an unknown session does nothing', async () => {
      await expect(store.revoke('unknown')).resolves.toBeUndefined();
    });

    it('an expired session is not returned', async () => {
      await store.create('short', session({ expiresAt: Date.now() + 50 }));
      await store.create('long', session());
      await waitFor(async () => (await store.get('short')) === null, 2000);
      expect(await store.get('long')).not.toBeNull();
    });

    it('creating an already expired session stores nothing', async () => {
      await store.create('stale', session({ expiresAt: Date.now() - 1 }));
      expect(await store.get('stale')).toBeNull();
      expect(await store.revokeAllForUser('user-1')).toBe(0);
    });

    it('revokeAllForUser removes every session of the user and returns how many', async () => {
      await store.create('a1', session({ userId: 'alice' }));
      await store.create('a2', session({ userId: 'alice', role: 'driver' }));
      await store.create('b1', session({ userId: 'bob' }));

      expect(await store.revokeAllForUser('alice')).toBe(2);

      expect(await store.get('a1')).toBeNull();
      expect(await store.get('a2')).toBeNull();
      expect(await store.get('b1')).not.toBeNull();
      expect(await store.revokeAllForUser('alice')).toBe(0);
    });

    it('revokeAllForUser does not count sessions that had expired or were revoked', async () => {
      await store.create('expiring', session({ userId: 'alice', expiresAt: Date.now() + 50 }));
      await store.create('revoked', session({ userId: 'alice' }));
      await store.create('live', session({ userId: 'alice' }));
      await store.revoke('revoked');
      await waitFor(async () => (await store.get('expiring')) === null, 2000);

      expect(await store.revokeAllForUser('alice')).toBe(1);
      expect(await store.get('live')).toBeNull();
    });

    it('a user can sign in again after revokeAllForUser', async () => {
      await store.create('old', session({ userId: 'alice' }));
      await store.revokeAllForUser('alice');
      await store.create('new', session({ userId: 'alice' }));
      expect(await store.get('new')).not.toBeNull();
      expect(await store.revokeAllForUser('alice')).toBe(1);
    });

    it('a session survives closing and reopening the store', async () => {
      const created = session({ userId: 'user-9', role: 'admin' });
      await store.create('durable', created);
      await store.create('revoked', session({ userId: 'user-9' }));
      await store.revoke('revoked');

      store = await harness.reopen(store);

      expect(await store.get('durable')).toEqual(created);
      expect(await store.get('revoked')).toBeNull();
      expect(await store.revokeAllForUser('user-9')).toBe(1);
    });

    it('ping resolves', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('close can be called twice and later calls are refused', async () => {
      await store.close();
      await store.close();
      await expect(store.get('a')).rejects.toThrow(/closed/);
    });
  });
}
