import type { Database, Statement } from 'better-sqlite3';
import { systemClock, type Clock } from '../../lib/clock';
import type { Role, Session, SessionStore } from './session-store.port';

interface SessionRow {
  user_id: string;
  role: string;
  created_at: number;
  expires_at: number;
}

const pruneEveryMs = 10 * 60_000;

/**
 * The embedded-mode session store: one table in a SQLite file the caller opens
 * (and closes), so sessions survive a restart. Expired rows are ignored on read
 * and deleted at most every ten minutes (by clock time) when sessions are created.
 */
export class SqliteSessionStore implements SessionStore {
  private readonly insert: Statement<[string, string, Role, number, number]>;
  private readonly select: Statement<[string, number], SessionRow>;
  private readonly deleteOne: Statement<[string]>;
  private readonly deleteForUser: Statement<[string], { expires_at: number }>;
  private readonly deleteExpired: Statement<[number]>;
  private nextPruneAt: number;
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock = systemClock,
  ) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS sessions (
        token_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        role TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS sessions_user_id ON sessions (user_id);
      CREATE INDEX IF NOT EXISTS sessions_expires_at ON sessions (expires_at);
    `);
    // A second create with the same hash replaces the row, as SET does in Redis.
    this.insert = db.prepare<[string, string, Role, number, number]>(
      'INSERT OR REPLACE INTO sessions (token_hash, user_id, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.select = db.prepare<[string, number], SessionRow>(
      'SELECT user_id, role, created_at, expires_at FROM sessions WHERE token_hash = ? AND expires_at > ?',
    );
    this.deleteOne = db.prepare<[string]>('DELETE FROM sessions WHERE token_hash = ?');
    this.deleteForUser = db.prepare<[string], { expires_at: number }>(
      'DELETE FROM sessions WHERE user_id = ? RETURNING expires_at',
    );
    this.deleteExpired = db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?');
    this.nextPruneAt = clock.now();
  }

  create(tokenHash: string, session: Session): Promise<void> {
    return this.run(() => {
      const now = this.clock.now();
      this.pruneIfDue(now);
      // An already expired session could never be read; Redis cannot even store it.
      if (session.expiresAt <= now) {
        return;
      }
      this.insert.run(tokenHash, session.userId, session.role, session.createdAt, session.expiresAt);
    });
  }

  get(tokenHash: string): Promise<Session | null> {
    return this.run(() => {
      const row = this.select.get(tokenHash, this.clock.now());
      if (row === undefined) {
        return null;
      }
      return {
        userId: row.user_id,
        role: parseRole(row.role),
        createdAt: row.created_at,
        expiresAt: row.expires_at,
      };
    });
  }

  revoke(tokenHash: string): Promise<void> {
    return this.run(() => {
      this.deleteOne.run(tokenHash);
    });
  }

  revokeAllForUser(userId: string): Promise<number> {
    return this.run(() => {
      const now = this.clock.now();
      // Expired rows go too, but only live sessions count as revoked.
      return this.deleteForUser.all(userId).filter((row) => row.expires_at > now).length;
    });
  }

  /** Deletes expired rows now; returns how many. Runs by itself from `create`. */
  prune(): number {
    const now = this.clock.now();
    this.nextPruneAt = now + pruneEveryMs;
    return this.deleteExpired.run(now).changes;
  }

  ping(): Promise<void> {
    return this.run(() => {
      this.db.prepare('SELECT 1').get();
    });
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private pruneIfDue(now: number): void {
    if (now >= this.nextPruneAt) {
      this.prune();
    }
  }

  /** Runs a synchronous statement with the rejection semantics of an async adapter. */
  private run<T>(operation: () => T): Promise<T> {
    if (this.closed) {
      return Promise.reject(new Error('session store is closed'));
    }
    try {
      return Promise.resolve(operation());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

const roles: readonly Role[] = ['customer', 'driver', 'admin'];

function parseRole(value: string): Role {
  const role = roles.find((candidate) => candidate === value);
  if (role === undefined) {
    throw new Error(`sessions table holds an unknown role: ${value}`);
  }
  return role;
}
