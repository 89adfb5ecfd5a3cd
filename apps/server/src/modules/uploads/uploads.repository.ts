import type { Executor } from '../../platform/db/shard-pool';
import type { UploadsTable } from '../../platform/db/schema';

export type UploadRow = UploadsTable;

/** Proof files' metadata, on the shard the upload's ID names (its driver's). */
export class UploadsRepository {
  async insert(db: Executor, row: UploadRow): Promise<void> {
    await db.insertInto('uploads').values(row).execute();
  }

  async findById(db: Executor, id: string): Promise<UploadRow | undefined> {
    return db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
  }
}
