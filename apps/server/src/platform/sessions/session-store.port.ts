export type Role = 'customer' | 'driver' | 'admin';

export interface Session {
  userId: string;
  role: Role;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds; the session is gone after this instant. */
  expiresAt: number;
}

/**
 * What finds a session: the hash of its token, and its user, whose shard holds
 * it (the token carries the user id, so no lookup comes first).
 */
export interface SessionKey {
  readonly userId: string;
  readonly tokenHash: string;
}

/**
 * Server-side sessions keyed by the hash of an opaque token (the token itself is
 * never stored). Both adapters are durable across a server restart, and across
 * the loss of any cache in front of them.
 */
export interface SessionStore {
  create(tokenHash: string, session: Session): Promise<void>;
  /** The live session, or null when unknown, revoked or expired. */
  get(key: SessionKey): Promise<Session | null>;
  revoke(key: SessionKey): Promise<void>;
  /** Revokes every session of a user (suspension, password change); returns how many. */
  revokeAllForUser(userId: string): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The store of record under a cache: revoking all of a user's sessions also names them. */
export interface DurableSessionStore extends SessionStore {
  /** Revokes every session of a user; returns the token hashes of the live ones it removed. */
  revokeAllForUserListed(userId: string): Promise<string[]>;
}
