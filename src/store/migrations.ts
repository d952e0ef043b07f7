/**
 * Schema migrations: append-only SQL, one string per schema version (index 0 -> user_version 1).
 * Never edit a released entry; add a new one. `PRAGMA user_version` records how many have run.
 */
import type Database from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  // v1: minimal backfill index. Later versions add content hashes, persons and labels.
  // STRICT so a float mtime or a text size is an error rather than silently stored.
  `
  CREATE TABLE photos (
    id INTEGER PRIMARY KEY,
    path TEXT UNIQUE NOT NULL,
    size INT,
    mtime_ms INT,
    width INT,
    height INT,
    orientation INT,
    status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
    error_code TEXT,
    error_message TEXT,
    pipeline_version INT,
    analysed_at TEXT
  ) STRICT;
  CREATE TABLE faces (
    id INTEGER PRIMARY KEY,
    photo_id INT NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    cx REAL,
    cy REAL,
    width REAL,
    height REAL,
    angle REAL,
    strength INT,
    support INT
  ) STRICT;
  -- Replacing a photo's faces and the cascade delete both look faces up by photo.
  CREATE INDEX faces_photo_id ON faces(photo_id);
  `,
];

/** The database was written by a newer facetag: opening it could corrupt data this code does not know. */
export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
  constructor(
    readonly file: string,
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `${file}: database schema version ${found} is newer than this facetag understands (up to ${known}); ` +
        'upgrade facetag, or point --data-dir at another folder',
    );
  }
}

function userVersion(db: Database.Database): number {
  const v: unknown = db.pragma('user_version', { simple: true });
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`unexpected user_version ${String(v)}`);
  return v;
}

/**
 * Bring the schema up to date: every pending migration and the user_version bump in ONE
 * transaction, so a crash leaves the old schema intact. IMMEDIATE takes the write lock before
 * re-reading the version, so two processes starting together cannot both migrate.
 */
export function migrate(db: Database.Database, migrations: readonly string[] = MIGRATIONS): number {
  const run = db.transaction(() => {
    const current = userVersion(db);
    if (current > migrations.length) throw new SchemaTooNewError(db.name, current, migrations.length);
    for (let v = current; v < migrations.length; v++) db.exec(migrations[v]);
    // PRAGMA takes no bound parameters; the value is our own integer.
    if (current < migrations.length) db.pragma(`user_version = ${migrations.length}`);
    return migrations.length;
  });
  return run.immediate();
}
