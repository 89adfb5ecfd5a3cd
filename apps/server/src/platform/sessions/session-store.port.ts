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
 * Server-side sessions keyed by the hash of an opaque token (the token itself is
 * never stored). Both adapters are durable across a server restart.
 */
export interface SessionStore {
  create(tokenHash: string, session: Session): Promise<void>;
  /** The live session, or null when unknown, revoked or expired. */
  get(tokenHash: string): Promise<Session | null>;
  revoke(tokenHash: string): Promise<void>;
  /** Revokes every session of a user (suspension, password change); returns how many. */
  revokeAllForUser(userId: string): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
