import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdGenerator } from '../db/ids';
import type { BlobStore } from './blob-store.port';

const ids = new IdGenerator(3);

/** The behaviour every BlobStore adapter shares; `open` gives an empty store for each test. */
export function describeBlobStoreContract(
  name: string,
  open: () => Promise<BlobStore>,
  reopen: (store: BlobStore) => Promise<BlobStore>,
): void {
  describe(`BlobStore contract: ${name}`, () => {
    let store: BlobStore;

    beforeEach(async () => {
      store = await open();
    });

    afterEach(async () => {
      await store.close();
    });

    it('returns the bytes and content type that were put, byte for byte', async () => {
      const id = ids.next(7);
      const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, index) => index % 256));
      await store.put(id, { contentType: 'image/png', bytes });
      const blob = await store.get(id);
      expect(blob?.contentType).toBe('image/png');
      expect(blob?.bytes.equals(bytes)).toBe(true);
    });

    it('answers null for an id never put, and after a delete', async () => {
      const id = ids.next(9);
      expect(await store.get(id)).toBeNull();
      await store.put(id, { contentType: 'image/jpeg', bytes: Buffer.from([0xff, 0xd8, 0xff]) });
      await store.delete(id);
      expect(await store.get(id)).toBeNull();
      await store.delete(id);
    });

    it('a second put of one id replaces the first', async () => {
      const id = ids.next(11);
      await store.put(id, { contentType: 'image/jpeg', bytes: Buffer.from('first') });
      await store.put(id, { contentType: 'image/webp', bytes: Buffer.from('second') });
      expect(await store.get(id)).toEqual({ contentType: 'image/webp', bytes: Buffer.from('second') });
    });

    it('keeps blobs of different ids apart, and across a reopen', async () => {
      const first = ids.next(1);
      const second = ids.next(4000);
      await store.put(first, { contentType: 'image/png', bytes: Buffer.from('one') });
      await store.put(second, { contentType: 'image/png', bytes: Buffer.from('two') });
      store = await reopen(store);
      expect((await store.get(first))?.bytes.toString()).toBe('one');
      expect((await store.get(second))?.bytes.toString()).toBe('two');
    });
  });
}
