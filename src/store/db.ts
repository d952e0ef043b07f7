/**
 * Opening the SQLite store, its write transactions, and the per-connection cache of prepared
 * statements every store module runs through. better-sqlite3 is used only under src/store/; other
 * modules take the `Db` type from here.
 */

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate, type Upgrading } from './migrations.js';

export type Db = Database.Database;

/**
 * Run `fn` in a transaction that takes the write lock at BEGIN (IMMEDIATE). A deferred one that
 * reads first fails with SQLITE_BUSY_SNAPSHOT when another process (the daemon beside `facetag
 * label`) commits in between, and busy_timeout does not retry that; an immediate one waits for
 * the lock instead. Inside another transaction it is a savepoint. Read-only snapshots stay
 * deferred (`db.transaction(fn)()`).
 */
export function writeTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}

export const DB_FILE = 'facetag.db';

/**
 * Open (creating if needed) `<dataDir>/facetag.db` and migrate it (`onUpgrade` hears first when an
 * existing database is upgraded). Throws SchemaTooNewError for a database from a newer facetag,
 * having closed it first.
 */
export function openDatabase(dataDir: string, onUpgrade?: Upgrading): Db {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, DB_FILE);
  // Faces and names are the family's: a new database (and so its -wal and -shm, which SQLite
  // makes with the database's mode) is readable by its owner only. An empty file is a new database.
  if (!existsSync(file)) writeFileSync(file, '', { mode: 0o600, flag: 'a' });
  const db = new Database(file);
  try {
    // WAL: readers (the future HTTP API) do not block the writer. NORMAL is the documented WAL
    // trade: a power cut may lose the last commits but never corrupts; re-analysis recovers them.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // Wait for another process's write lock (a `facetag` CLI beside the daemon) instead of failing
    // at once with SQLITE_BUSY.
    db.pragma('busy_timeout = 5000');
    const before = db.pragma('user_version', { simple: true });
    const after = migrate(db, undefined, onUpgrade);
    // An upgrade that rebuilt a table left a WAL as large as the table: give the space back.
    if (typeof before === 'number' && before > 0 && before < after) db.pragma('wal_checkpoint(TRUNCATE)');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * `PRAGMA integrity_check` plus `foreign_key_check`: [] when the file is sound, else SQLite's
 * complaints (the crash tests and `facetag status` use it).
 */
export function integrityProblems(db: Db): string[] {
  const integrity = db.pragma('integrity_check', { simple: false });
  const problems: string[] = [];
  if (Array.isArray(integrity)) {
    for (const row of integrity) {
      const text = typeof row === 'object' && row !== null ? Object.values(row).join(' ') : String(row);
      if (text !== 'ok') problems.push(text);
    }
  }
  const fk = db.pragma('foreign_key_check', { simple: false });
  if (Array.isArray(fk)) for (const row of fk) problems.push(`foreign key: ${JSON.stringify(row)}`);
  return problems;
}

// ---- Prepared statements ----
/*
 * Prepared statements cached per connection. better-sqlite3 compiles SQL on every `prepare`, which
 * costs more than running a small statement; the hot paths (reconcile, claiming jobs, recording
 * faces) run the same few statements thousands of times.
 */
type Statement = Database.Statement<unknown[], unknown>;

const caches = new WeakMap<Db, Map<string, Statement>>();

/** The compiled statement for `sql` on `db`, compiled once per connection. Never toggle raw/pluck on it. */
export function prepared(db: Db, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}
