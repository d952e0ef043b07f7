import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { recognisingAnalyser } from '../../src/daemon/analyser.js';
import { backfill } from '../../src/daemon/backfill.js';
import { modelSetOf } from '../../src/daemon/model-set.js';
import { openDatabase } from '../../src/store/db.js';
import { facesOfPhoto } from '../../src/store/faces.js';
import { MIGRATIONS, SchemaTooNewError } from '../../src/store/migrations.js';
import { counts, photoByPath } from '../../src/store/photos.js';
import { cliPath, detectionImages, uprightDetector } from '../helpers/detector.js';
import { tmpDir } from '../helpers/paths.js';

const images = detectionImages;
const cli = cliPath;
const execFileP = promisify(execFile);
const detector = uprightDetector();
// One photo through the pipeline as `run --once` takes it: no models yet, a truncated file fails.
const analyse = recognisingAnalyser(detector, () => modelSetOf([], {}), { retryTruncated: false });

let dir = '';
let photos = '';
const big = () => join(photos, '2007_007763.jpg');
const small = () => join(photos, 'sub/pic00072.jpg');
const corrupt = () => join(photos, 'sub/cut.jpg');

before(async () => {
  dir = await tmpDir('facetag-run-');
  photos = join(dir, 'photos');
  await mkdir(join(photos, 'sub'), { recursive: true });
  await copyFile(join(images, '2007_007763.jpg'), big());
  await copyFile(join(images, 'pic00072.jpg'), small());
  // A JPEG cut in half: what a photo still being copied looks like.
  const bytes = await readFile(join(images, '2008_001009.jpg'));
  await writeFile(corrupt(), bytes.subarray(0, bytes.length >> 1));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('backfill records photos and faces once, re-analyses only changed files, keeps going past bad ones', async () => {
  const db = openDatabase(join(dir, 'data'));
  try {
    const first = await backfill({ db, photoDirs: [photos], analyse });
    assert.equal(first.found, 3);
    assert.equal(first.analysed, 2);
    assert.equal(first.skipped, 0);
    assert.deepEqual(
      first.failed.map((f) => [f.file, f.reason]),
      [[corrupt(), 'truncated']],
    );
    assert.deepEqual(counts(db), { photos: 3, done: 2, failed: 1, faces: first.faces });

    const bad = photoByPath(db, corrupt());
    assert.equal(bad?.status, 'failed');
    assert.equal(bad?.error_code, 'truncated');
    assert.match(bad?.error_message ?? '', /cut\.jpg: truncated image/);
    const bigRow = photoByPath(db, big());
    assert.equal(bigRow?.status, 'done');
    assert.deepEqual([bigRow?.width, bigRow?.height, bigRow?.orientation], [500, 375, 1]);
    const bigFaces = facesOfPhoto(db, bigRow?.id ?? -1);
    assert.equal(bigFaces.length, 2);
    // Each face as the daemon stores it: a box, a strength and a chip to label and train on.
    for (const f of bigFaces) assert.ok(f.width >= 24 && f.strength >= 1 && f.has_chip === 1, JSON.stringify(f));
    const smallRow = photoByPath(db, small());
    const smallFaces = facesOfPhoto(db, smallRow?.id ?? -1);
    assert.ok(smallFaces.length >= 1);

    const second = await backfill({ db, photoDirs: [photos], analyse });
    assert.deepEqual([second.analysed, second.skipped, second.failed.length, second.faces], [0, 3, 0, 0]);

    // Whole seconds: utimes goes through float seconds, so a millisecond value may not round-trip.
    const later = new Date(Math.floor(Date.now() / 1000) * 1000 + 60_000);
    await utimes(small(), later, later);
    const third = await backfill({ db, photoDirs: [photos], analyse });
    assert.deepEqual([third.analysed, third.skipped, third.failed.length], [1, 2, 0]);
    assert.deepEqual(
      counts(db),
      { photos: 3, done: 2, failed: 1, faces: first.faces },
      'faces replaced, not duplicated',
    );
    const again = photoByPath(db, small());
    assert.equal(again?.id, smallRow?.id, 'photo id stays stable');
    assert.equal(again?.mtime_ms, Math.trunc(later.getTime()));
    assert.equal(facesOfPhoto(db, again?.id ?? -1).length, smallFaces.length);
  } finally {
    db.close();
  }
});

test('a database from a newer facetag is refused with a clear message', async () => {
  const dataDir = join(dir, 'newer');
  const db = openDatabase(dataDir);
  db.pragma('user_version = 999');
  db.close();
  assert.throws(
    () => openDatabase(dataDir),
    (err: unknown) =>
      err instanceof SchemaTooNewError &&
      err.message.includes(`schema version 999 is newer than this facetag understands (up to ${MIGRATIONS.length})`),
  );

  const result = await execFileP(process.execPath, [cli, 'run', '--photos', photos, '--data-dir', dataDir], {
    encoding: 'utf8',
  }).catch((err: { code: number; stdout: string; stderr: string }) => err);
  assert.equal('code' in result ? result.code : 0, 1);
  assert.match(result.stderr, /facetag run: .*facetag\.db: database schema version 999 is newer/);
});

test('facetag run: one pass on a config file, summary printed, exit 0 despite a bad photo', async () => {
  const configFile = join(dir, 'config.json');
  await writeFile(
    configFile,
    JSON.stringify({
      photos: ['/nonexistent'],
      // The seed's cascade, with the same fixed settings as uprightDetector().
      engine: 'cascade',
      detection: { rotationStep: 360, workers: 1, stepRatio: 1.5, minNeighbours: 4, minHitDensity: 0 },
    }),
  );
  const dataDir = join(dir, 'cli-data');
  const env = { ...process.env, FACETAG_PHOTOS: '' };
  const args = [cli, 'run', '--once', '--photos', photos, '--config', configFile, '--data-dir', dataDir];
  const first = await execFileP(process.execPath, args, { encoding: 'utf8', env });
  assert.match(first.stdout, /facetag run --once: one backfill pass/);
  assert.match(first.stdout, /analysed: 2 photo\(s\), 3 face\(s\) found/);
  assert.match(first.stdout, /failed: +1/);
  assert.match(first.stdout, /cut\.jpg: truncated image .*\[truncated\]/);
  assert.ok(first.stdout.includes(`data dir: ${dataDir}`));
  const second = await execFileP(process.execPath, args, { encoding: 'utf8', env });
  assert.match(second.stdout, /analysed: 0 photo\(s\)/);
  assert.match(second.stdout, /skipped: +3 up to date/);
});
