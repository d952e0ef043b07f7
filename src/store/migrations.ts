/**
 * Schema migrations: append-only SQL, one string per schema version (index 0 -> user_version 1).
 * Never edit a released entry; add a new one (a unit test pins the SHA-256 of each released one).
 * `PRAGMA user_version` records how many have run.
 *
 * The shape since v2, and why (issue 4, "Identity"):
 * - `contents` is keyed by the SHA-256 of a file's bytes and holds the analysis: dimensions,
 *   orientation, time taken, pipeline/model version. `faces` hang off a content, not a path. So two
 *   copies of one photo share one analysis and one set of labels, a moved or renamed file keeps its
 *   faces (same hash, new path), and a deleted file's labels survive on its content until the bytes
 *   come back.
 * - `photos` is keyed by path: the stat stamp (size, mtime) that lets reconcile skip unchanged
 *   files without reading them, the content the path held when last identified, and the
 *   path's status (pending, done, failed, removed) with its error code. Failures live here because
 *   a file can fail before it has a hash (unreadable).
 * - `jobs` is the work queue (deduplicated per kind and key, leased, backed off), `outbox` the
 *   events for sidecars and plugins, written in the same transactions as the changes they announce.
 * Times in v2+ columns are INTEGER epoch milliseconds (cheap comparisons for leases and backoff).
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
  // v2: content identity, labels, persons, models, the job queue and the outbox. v1 data is kept:
  // each analysed v1 photo becomes a content with an unknown (NULL) hash and keeps its faces; an
  // 'analyse' job per such photo lets the worker hash it, and the worker adopts the v1 analysis
  // when the file's size and mtime are still those analysed (no second detection). Tables are
  // rebuilt (SQLite cannot change a CHECK); faces go first so dropping v1 photos cascades nothing.
  `
  CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    created_at INT NOT NULL
  ) STRICT;

  CREATE TABLE contents (
    id INTEGER PRIMARY KEY,
    -- Lowercase hex SHA-256 of the bytes; NULL only for v1 rows not yet re-hashed.
    hash TEXT UNIQUE CHECK (hash IS NULL OR (length(hash) = 64 AND hash NOT GLOB '*[^0-9a-f]*')),
    -- Oriented (displayed) full-resolution size: the frame face boxes are in.
    width INT,
    height INT,
    orientation INT,
    taken_at INT,
    -- The pipeline version of the outcome: an analysis (analysed_at) or a permanent failure of these
    -- bytes (error_code), so a copy or a touched file of failed bytes is not decoded again.
    pipeline_version INT,
    model_version TEXT,
    analysed_at INT,
    error_code TEXT,
    error_message TEXT,
    created_at INT NOT NULL,
    CHECK (analysed_at IS NULL OR error_code IS NULL),
    CHECK ((analysed_at IS NOT NULL OR error_code IS NOT NULL) = (pipeline_version IS NOT NULL))
  ) STRICT;
  INSERT INTO contents (id, hash, width, height, orientation, pipeline_version, analysed_at, created_at)
    SELECT id, NULL, width, height, orientation, coalesce(pipeline_version, 0),
           coalesce(CAST(unixepoch(analysed_at, 'subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER)),
           coalesce(CAST(unixepoch(analysed_at, 'subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER))
    FROM photos WHERE status = 'done';

  CREATE TABLE faces_v2 (
    id INTEGER PRIMARY KEY,
    content_id INT NOT NULL REFERENCES contents(id) ON DELETE CASCADE,
    -- Rotated box in the oriented full-resolution frame (src/vision/geometry.ts RotatedRect).
    cx REAL NOT NULL,
    cy REAL NOT NULL,
    width REAL NOT NULL,
    height REAL NOT NULL,
    angle REAL NOT NULL,
    strength INT NOT NULL,
    -- Summed strength over the sweep's angles (NULL when the pipeline does not report it).
    support INT,
    density REAL,
    -- The upright face as an encoded image (PNG), cut with chip_padding: in the row, so a face
    -- and its chip are written and deleted in one transaction (no orphan files after a crash).
    chip BLOB,
    chip_padding REAL,
    -- Feature vector (float32 little-endian) and the spec it was computed with, for re-classifying
    -- without decoding the photo again.
    features BLOB,
    feature_key TEXT,
    predicted_person_id INT REFERENCES persons(id) ON DELETE SET NULL,
    decision_value REAL,
    model_version TEXT,
    label_state TEXT NOT NULL DEFAULT 'auto' CHECK (label_state IN ('auto', 'confirmed', 'rejected', 'not_a_face')),
    -- confirmed: who it is; rejected: who it is not (the suggestion turned down). Deleting a person
    -- with labelled faces fails (no ON DELETE action): labels are never dropped implicitly.
    person_id INT REFERENCES persons(id),
    labelled_at INT,
    created_at INT NOT NULL,
    updated_at INT NOT NULL,
    CHECK ((label_state IN ('confirmed', 'rejected')) = (person_id IS NOT NULL)),
    CHECK ((label_state = 'auto') = (labelled_at IS NULL))
  ) STRICT;
  INSERT INTO faces_v2 (id, content_id, cx, cy, width, height, angle, strength, support, created_at, updated_at)
    SELECT f.id, f.photo_id, coalesce(f.cx, 0), coalesce(f.cy, 0), coalesce(f.width, 0), coalesce(f.height, 0),
           coalesce(f.angle, 0), coalesce(f.strength, 0), coalesce(f.support, 0), c.created_at, c.created_at
    FROM faces f JOIN contents c ON c.id = f.photo_id;
  DROP TABLE faces;
  ALTER TABLE faces_v2 RENAME TO faces;
  CREATE INDEX faces_content_id ON faces(content_id);
  CREATE INDEX faces_person_id ON faces(person_id) WHERE person_id IS NOT NULL;
  CREATE INDEX faces_predicted_person_id ON faces(predicted_person_id) WHERE predicted_person_id IS NOT NULL;

  CREATE TABLE photos_v2 (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    -- The stat stamp of the version last identified (hashed); reconcile's fast path compares it.
    size INT NOT NULL,
    mtime_ms INT NOT NULL,
    content_id INT REFERENCES contents(id) ON DELETE SET NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed', 'removed')),
    error_code TEXT,
    error_message TEXT,
    -- The pipeline version that last processed this path (a newer one retries failures).
    pipeline_version INT,
    created_at INT NOT NULL,
    updated_at INT NOT NULL,
    removed_at INT,
    CHECK ((status = 'failed') = (error_code IS NOT NULL)),
    CHECK ((status = 'removed') = (removed_at IS NOT NULL)),
    CHECK (status <> 'done' OR content_id IS NOT NULL)
  ) STRICT;
  INSERT INTO photos_v2 (id, path, size, mtime_ms, content_id, status, error_code, error_message, pipeline_version,
                         created_at, updated_at)
    SELECT p.id, p.path, coalesce(p.size, -1), coalesce(p.mtime_ms, -1), c.id,
           CASE WHEN c.id IS NULL THEN 'failed' ELSE 'done' END,
           CASE WHEN c.id IS NULL THEN coalesce(p.error_code, 'unknown') END,
           CASE WHEN c.id IS NULL THEN p.error_message END,
           p.pipeline_version,
           coalesce(CAST(unixepoch(p.analysed_at, 'subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER)),
           coalesce(CAST(unixepoch(p.analysed_at, 'subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER))
    FROM photos p LEFT JOIN contents c ON c.id = p.id;
  DROP TABLE photos;
  ALTER TABLE photos_v2 RENAME TO photos;
  CREATE INDEX photos_content_id ON photos(content_id);

  CREATE TABLE models (
    id INTEGER PRIMARY KEY,
    person_id INT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    version INT NOT NULL,
    created_at INT NOT NULL,
    cv_score REAL,
    cv_metric TEXT,
    file_path TEXT NOT NULL,
    file_hash TEXT NOT NULL,
    UNIQUE (person_id, version)
  ) STRICT;

  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    -- analyse: key is a photo path; classify: key is a content hash.
    kind TEXT NOT NULL CHECK (kind IN ('analyse', 'classify')),
    key TEXT NOT NULL,
    -- When the job may next be claimed: its due time while waiting, its lease expiry while claimed.
    -- One column, so claiming is one range scan of one index whatever the job's state.
    available_at INT NOT NULL,
    claimed_at INT,
    -- Times claimed, never reset: the lease token that outcomes must present.
    claims INT NOT NULL DEFAULT 0,
    -- Failed attempts, runs that never reported included (drives the backoff and the give-up).
    attempts INT NOT NULL DEFAULT 0,
    -- Enqueued again while claimed: run once more after the current run completes.
    rerun INT NOT NULL DEFAULT 0 CHECK (rerun IN (0, 1)),
    last_error TEXT,
    created_at INT NOT NULL,
    UNIQUE (kind, key)
  ) STRICT;
  CREATE INDEX jobs_available_at ON jobs(available_at, id);
  INSERT INTO jobs (kind, key, available_at, created_at)
    SELECT 'analyse', path, CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER)
    FROM photos WHERE status = 'done';

  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL CHECK (json_valid(payload)),
    created_at INT NOT NULL,
    delivered_at INT,
    attempts INT NOT NULL DEFAULT 0,
    next_attempt_at INT NOT NULL,
    last_error TEXT
  ) STRICT;
  CREATE INDEX outbox_due ON outbox(next_attempt_at, id) WHERE delivered_at IS NULL;
  `,
  // v3: small settings of the library itself, e.g. which engine analysed it (store/pipeline.ts).
  `
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;
  `,
  // v4: the 'ignored' label (a stranger's face: not named, not asked about again). SQLite cannot
  // change a CHECK, so faces is rebuilt with the same columns, rows and indexes.
  `
  CREATE TABLE faces_v4 (
    id INTEGER PRIMARY KEY,
    content_id INT NOT NULL REFERENCES contents(id) ON DELETE CASCADE,
    -- Rotated box in the oriented full-resolution frame (src/vision/geometry.ts RotatedRect).
    cx REAL NOT NULL,
    cy REAL NOT NULL,
    width REAL NOT NULL,
    height REAL NOT NULL,
    angle REAL NOT NULL,
    strength INT NOT NULL,
    -- Summed strength over the sweep's angles (NULL when the pipeline does not report it).
    support INT,
    density REAL,
    -- The upright face as an encoded image (PNG), cut with chip_padding: in the row, so a face
    -- and its chip are written and deleted in one transaction (no orphan files after a crash).
    chip BLOB,
    chip_padding REAL,
    -- Feature vector (float32 little-endian) and the spec it was computed with, for re-classifying
    -- without decoding the photo again.
    features BLOB,
    feature_key TEXT,
    predicted_person_id INT REFERENCES persons(id) ON DELETE SET NULL,
    decision_value REAL,
    model_version TEXT,
    label_state TEXT NOT NULL DEFAULT 'auto' CHECK (label_state IN ('auto', 'confirmed', 'rejected', 'not_a_face', 'ignored')),
    -- confirmed: who it is; rejected: who it is not (the suggestion turned down); ignored: a real
    -- face of nobody to name (a stranger), never suggested again. Deleting a person
    -- with labelled faces fails (no ON DELETE action): labels are never dropped implicitly.
    person_id INT REFERENCES persons(id),
    labelled_at INT,
    created_at INT NOT NULL,
    updated_at INT NOT NULL,
    CHECK ((label_state IN ('confirmed', 'rejected')) = (person_id IS NOT NULL)),
    CHECK ((label_state = 'auto') = (labelled_at IS NULL))
  ) STRICT;
  INSERT INTO faces_v4 (id, content_id, cx, cy, width, height, angle, strength, support, density, chip, chip_padding, features, feature_key,
    predicted_person_id, decision_value, model_version, label_state, person_id, labelled_at, created_at, updated_at)
    SELECT id, content_id, cx, cy, width, height, angle, strength, support, density, chip, chip_padding, features, feature_key,
    predicted_person_id, decision_value, model_version, label_state, person_id, labelled_at, created_at, updated_at FROM faces;
  DROP TABLE faces;
  ALTER TABLE faces_v4 RENAME TO faces;
  CREATE INDEX faces_content_id ON faces(content_id);
  CREATE INDEX faces_person_id ON faces(person_id) WHERE person_id IS NOT NULL;
  CREATE INDEX faces_predicted_person_id ON faces(predicted_person_id) WHERE predicted_person_id IS NOT NULL;
  `,
  // v5: clusters of unknown faces (cluster/face-clusters.ts) and undo of the page's bulk actions.
  // A face keeps its cluster id when it is named, so undoing the name puts it back where it was.
  `
  ALTER TABLE faces ADD COLUMN cluster_id INT;
  CREATE INDEX faces_cluster_id ON faces(cluster_id) WHERE cluster_id IS NOT NULL;
  -- A face a person took out of a cluster never goes back into it.
  CREATE TABLE cluster_exclusions (
    face_id INT NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
    cluster_id INT NOT NULL,
    PRIMARY KEY (face_id, cluster_id)
  ) STRICT, WITHOUT ROWID;
  -- One row per bulk label action: what each face's label was before it, to put back on undo.
  CREATE TABLE label_actions (
    id INTEGER PRIMARY KEY,
    summary TEXT NOT NULL,
    before TEXT NOT NULL CHECK (json_valid(before)),
    created_at INT NOT NULL,
    undone_at INT
  ) STRICT;
  `,
  // v6: colour and pictures (issue 14). A colour picture of each face to look at (the grey chip
  // stays: HOG training decodes it), and the photo list's order: newest first by the photo's own
  // date, else the file's mtime. That date spans two tables, so it is kept on the photo by
  // triggers (every writer, old or new, keeps it right) and indexed for keyset paging.
  `
  -- JPEG, upright, the chip's crop (pipeline/face-thumb.ts); NULL until made (daemon/face-thumb-filler.ts).
  ALTER TABLE faces ADD COLUMN thumb BLOB;
  -- The filler's work list: the faces still without one, by content.
  CREATE INDEX faces_without_thumb ON faces(content_id) WHERE thumb IS NULL;
  -- The photo list counts each content's shown faces: from this index alone, without reading the
  -- rows, whose chips spill into overflow pages (faces=none over 10,000 photos: 346 ms -> a few ms).
  -- It serves every lookup by content, as the index it replaces did.
  DROP INDEX faces_content_id;
  CREATE INDEX faces_content_label ON faces(content_id, label_state);

  -- coalesce(contents.taken_at, photos.mtime_ms), epoch milliseconds.
  ALTER TABLE photos ADD COLUMN listed_at INT;
  UPDATE photos SET listed_at = coalesce((SELECT taken_at FROM contents c WHERE c.id = photos.content_id), mtime_ms);
  CREATE INDEX photos_listed ON photos(listed_at DESC, id DESC) WHERE status <> 'removed';
  CREATE TRIGGER photos_listed_at_insert AFTER INSERT ON photos BEGIN
    UPDATE photos SET listed_at = coalesce((SELECT taken_at FROM contents WHERE id = NEW.content_id), NEW.mtime_ms)
      WHERE id = NEW.id;
  END;
  CREATE TRIGGER photos_listed_at_update AFTER UPDATE OF mtime_ms, content_id ON photos BEGIN
    UPDATE photos SET listed_at = coalesce((SELECT taken_at FROM contents WHERE id = NEW.content_id), NEW.mtime_ms)
      WHERE id = NEW.id;
  END;
  CREATE TRIGGER contents_listed_at AFTER UPDATE OF taken_at ON contents BEGIN
    UPDATE photos SET listed_at = coalesce(NEW.taken_at, mtime_ms) WHERE content_id = NEW.id;
  END;

  -- The page's first views read every unknown face and the suggestions. Columns added after the
  -- chip (cluster_id) or stored after it (label_state) sit in the row's overflow pages, so a scan of
  -- the rows reads ~10 KB per face: covering partial indexes answer from the index alone
  -- (every unknown face of 15,000: 319 ms -> 32 ms, with store/clusters.ts unknownFaces).
  CREATE INDEX faces_unknown ON faces(content_id, cluster_id, strength)
    WHERE label_state = 'auto' AND predicted_person_id IS NULL AND chip IS NOT NULL;
  CREATE INDEX faces_suggested ON faces(predicted_person_id, decision_value, content_id)
    WHERE label_state = 'auto' AND chip IS NOT NULL AND predicted_person_id IS NOT NULL;
  -- The people list counts named and suggested faces per person.
  CREATE INDEX faces_person_state ON faces(person_id, label_state, content_id) WHERE person_id IS NOT NULL;
  CREATE INDEX faces_predicted_state ON faces(predicted_person_id, label_state, content_id)
    WHERE predicted_person_id IS NOT NULL;
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

/** Told before an existing database is upgraded (a rebuild of a large table can take a while). */
export type Upgrading = (from: number, to: number) => void;

/**
 * Bring the schema up to date: every pending migration and the user_version bump in ONE
 * transaction, so a crash leaves the old schema intact. IMMEDIATE takes the write lock before
 * re-reading the version, so two processes starting together cannot both migrate.
 */
export function migrate(
  db: Database.Database,
  migrations: readonly string[] = MIGRATIONS,
  onUpgrade?: Upgrading,
): number {
  const run = db.transaction(() => {
    const current = userVersion(db);
    if (current > migrations.length) throw new SchemaTooNewError(db.name, current, migrations.length);
    if (current > 0 && current < migrations.length) onUpgrade?.(current, migrations.length);
    for (let v = current; v < migrations.length; v++) db.exec(migrations[v]!);
    // PRAGMA takes no bound parameters; the value is our own integer.
    if (current < migrations.length) db.pragma(`user_version = ${migrations.length}`);
    return migrations.length;
  });
  return run.immediate();
}
