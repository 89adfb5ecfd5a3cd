import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import {
  API_KEY_PREFIX,
  ApiKeyScopeSchema,
  type ApiKey,
  type CreateApiKeyBody,
  type CreatedApiKey,
} from '@loadline/contracts';
import type { RateRule } from '../../config/config';
import type { Clock } from '../../lib/clock';
import { errors } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { StoredJson } from '../../lib/message-kind';
import { logicalShardOf, type IdGenerator } from '../../platform/db/ids';
import type { ShardRouter } from '../../platform/db/shard-router';
import type { RateLimiter } from '../../platform/rate-limit/rate-limiter';
import { hashToken, type ApiKeyGrant, type ApiKeyResolver } from '../auth/authenticator';
import { apiKeyLookupKey, type ApiKeyRow, type ApiKeysRepository } from './api-keys.repository';

/** The `api_keys.scopes` column. */
export const API_KEY_SCOPES_COLUMN = new StoredJson('api_keys.scopes', Type.Array(ApiKeyScopeSchema));

/** Live keys one customer may hold at once. */
export const MAX_API_KEYS = 20;

/** Characters of a key shown in lists: `llk_` and 8 of the random part. */
const VISIBLE_CHARS = API_KEY_PREFIX.length + 8;

/** `llk_` then 256 random bits in base64url. */
const KEY_PATTERN = /^llk_[A-Za-z0-9_-]{43}$/;

export interface ApiKeyServiceDeps {
  router: ShardRouter;
  ids: IdGenerator;
  clock: Clock;
  keys: ApiKeysRepository;
  rateLimiter: RateLimiter;
  rateRule: RateRule;
  logger: Logger;
}

/**
 * A customer's API keys (ADR 0023): made with 256 random bits, shown once,
 * stored as their SHA-256 (a high-entropy key needs no slow hash) on the
 * customer's shard, found from that hash through the lookup directory on the
 * hash's shard. Every request reads the key's row, so a revocation holds at
 * once on every instance, with no cache to invalidate.
 */
export class ApiKeyService implements ApiKeyResolver {
  constructor(private readonly deps: ApiKeyServiceDeps) {}

  async create(customerId: string, body: CreateApiKeyBody): Promise<CreatedApiKey> {
    const { router, ids, clock, keys } = this.deps;
    const home = router.forId(customerId).db;
    if ((await keys.countActive(home, customerId)) >= MAX_API_KEYS) {
      throw errors.conflict(
        'conflict',
        `A customer may hold at most ${MAX_API_KEYS} API keys; revoke one first.`,
        {
          max: MAX_API_KEYS,
        },
      );
    }
    const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const keyHash = hashToken(key);
    const now = clock.now();
    const row: ApiKeyRow = {
      id: ids.next(logicalShardOf(customerId)),
      customer_id: customerId,
      name: body.name,
      scopes: API_KEY_SCOPES_COLUMN.write(body.scopes),
      prefix: key.slice(0, VISIBLE_CHARS),
      key_hash: keyHash,
      created_at: now,
      revoked_at: null,
    };
    // The key's row first: a directory entry never points at nothing. Should the
    // entry fail, the row goes too, and no key was handed out.
    await keys.insert(home, row);
    try {
      await keys.insertLookup(router.forKey(apiKeyLookupKey(keyHash)).db, keyHash, row.id, now);
    } catch (error) {
      await keys.remove(home, row.id);
      throw error;
    }
    this.deps.logger.info({ customerId, keyId: row.id, scopes: body.scopes }, 'api key created');
    return { ...presentApiKey(row), key };
  }

  async list(customerId: string): Promise<ApiKey[]> {
    const rows = await this.deps.keys.listActive(
      this.deps.router.forId(customerId).db,
      customerId,
      MAX_API_KEYS,
    );
    return rows.map(presentApiKey);
  }

  /** Revokes the customer's key: its row says so at once, then its directory entry goes. 404 when it is not theirs. */
  async revoke(customerId: string, id: string): Promise<void> {
    const { router, keys, clock } = this.deps;
    const revoked = await keys.revoke(router.forId(id).db, customerId, id, clock.now());
    if (revoked === undefined) {
      throw errors.notFound('API key');
    }
    await keys.deleteLookup(router.forKey(apiKeyLookupKey(revoked.key_hash)).db, revoked.key_hash);
    this.deps.logger.info({ customerId, keyId: id }, 'api key revoked');
  }

  /** The grant of a presented key, counted against its rate limit; 401 when unknown or revoked. */
  async resolve(key: string): Promise<ApiKeyGrant> {
    const { router, keys } = this.deps;
    if (!KEY_PATTERN.test(key)) {
      throw errors.unauthenticated('The API key is invalid or has been revoked.');
    }
    const keyHash = hashToken(key);
    const keyId = await keys.findLookup(router.forKey(apiKeyLookupKey(keyHash)).db, keyHash);
    const row = keyId === undefined ? undefined : await keys.find(router.forId(keyId).db, keyId);
    if (row === undefined || row.revoked_at !== null || row.key_hash !== keyHash) {
      throw errors.unauthenticated('The API key is invalid or has been revoked.');
    }
    await this.deps.rateLimiter.consume(`apikey:${row.id}`, this.deps.rateRule);
    return {
      keyId: row.id,
      customerId: row.customer_id,
      keyHash,
      scopes: API_KEY_SCOPES_COLUMN.read(row.scopes),
    };
  }
}

function presentApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    scopes: API_KEY_SCOPES_COLUMN.read(row.scopes),
    prefix: row.prefix,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
