/**
 * Prepared statements cached per connection. better-sqlite3 compiles SQL on every `prepare`, which
 * costs more than running a small statement; the hot paths (reconcile, claiming jobs, recording
 * faces) run the same few statements thousands of times.
 */
import type Database from 'better-sqlite3';
import type { Db } from './db.js';

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
