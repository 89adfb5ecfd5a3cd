import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { isId } from '../db/ids';
import { privateDirectory } from '../db/private-files';
import type { Blob, BlobStore } from './blob-store.port';

const CONTENT_TYPE = /^[a-z]+\/[a-z0-9.+-]+$/;

/**
 * Blobs as files under a directory of the server's own (embedded mode): one
 * file per blob, named by its ID and content type, fanned out over 256
 * sub-directories, written to a temporary name, synced and renamed (the file
 * it replaces removed after), so a crash leaves the old file or the new one,
 * never half of one and never none.
 */
export class FileBlobStore implements BlobStore {
  constructor(readonly directory: string) {
    privateDirectory(directory);
  }

  async put(id: string, blob: Blob): Promise<void> {
    const folder = this.folderOf(id);
    if (!CONTENT_TYPE.test(blob.contentType)) {
      throw new RangeError(`not a content type: ${blob.contentType}`);
    }
    await fs.mkdir(folder, { recursive: true, mode: 0o700 });
    const name = `${id}.${blob.contentType.replace('/', '_')}`;
    const target = path.join(folder, name);
    const temporary = path.join(folder, `.${id}.${randomBytes(4).toString('hex')}.tmp`);
    const handle = await fs.open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(blob.bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, target);
    // A blob it replaces of another type has another name: removed only once the new one is in place.
    await this.remove(
      id,
      (await this.namesOf(id)).filter((other) => other !== name),
    );
  }

  async get(id: string): Promise<Blob | null> {
    const [name] = await this.namesOf(id);
    if (name === undefined) {
      return null;
    }
    const bytes = await fs.readFile(path.join(this.folderOf(id), name));
    return { contentType: name.slice(id.length + 1).replace('_', '/'), bytes };
  }

  async delete(id: string): Promise<void> {
    await this.remove(id, await this.namesOf(id));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private folderOf(id: string): string {
    if (!isId(id)) {
      throw new RangeError(`not an id: ${id}`);
    }
    return path.join(this.directory, id.slice(-2).padStart(2, '0'));
  }

  private async remove(id: string, names: readonly string[]): Promise<void> {
    const folder = this.folderOf(id);
    await Promise.all(names.map((name) => fs.rm(path.join(folder, name), { force: true })));
  }

  /** The files of the blob: one, but for the moment a put of another type replaces it. */
  private async namesOf(id: string): Promise<string[]> {
    try {
      const names = await fs.readdir(this.folderOf(id));
      return names.filter((name) => name.startsWith(`${id}.`) && !name.endsWith('.tmp'));
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
        return [];
      }
      throw error;
    }
  }
}
