/**
 * How the lookup directory places values: an email or a plate is normalized,
 * then hashed as `<kind>:<value>` to its logical shard (see ShardRouter.forKey).
 * An account lives on its email's logical shard, with its directory entry.
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function emailKey(email: string): string {
  return `email:${email}`;
}

export function plateKey(plate: string): string {
  return `plate:${plate}`;
}
