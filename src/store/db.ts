/**
 * Opening the SQLite store. better-sqlite3 is used only under src/store/; other modules take the
 * `Db` type from here.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

export type Db = Database.Database;

export const DB_FILE = 'facetag.db';

/**
 * Open (creating if needed) `<dataDir>/facetag.db` and migrate it. Throws SchemaTooNewError for a
 * database from a newer facetag, having closed it first.
 */
export function openDatabase(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, DB_FILE));
  try {
    // WAL: readers (the future HTTP API) do not block the writer. NORMAL is the documented WAL
    // trade: a power cut may lose the last commits but never corrupts; re-analysis recovers them.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // Wait for another process's write lock instead of failing at once with SQLITE_BUSY.
    db.pragma('busy_timeout = 5000');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
