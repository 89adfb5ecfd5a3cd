import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import type { EventBus } from '../bus/event-bus.port';
import type { Session, SessionKey, SessionStore } from './session-store.port';

/** Bus channel announcing revocations so every process drops its cached copy. */
export const SESSION_REVOKED_CHANNEL = 'sessions.revoked';

interface Revocation {
  tokenHash?: string;
  userId?: string;
}

export interface CachedSessionStoreOptions {
  store: SessionStore;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** How long a looked-up session is reused without asking the store (default 5 s). */
  ttlMs?: number;
  maxEntries?: number;
}

/**
 * Keeps recently checked sessions in this process for a few seconds, so an
 * authenticated request costs no round trip to the session store. Revocations
 * drop the copy here at once and, through the bus, in every other process; if
 * that message were lost, a copy lives at most `ttlMs` longer.
 */
export class CachedSessionStore implements SessionStore {
  private readonly entries = new Map<string, { session: Session; until: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private unsubscribe: (() => Promise<void>) | null = null;
  /** Counts revocations seen, so a lookup that began before one does not cache what it read. */
  private revocations = 0;
  private closed = false;

  constructor(private readonly options: CachedSessionStoreOptions) {
    this.ttlMs = options.ttlMs ?? 5_000;
    this.maxEntries = options.maxEntries ?? 50_000;
  }

  /** Starts listening for revocations made by other processes. */
  async start(): Promise<void> {
    this.unsubscribe = await this.options.bus.subscribe(SESSION_REVOKED_CHANNEL, (message) => {
      this.forget(message as Revocation);
    });
  }

  async create(tokenHash: string, session: Session): Promise<void> {
    this.assertOpen();
    await this.options.store.create(tokenHash, session);
  }

  async get(key: SessionKey): Promise<Session | null> {
    this.assertOpen();
    const { tokenHash } = key;
    const now = this.options.clock.now();
    const cached = this.entries.get(tokenHash);
    if (cached !== undefined && cached.until > now && cached.session.expiresAt > now) {
      return cached.session.userId === key.userId ? cached.session : null;
    }
    this.entries.delete(tokenHash);
    const revocationsBefore = this.revocations;
    const session = await this.options.store.get(key);
    if (session !== null && this.revocations === revocationsBefore) {
      if (this.entries.size >= this.maxEntries) {
        // Oldest first: Map keeps insertion order.
        const oldest = this.entries.keys().next();
        if (oldest.done !== true) {
          this.entries.delete(oldest.value);
        }
      }
      this.entries.set(tokenHash, { session, until: now + this.ttlMs });
    }
    return session;
  }

  async revoke(key: SessionKey): Promise<void> {
    this.assertOpen();
    const { tokenHash } = key;
    this.forget({ tokenHash });
    await this.options.store.revoke(key);
    // Again: a lookup here may have read the session while the store was revoking it.
    this.forget({ tokenHash });
    await this.announce({ tokenHash });
  }

  async revokeAllForUser(userId: string): Promise<number> {
    this.assertOpen();
    this.forget({ userId });
    const revoked = await this.options.store.revokeAllForUser(userId);
    this.forget({ userId });
    await this.announce({ userId });
    return revoked;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    await this.options.store.ping();
  }

  /** Stops listening and refuses later calls; the wrapped store stays open (it belongs to the caller). */
  async close(): Promise<void> {
    this.closed = true;
    await this.unsubscribe?.();
    this.unsubscribe = null;
    this.entries.clear();
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new Error('session store is closed');
    }
  }

  private forget(revocation: Revocation): void {
    this.revocations += 1;
    if (revocation.tokenHash !== undefined) {
      this.entries.delete(revocation.tokenHash);
    }
    if (revocation.userId !== undefined) {
      for (const [hash, entry] of this.entries) {
        if (entry.session.userId === revocation.userId) {
          this.entries.delete(hash);
        }
      }
    }
  }

  private async announce(revocation: Revocation): Promise<void> {
    try {
      await this.options.bus.publish(SESSION_REVOKED_CHANNEL, revocation);
    } catch (error) {
      // The store already forgot the session; other processes drop their copy within the TTL.
      this.options.logger.warn({ err: error }, 'could not announce a session revocation');
    }
  }
}
