/**
 * The library's store, as the daemon and `run --once` open it: the data folder's lock first (one
 * daemon per folder, decided before anything else starts), then the database (upgraded when
 * older), then the engine the library keeps. Closing releases both. Nothing is logged here: a
 * refusal (another daemon, a newer schema, an unreadable file) is thrown before any component
 * starts, and the caller says it. Which engine a library keeps is decided at the end of the file.
 */

import { type Config, DEFAULT_ENGINE, ENGINES, type Engine } from '../config/schema.js';
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

// ---- The library's engine ----
/*
 * Which engine a library is analysed with. A person's choice (config file or --engine) always
 * wins. Without one, a library keeps the engine that analysed it, since switching analyses every
 * photo again, which on a large library takes hours and must never happen behind the family's
 * back; a library nothing has analysed yet gets the default. engineForLibrary is pure.
 */

export interface LibraryEngine {
  readonly config: Config;
  /** Set when the library keeps an engine other than the default: the log says what to set. */
  readonly kept?: Engine;
}

/** `recorded`: the engine the store says analysed the library (undefined for a new library). */
export function engineForLibrary(config: Config, recorded: string | undefined): LibraryEngine {
  if (config.engineChosen || recorded === undefined) return { config };
  const own = ENGINES.find((e) => e === recorded);
  if (own === undefined) throw new Error(`the library records an unknown engine ${JSON.stringify(recorded)}`);
  if (own === config.engine) return { config };
  return { config: { ...config, engine: own }, ...(own !== DEFAULT_ENGINE ? { kept: own } : {}) };
}

/** The log line for a library that keeps an engine that is not the default. */
export function keptEngineAdvice(kept: Engine): string {
  return `this library was analysed with the ${kept} engine and keeps it; set "engine": "${DEFAULT_ENGINE}" in the config to analyse every photo again with the ${DEFAULT_ENGINE} engine (labels are kept; models are retrained), or "engine": "${kept}" to silence this`;
}
