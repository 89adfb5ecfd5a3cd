import type { ShardRouter } from '../db/shard-router';
import type { Blob, BlobStore } from './blob-store.port';

/**
 * Blobs as rows of the `blobs` table on the shard their ID names (cluster
 * mode): every instance reads them, they are backed up and moved between
 * shards with the rest of the data, and nothing else has to run (ADR 0025).
 */
export class SqlBlobStore implements BlobStore {
  constructor(
    private readonly router: ShardRouter,
    private readonly clock: { now(): number } = { now: () => Date.now() },
  ) {}

  async put(id: string, blob: Blob): Promise<void> {
    const shard = this.router.forId(id);
    const row = { content_type: blob.contentType, size: blob.bytes.length, bytes: blob.bytes };
    const insert = shard.db.insertInto('blobs').values({ id, ...row, created_at: this.clock.now() });
    await (
      shard.dialect === 'mysql'
        ? insert.onDuplicateKeyUpdate(row)
        : insert.onConflict((conflict) => conflict.column('id').doUpdateSet(row))
    ).execute();
  }

  async get(id: string): Promise<Blob | null> {
    const row = await this.router
      .forId(id)
      .db.selectFrom('blobs')
      .select(['content_type', 'bytes'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? null : { contentType: row.content_type, bytes: Buffer.from(row.bytes) };
  }

  async delete(id: string): Promise<void> {
    await this.router.forId(id).db.deleteFrom('blobs').where('id', '=', id).execute();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
