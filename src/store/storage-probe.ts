/**
 * A write that needs fresh pages, to learn whether the database can take writes again after a
 * full disk or an I/O error. Committed and then removed: a rolled-back write may never reach the
 * disk (WAL pages are written at commit), so it would prove nothing.
 */
import type { Db } from './db.js';

/** 64 KiB: more than a page or two of free space can absorb, far less than any real backlog. */
const PROBE_SQL = "INSERT OR REPLACE INTO settings (key, value) VALUES ('storage-probe', hex(zeroblob(32768)))";

/** Throws the write's error (SQLITE_FULL, SQLITE_IOERR...) when the database cannot take it. */
export function probeWrite(db: Db): void {
  db.prepare(PROBE_SQL).run();
  db.prepare("DELETE FROM settings WHERE key = 'storage-probe'").run();
}
