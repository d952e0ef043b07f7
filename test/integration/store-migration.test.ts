import assert from 'node:assert/strict';
import { mkdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { InputError } from '../../src/cli/args.js';
import { openStoreForCommand } from '../../src/cli/open-store.js';
import { type Analyser, drainJobs } from '../../src/daemon/backfill.js';
import { reconcile } from '../../src/daemon/reconcile.js';
import { hashFile } from '../../src/files/content-hash.js';
import { DB_FILE, integrityProblems, openDatabase } from '../../src/store/db.js';
import { facesOfPhoto } from '../../src/store/faces.js';
import { queueStats } from '../../src/store/jobs.js';
import { MIGRATIONS, migrate, SchemaTooNewError } from '../../src/store/migrations.js';
import { photoByPath } from '../../src/store/photos.js';
import { tmpDir } from '../helpers/paths.js';

let dir = '';
before(async () => {
  dir = await tmpDir('facetag-store-migration-');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A fixed stamp for rows written by hand below; nothing compares it with a clock. */
const T = Date.UTC(2026, 10, 28, 12);

/**
 * v2 (released, pinned) stamps the jobs it queues with SQLite's own clock, `unixepoch('subsec')`,
 * so the queue's clock must not run behind the moment the migration ran: with a fixed date here the
 * jobs were "not due yet" once the calendar passed it, and the drain analysed nothing. In the field
 * both are the one system clock. The fake clock starts from the latest stamp the migration wrote.
 */
function clockAfterMigration(db: Database.Database): () => number {
  const stamp = db.prepare('SELECT coalesce(max(available_at), 0) FROM jobs').pluck().get();
  assert.equal(typeof stamp, 'number');
  const t = Number(stamp);
  return () => t;
}

/** The photo files a v1 database knows. */
type V1Files = Record<'kept' | 'copyA' | 'copyB' | 'edited' | 'broken', string>;

/** What a v1 facetag left behind: v1 schema only, rows written the way v1's photos.ts wrote them. */
async function v1Database(dataDir: string, photos: string): Promise<V1Files> {
  await mkdir(photos, { recursive: true });
  const files: V1Files = {
    kept: join(photos, 'kept.jpg'),
    copyA: join(photos, 'copy-a.jpg'),
    copyB: join(photos, 'copy-b.jpg'),
    edited: join(photos, 'edited.jpg'),
    broken: join(photos, 'broken.jpg'),
  };
  await writeFile(files.kept, 'kept bytes');
  await writeFile(files.copyA, 'same bytes');
  await writeFile(files.copyB, 'same bytes');
  await writeFile(files.edited, 'edited bytes, before');
  await writeFile(files.broken, 'broken');
  await mkdir(dataDir, { recursive: true });
  const db = new Database(join(dataDir, DB_FILE));
  migrate(db, MIGRATIONS.slice(0, 1));
  const photo = db.prepare(
    `INSERT INTO photos (path, size, mtime_ms, width, height, orientation, status, error_code, error_message,
                         pipeline_version, analysed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, '2026-11-20T10:00:00.000Z') RETURNING id`,
  );
  const face = db.prepare(
    'INSERT INTO faces (photo_id, cx, cy, width, height, angle, strength, support) VALUES (?, ?, ?, 40, 40, ?, 3, 5)',
  );
  for (const [name, path] of Object.entries(files)) {
    const s = await stat(path);
    const failed = name === 'broken';
    const { id } = photo.get(
      path,
      s.size,
      Math.trunc(s.mtimeMs),
      failed ? null : 640,
      failed ? null : 480,
      failed ? null : 6,
      failed ? 'failed' : 'done',
      failed ? 'corrupt' : null,
      failed ? `${path}: corrupt image data` : null,
    ) as { id: number };
    if (!failed) {
      face.run(id, 100, 100, 0);
      face.run(id, 300, 200, 15);
    }
  }
  db.close();
  return files;
}

test('a v1 database with data migrates to the current schema and keeps every photo, face and failure', async () => {
  const dataDir = join(dir, 'v1');
  const photos = join(dir, 'v1-photos');
  const files = await v1Database(dataDir, photos);
  // Edited after v1 analysed it: v1's faces belong to bytes nobody can hash any more.
  await writeFile(files.edited, 'edited bytes, after the edit');
  const editedAt = new Date(Date.parse('2026-11-21T08:00:00.000Z'));
  await utimes(files.edited, editedAt, editedAt);

  const db = openDatabase(dataDir);
  try {
    const now = clockAfterMigration(db);
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    assert.deepEqual(integrityProblems(db), []);
    const kept = photoByPath(db, files.kept);
    assert.equal(kept?.status, 'done');
    assert.deepEqual([kept?.width, kept?.height, kept?.orientation, kept?.hash], [640, 480, 6, null]);
    assert.equal(kept?.created_at, Date.parse('2026-11-20T10:00:00.000Z'));
    const keptFaces = facesOfPhoto(db, kept?.id ?? -1);
    assert.deepEqual(
      keptFaces.map((f) => [f.cx, f.cy, f.angle, f.strength, f.support, f.label_state]),
      [
        [100, 100, 0, 3, 5, 'auto'],
        [300, 200, 15, 3, 5, 'auto'],
      ],
    );
    const broken = photoByPath(db, files.broken);
    assert.deepEqual([broken?.status, broken?.error_code, broken?.content_id], ['failed', 'corrupt', null]);
    // One job per analysed v1 photo, so each gets its hash.
    assert.equal(queueStats(db, now()).total, 4);

    const analysed: string[] = [];
    const analyse: Analyser = async (path) => {
      analysed.push(path);
      return { ok: true, width: 640, height: 480, orientation: 1, takenAt: null, modelVersion: null, faces: [] };
    };
    await reconcile({ db, roots: [photos], pipelineVersion: 1, now });
    await drainJobs({ db, pipelineVersion: 1, analyse, now });

    assert.deepEqual(analysed, [files.edited], 'only the file edited since v1 is decoded again');
    const adopted = photoByPath(db, files.kept);
    assert.equal(adopted?.id, kept?.id);
    assert.equal(adopted?.hash, await hashFile(files.kept));
    assert.deepEqual(
      facesOfPhoto(db, adopted?.id ?? -1).map((f) => f.id),
      keptFaces.map((f) => f.id),
      'v1 faces adopted, same rows',
    );
    // Two v1 rows of the same bytes become one content with one set of faces.
    const a = photoByPath(db, files.copyA);
    const b = photoByPath(db, files.copyB);
    assert.equal(a?.content_id, b?.content_id);
    assert.equal(facesOfPhoto(db, b?.id ?? -1).length, 2);
    assert.equal(db.prepare('SELECT count(*) AS n FROM contents WHERE hash IS NULL').pluck().get(), 0);
    assert.equal(db.prepare('SELECT count(*) AS n FROM faces').pluck().get(), 4, 'kept 2 + copies 2 + edited 0');
    assert.equal(photoByPath(db, files.broken)?.status, 'failed', 'a v1 failure stays settled');
    assert.equal(queueStats(db, now()).total, 0);
    assert.deepEqual(integrityProblems(db), []);
  } finally {
    db.close();
  }
});

test('a fresh database gets WAL, foreign keys and a busy timeout; a failing migration leaves nothing behind', () => {
  const db = openDatabase(join(dir, 'fresh'));
  try {
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
    assert.throws(() => migrate(db, [...MIGRATIONS, 'CREATE TABLE half (a); THIS IS NOT SQL']));
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half'").pluck().get(), 0);
    assert.deepEqual(integrityProblems(db), []);
  } finally {
    db.close();
  }
});

test('a database from a newer facetag is refused, and left untouched', () => {
  const dataDir = join(dir, 'newer');
  openDatabase(dataDir).close();
  const raw = new Database(join(dataDir, DB_FILE));
  raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
  raw.close();
  assert.throws(
    () => openDatabase(dataDir),
    (err: unknown) =>
      err instanceof SchemaTooNewError &&
      err.found === MIGRATIONS.length + 1 &&
      new RegExp(`newer than this facetag understands \\(up to ${MIGRATIONS.length}\\)`).test(err.message),
  );
  const after = new Database(join(dataDir, DB_FILE));
  assert.equal(after.pragma('user_version', { simple: true }), MIGRATIONS.length + 1);
  after.close();
});

test("a v3 database's faces survive v4 (the 'ignored' label) unchanged, and its checks still hold", () => {
  const dataDir = join(dir, 'v3');
  return mkdir(dataDir, { recursive: true }).then(() => {
    const raw = new Database(join(dataDir, DB_FILE));
    raw.pragma('foreign_keys = ON');
    migrate(raw, MIGRATIONS.slice(0, 3));
    raw.prepare("INSERT INTO persons (id, name, created_at) VALUES (1, 'Ann', ?), (2, 'Bob', ?)").run(T, T);
    raw
      .prepare(
        `INSERT INTO contents (id, hash, width, height, orientation, pipeline_version, model_version, analysed_at, created_at)
         VALUES (1, ?, 4000, 3000, 1, 3, 'm1', ?, ?)`,
      )
      .run('9'.repeat(64), T, T);
    const insert = raw.prepare(
      `INSERT INTO faces (content_id, cx, cy, width, height, angle, strength, support, density, chip, chip_padding,
         features, feature_key, predicted_person_id, decision_value, model_version, label_state, person_id, labelled_at,
         created_at, updated_at)
       VALUES (1, ?, 100, 80, 80, 15, 3, 7, 0.5, ?, 0.25, ?, 'hog:x', ?, ?, 'm1', ?, ?, ?, ?, ?)`,
    );
    const rows: [string, number | null, number | null][] = [
      ['auto', 2, null],
      ['confirmed', 1, 1],
      ['rejected', 2, 2],
      ['not_a_face', null, null],
    ];
    rows.forEach(([state, predicted, person], i) => {
      insert.run(
        100 + i,
        Buffer.from([0x89, 0x50, i]),
        Buffer.from(new Float32Array([i, 0.5]).buffer),
        predicted,
        predicted === null ? null : 0.25 * i,
        state,
        person,
        state === 'auto' ? null : T + i,
        T,
        T + i,
      );
    });
    const before = raw.prepare('SELECT * FROM faces ORDER BY id').all();
    raw.close();

    const upgrades: [number, number][] = [];
    const db = openDatabase(dataDir, (from, to) => upgrades.push([from, to]));
    try {
      assert.deepEqual(upgrades, [[3, MIGRATIONS.length]], 'told before the upgrade, once');
      assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
      // v5 adds the cluster column (empty until the clustering service places the face), v6 the
      // colour picture (empty until the daemon's filler makes it).
      assert.deepEqual(
        db.prepare('SELECT * FROM faces ORDER BY id').all(),
        before.map((row) => ({ ...(row as object), cluster_id: null, thumb: null })),
        'every column of every face kept',
      );
      assert.deepEqual(
        db
          .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'faces' ORDER BY name")
          .pluck()
          .all(),
        [
          'faces_cluster_id',
          'faces_content_label',
          'faces_person_id',
          'faces_person_state',
          'faces_predicted_person_id',
          'faces_predicted_state',
          'faces_suggested',
          'faces_unknown',
          'faces_without_thumb',
        ],
      );
      assert.deepEqual(integrityProblems(db), []);
      db.prepare("UPDATE faces SET label_state = 'ignored', labelled_at = ? WHERE id = 1").run(T);
      assert.throws(
        () => db.prepare("UPDATE faces SET label_state = 'ignored', person_id = 1 WHERE id = 1").run(),
        /CHECK constraint failed/,
        'an ignored face names no one',
      );
      assert.throws(() => db.prepare("UPDATE faces SET label_state = 'stranger' WHERE id = 1").run(), /CHECK/);
      assert.throws(
        () => db.prepare('DELETE FROM persons WHERE id = 1').run(),
        /FOREIGN KEY/,
        'labels still hold persons',
      );
    } finally {
      db.close();
    }
    // Opening an up-to-date database, or creating a new one, is not an upgrade.
    openDatabase(dataDir, (from, to) => upgrades.push([from, to])).close();
    openDatabase(join(dir, 'fresh-v4'), (from, to) => upgrades.push([from, to])).close();
    assert.equal(upgrades.length, 1);
  });
});

test('commands other than run refuse to upgrade an older database, and leave it as it was', async () => {
  const dataDir = join(dir, 'v3-for-a-command');
  await mkdir(dataDir, { recursive: true });
  const raw = new Database(join(dataDir, DB_FILE));
  migrate(raw, MIGRATIONS.slice(0, 3));
  raw.close();
  assert.throws(
    () => openStoreForCommand('label', { 'data-dir': dataDir }),
    (err: unknown) =>
      err instanceof InputError &&
      new RegExp(
        `schema v3 and this facetag needs v${MIGRATIONS.length}; restart the daemon .* then run facetag label again`,
      ).test(err.message),
  );
  const check = new Database(join(dataDir, DB_FILE), { readonly: true });
  assert.equal(check.pragma('user_version', { simple: true }), 3, 'not upgraded');
  check.close();
  // The daemon's own open upgrades it, and says so first.
  const said: string[] = [];
  openDatabase(dataDir, (from, to) => said.push(`${from}->${to}`)).close();
  assert.deepEqual(said, [`3->${MIGRATIONS.length}`]);
  openStoreForCommand('label', { 'data-dir': dataDir }).db.close();
});

test("v6 dates a v5 database's photos for the list (taken, else mtime), and keeps the date as rows change", async () => {
  const dataDir = join(dir, 'v5-photos');
  await mkdir(dataDir, { recursive: true });
  const raw = new Database(join(dataDir, DB_FILE));
  migrate(raw, MIGRATIONS.slice(0, 5));
  const content = raw.prepare('INSERT INTO contents (hash, taken_at, created_at) VALUES (?, ?, ?)');
  content.run('a'.repeat(64), 1_500_000_000_000, T);
  content.run('b'.repeat(64), null, T);
  const photo = raw.prepare(
    `INSERT INTO photos (path, size, mtime_ms, content_id, status, created_at, updated_at)
     VALUES (?, 1, ?, ?, 'pending', ?, ?)`,
  );
  photo.run('/p/taken.jpg', 1_600_000_000_000, 1, T, T);
  photo.run('/p/file.jpg', 1_650_000_000_000, 2, T, T);
  photo.run('/p/new.jpg', 1_700_000_000_000, null, T, T);
  raw.close();

  const db = openDatabase(dataDir);
  try {
    const listed = () => db.prepare('SELECT path, listed_at FROM photos ORDER BY id').all();
    assert.deepEqual(listed(), [
      { path: '/p/taken.jpg', listed_at: 1_500_000_000_000 },
      { path: '/p/file.jpg', listed_at: 1_650_000_000_000 },
      { path: '/p/new.jpg', listed_at: 1_700_000_000_000 },
    ]);
    // The triggers: a new photo, a touched file, a content that learns its date, a relinked path.
    db.prepare(
      `INSERT INTO photos (path, size, mtime_ms, content_id, status, created_at, updated_at)
       VALUES ('/p/copy.jpg', 1, 1750000000000, 1, 'pending', ?, ?)`,
    ).run(T, T);
    db.prepare("UPDATE photos SET mtime_ms = 1660000000000 WHERE path = '/p/file.jpg'").run();
    db.prepare('UPDATE contents SET taken_at = 1400000000000 WHERE id = 2').run();
    db.prepare("UPDATE photos SET content_id = 1 WHERE path = '/p/new.jpg'").run();
    assert.deepEqual(listed(), [
      { path: '/p/taken.jpg', listed_at: 1_500_000_000_000 },
      { path: '/p/file.jpg', listed_at: 1_400_000_000_000 },
      { path: '/p/new.jpg', listed_at: 1_500_000_000_000 },
      { path: '/p/copy.jpg', listed_at: 1_500_000_000_000 },
    ]);
    assert.deepEqual(integrityProblems(db), []);
  } finally {
    db.close();
  }
});
