import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LoadlineApp } from '../../app';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { logicalShardOf } from '../../platform/db/ids';
import { WebhookEndpointsCache } from './webhook-endpoints-cache';
import { WEBHOOK_EVENTS_COLUMN, WebhooksRepository, type WebhookEndpointRow } from './webhooks.repository';

describe(`webhook endpoints cache (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  const repository = new WebhooksRepository();

  beforeAll(async () => {
    env = await TestEnvironment.create('webhook-sets');
    app = await env.start({ roles: [] });
  });

  afterAll(async () => {
    await env.destroy();
  });

  function cacheOver(): WebhookEndpointsCache {
    return new WebhookEndpointsCache(app.platform.cache, repository, app.platform.logger, 10);
  }

  function endpoint(customerId: string): WebhookEndpointRow {
    const now = app.platform.clock.now();
    return {
      id: app.platform.ids.next(logicalShardOf(customerId)),
      customer_id: customerId,
      url: 'https://example.com/hook',
      events: WEBHOOK_EVENTS_COLUMN.write(['booking.status_changed']),
      secret: 'sealed',
      status: 'active',
      failing_since: null,
      created_at: now,
      updated_at: now,
    };
  }

  it('a warm read asks no shard; each change is seen by the next read', async () => {
    const endpoints = cacheOver();
    const customerId = app.platform.ids.next(7);
    const shard = app.platform.router.forId(customerId);
    expect(await endpoints.active(shard, customerId)).toEqual([]);
    const versionOf = vi.spyOn(repository, 'versionOf');
    const endpointsOf = vi.spyOn(repository, 'endpointsOf');
    try {
      expect(await endpoints.active(shard, customerId)).toEqual([]);
      expect(versionOf).not.toHaveBeenCalled();
      expect(endpointsOf).not.toHaveBeenCalled();
    } finally {
      versionOf.mockRestore();
      endpointsOf.mockRestore();
    }
    const row = endpoint(customerId);
    await endpoints.change(shard, customerId, (trx) => repository.insertEndpoint(trx, row).then(() => true));
    expect(await endpoints.active(shard, customerId)).toEqual([
      { id: row.id, events: ['booking.status_changed'] },
    ]);
    const now = app.platform.clock.now();
    expect(
      await endpoints.change(shard, customerId, (trx) => repository.disable(trx, row.id, now, 'failing')),
    ).toBe(true);
    expect(await endpoints.active(shard, customerId)).toEqual([]);
    const second = endpoint(customerId);
    await endpoints.change(shard, customerId, (trx) =>
      repository.insertEndpoint(trx, second).then(() => true),
    );
    expect(await endpoints.active(shard, customerId)).toHaveLength(1);
    expect(
      await endpoints.change(shard, customerId, (trx) =>
        repository.deleteEndpoint(trx, customerId, second.id),
      ),
    ).toBe(true);
    expect(await endpoints.active(shard, customerId)).toEqual([]);
    // A change that changed nothing leaves the version, and the cached set, as they were.
    const version = await repository.versionOf(shard.db, customerId);
    expect(
      await endpoints.change(shard, customerId, (trx) =>
        repository.deleteEndpoint(trx, customerId, second.id),
      ),
    ).toBe(false);
    expect(await repository.versionOf(shard.db, customerId)).toBe(version);
  });

  it('a read that raced a change does not store the set before it', async () => {
    const endpoints = cacheOver();
    const customerId = app.platform.ids.next(8);
    const shard = app.platform.router.forId(customerId);
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const original = repository.endpointsOf.bind(repository);
    const endpointsOf = vi.spyOn(repository, 'endpointsOf').mockImplementationOnce(async (...args) => {
      const rows = await original(...args);
      await held;
      return rows;
    });
    try {
      // The read takes the version and the rows, then the change commits before it stores them.
      const racing = endpoints.active(shard, customerId);
      await vi.waitFor(() => expect(endpointsOf).toHaveBeenCalled());
      const row = endpoint(customerId);
      await endpoints.change(shard, customerId, (trx) =>
        repository.insertEndpoint(trx, row).then(() => true),
      );
      release();
      expect(await racing).toEqual([]);
      expect((await endpoints.active(shard, customerId)).map((each) => each.id)).toEqual([row.id]);
    } finally {
      endpointsOf.mockRestore();
    }
  });

  it('a change whose fence cannot be written fails and keeps nothing; a cache that cannot be read costs a shard read', async () => {
    const customerId = app.platform.ids.next(9);
    const shard = app.platform.router.forId(customerId);
    const { cache } = app.platform;
    const endpoints = cacheOver();
    const row = endpoint(customerId);
    const down = () => Promise.reject(new Error('cache down'));
    const put = vi.spyOn(cache, 'putVersioned').mockImplementation(down);
    const get = vi.spyOn(cache, 'getVersioned').mockImplementation(down);
    try {
      await expect(
        endpoints.change(shard, customerId, (trx) => repository.insertEndpoint(trx, row).then(() => true)),
      ).rejects.toThrow('cache down');
      expect(await repository.findEndpoint(shard.db, row.id)).toBeUndefined();
      put.mockRestore();
      await endpoints.change(shard, customerId, (trx) =>
        repository.insertEndpoint(trx, row).then(() => true),
      );
      expect((await endpoints.active(shard, customerId)).map((each) => each.id)).toEqual([row.id]);
      expect(get).toHaveBeenCalled();
    } finally {
      put.mockRestore();
      get.mockRestore();
    }
  });
});
