import { AdminUser, Page, type AdminUserListQuery } from '@loadline/contracts';
import { errors } from '../../lib/errors';
import { CachedList, type ListCache } from '../../platform/cache/list-cache';
import { compareIds, decodeIdCursor, scatterGather, type ScatterPage } from '../../platform/db/scatter';
import type { ShardRouter } from '../../platform/db/shard-router';
import { emailKey, normalizeEmail } from './directory-keys';
import { presentUser } from './users.presenter';
import type { UserRow, UsersRepository } from './users.repository';

/** The admin accounts list's cached pages; every account write drops them. */
export const USERS_LIST = new CachedList('users', 60, Page(AdminUser));
const DEFAULT_LIMIT = 20;

/**
 * Every account on every shard, newest first: keyset pages merged across
 * shards (a deep page costs what the first does), or `page=N` for the first
 * few pages; or the one account with an exact email. Pages are cached until
 * an account is written.
 */
export class AdminUsersService {
  constructor(private readonly deps: { router: ShardRouter; users: UsersRepository; lists: ListCache }) {}

  async list(query: AdminUserListQuery): Promise<ScatterPage<AdminUser>> {
    if (query.page !== undefined && query.cursor !== undefined) {
      throw errors.validation('use either page or cursor, not both', { field: 'page' });
    }
    // The pages are keyed by ID: a cursor that is not one ID this list issued is a 400, before the cache.
    if (query.cursor !== undefined) {
      decodeIdCursor(query.cursor);
    }
    return this.deps.lists.read(USERS_LIST, query, () => this.load(query));
  }

  private async load(query: AdminUserListQuery): Promise<ScatterPage<AdminUser>> {
    if (query.email !== undefined) {
      return { items: await this.byEmail(query), nextCursor: null };
    }
    const limit = query.limit ?? DEFAULT_LIMIT;
    const page = query.page ?? 1;
    // Page N is the last `limit` rows of the first N × limit: small N only (the schema caps it).
    const window = await scatterGather<UserRow>({
      shards: this.deps.router.shards,
      limit: limit * page,
      cursor: query.cursor ?? null,
      keyArity: 1,
      keyOf: (row) => [row.id],
      compare: (a, b) => compareIds(String(b[0]), String(a[0])),
      fetch: (shard, after, size) =>
        this.deps.users.listPage(shard, {
          role: query.role,
          status: query.status,
          beforeId: after === null ? null : String(after[0]),
          limit: size,
        }),
    });
    return {
      items: window.items.slice(limit * (page - 1)).map((row) => presentUser(row)),
      nextCursor: window.nextCursor,
    };
  }

  /** An exact email needs no scatter: the directory names the account, on the email's own shard. */
  private async byEmail(query: AdminUserListQuery): Promise<AdminUser[]> {
    const email = normalizeEmail(query.email ?? '');
    const shard = this.deps.router.forKey(emailKey(email));
    const entry = await this.deps.users.findLookup(shard.db, 'email', email);
    if (entry === undefined) {
      return [];
    }
    const row = await this.deps.users.findById(this.deps.router.forId(entry.owner_id).db, entry.owner_id);
    const matches =
      row !== undefined &&
      (query.role === undefined || row.role === query.role) &&
      (query.status === undefined || row.status === query.status);
    return matches ? [presentUser(row)] : [];
  }
}
