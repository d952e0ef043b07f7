/**
 * The library's store, as the daemon and `run --once` open it: the data folder's lock first (one
 * daemon per folder, decided before anything else starts), then the database (upgraded when
 * older), then the engine the library keeps. Closing releases both. Nothing is logged here: a
 * refusal (another daemon, a newer schema, an unreadable file) is thrown before any component
 * starts, and the caller says it.
 */
import { engineForLibrary } from '../config/engine.js';
import type { Config, Engine } from '../config/schema.js';
import { errnoCode } from '../files/errno.js';
import { lockDataDir } from '../store/daemon-lock.js';
import { type Db, openDatabase } from '../store/db.js';
import type { Upgrading } from '../store/migrations.js';
import { libraryEngine } from '../store/pipeline.js';

/** The database file could not be opened (EACCES, SQLITE_CANTOPEN, SQLITE_NOTADB...). */
export class StoreOpenError extends Error {
  constructor(
    readonly dataDir: string,
    cause: Error,
  ) {
    super(`cannot open the database in ${dataDir}: ${cause.message}`, { cause });
    this.name = 'StoreOpenError';
  }
}

export interface Library {
  readonly db: Db;
  /** The config with the engine this library is analysed with (engineForLibrary). */
  readonly config: Config;
  /** Set when the library keeps an engine other than the default (the log says what to set). */
  readonly keptEngine?: Engine;
  /** Closes the database, then releases the lock. */
  close(): void;
}

/**
 * Locks `config.dataDir` and opens its database. Throws DataDirLockedError, SchemaTooNewError or
 * StoreOpenError, having released whatever it had taken.
 */
export function openLibrary(config: Config, onUpgrade: Upgrading): Library {
  const lock = lockDataDir(config.dataDir);
  let db: Db;
  try {
    db = openDatabase(config.dataDir, onUpgrade);
  } catch (err) {
    lock.release();
    if (err instanceof Error && errnoCode(err) !== undefined) throw new StoreOpenError(config.dataDir, err);
    throw err;
  }
  try {
    const { config: chosen, kept } = engineForLibrary(config, libraryEngine(db));
    return {
      db,
      config: chosen,
      ...(kept ? { keptEngine: kept } : {}),
      close: () => {
        try {
          db.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (err) {
    db.close();
    lock.release();
    throw err;
  }
}
