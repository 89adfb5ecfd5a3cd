import fs from 'node:fs';
import SqliteDatabase, { type Database } from 'better-sqlite3';

/**
 * Embedded mode keeps accounts, sessions and bookings in files under the data
 * directory: only the server's own user may read them, whatever the umask.
 */
export function privateDirectory(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

/**
 * Opens an SQLite file readable by its owner only. The file is created 0600
 * before SQLite opens it, because SQLite gives its WAL and shared-memory files
 * the main file's permissions; files left by older versions are tightened.
 */
export function openPrivateSqlite(file: string): Database {
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const companion of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    if (fs.existsSync(companion)) {
      fs.chmodSync(companion, 0o600);
    }
  }
  return new SqliteDatabase(file);
}
