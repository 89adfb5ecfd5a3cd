import type { LookupKind, LookupRow, UserRow } from './users.repository';

/**
 * The rows an account is written as, built in one place for signup
 * (AccountsService) and bulk generation, so generated accounts cannot drift from
 * real ones.
 */

export interface NewUser {
  id: string;
  /** Normalized (`normalizeEmail`): the directory is keyed by it. */
  email: string;
  passwordHash: string;
  name: string;
  phone: string | null;
  role: UserRow['role'];
  status: UserRow['status'];
  createdAt: number;
}

export function userRow(user: NewUser): UserRow {
  return {
    id: user.id,
    email: user.email,
    password_hash: user.passwordHash,
    name: user.name,
    phone: user.phone,
    role: user.role,
    status: user.status,
    created_at: user.createdAt,
    updated_at: user.createdAt,
  };
}

/** A lookup directory entry: `value` (normalized) of `kind` belongs to `ownerId`. */
export function lookupRow(kind: LookupKind, value: string, ownerId: string, createdAt: number): LookupRow {
  return { kind, value, owner_id: ownerId, created_at: createdAt };
}
