/**
 * One daemon per data folder (issue 15 §6). The lock is an exclusive SQLite lock on
 * `<dataDir>/daemon.lock`, held for the process's life: the kernel drops it when the process
 * dies, even by kill -9, so there is never a stale lock to clean up. `daemon.pid` beside it only
 * names the holder in the second daemon's message.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { errnoCode } from '../files/errno.js';

export const LOCK_FILE = 'daemon.lock';
/** The running daemon's API address, written once it listens (read by `facetag status`). */
export const DAEMON_URL_FILE = 'daemon.url';
const PID_FILE = 'daemon.pid';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holderPid: number | undefined,
  ) {
    super(
      `another facetag daemon${holderPid ? ` (pid ${holderPid})` : ''} is already using the data folder ${dataDir}; ` +
        'stop it first (or give this one another --data-dir)',
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  release(): void;
}

function holder(dataDir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(dataDir, PID_FILE), 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the lock, or throws DataDirLockedError within a second. */
export function lockDataDir(dataDir: string, pid = process.pid): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // A short wait: `facetag status` reads the file for an instant; a real second daemon still fails fast.
  const db = new Database(join(dataDir, LOCK_FILE), { timeout: 1000 });
  try {
    // EXCLUSIVE locking mode keeps the write lock after the first write until the connection closes.
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INT NOT NULL)');
    // BEGIN EXCLUSIVE takes the write lock at once (the lock file's own connection, not facetag.db).
    db.exec('BEGIN EXCLUSIVE');
    db.exec('DELETE FROM holder');
    db.prepare('INSERT INTO holder (pid) VALUES (?)').run(pid);
    db.exec('COMMIT');
  } catch (err) {
    db.close();
    if (errnoCode(err)?.startsWith('SQLITE_BUSY') || errnoCode(err)?.startsWith('SQLITE_LOCKED'))
      throw new DataDirLockedError(dataDir, holder(dataDir));
    throw err;
  }
  writeFileSync(join(dataDir, PID_FILE), `${pid}\n`, { mode: 0o600 });
  return { release: () => db.close() };
}

/** The address the daemon holding `dataDir` noted, if any. */
export function daemonUrl(dataDir: string): string | undefined {
  try {
    const url = readFileSync(join(dataDir, DAEMON_URL_FILE), 'utf8').trim();
    return /^https?:\/\/[^\s]+$/.test(url) ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a daemon holds the data folder, for `facetag status`: a read that the holder's
 * exclusive lock refuses. Never takes the lock itself.
 */
export function dataDirInUse(dataDir: string): boolean {
  const file = join(dataDir, LOCK_FILE);
  if (!existsSync(file)) return false;
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 0 });
  try {
    db.prepare('SELECT count(*) FROM holder').get();
    return false;
  } catch (err) {
    if (errnoCode(err)?.startsWith('SQLITE_BUSY')) return true;
    throw err;
  } finally {
    db.close();
  }
}
