import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import * as z from 'zod';
import { type Analyser, drainJobs } from '../../src/daemon/backfill.js';
import { reconcile } from '../../src/daemon/reconcile.js';
import { type Hasher, hashFile } from '../../src/files/content-hash.js';
import { type Db, integrityProblems, openDatabase } from '../../src/store/db.js';
import { facesOfPhoto, personFaceCounts, setFaceLabel } from '../../src/store/faces.js';
import { eventsAfter } from '../../src/store/outbox.js';
import { counts, photoByPath } from '../../src/store/photos.js';
import { first, take } from '../helpers/items.js';
import { tmpDir } from '../helpers/paths.js';

/** A stand-in photo: JSON naming its faces, so tests need no decoder. */
type Box = [cx: number, cy: number, size: number];
const photoText = z.object({ faces: z.array(z.tuple([z.number(), z.number(), z.number()])) });

async function writePhoto(path: string, faces: Box[], salt = ''): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify({ faces, salt }));
}

async function copyTo(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await copyFile(from, to);
}

async function moveTo(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await rename(from, to);
}

let dir = '';
let photos = '';
let db: Db;
let clock = Date.UTC(2026, 10, 1);
const analysed: string[] = [];
let hashes = 0;

const analyse: Analyser = async (path) => {
  analysed.push(path);
  const { faces } = photoText.parse(JSON.parse(await readFile(path, 'utf8')));
  return {
    ok: true,
    width: 640,
    height: 480,
    orientation: 1,
    takenAt: null,
    modelVersion: 'm1',
    faces: faces.map(([cx, cy, size]) => ({
      rect: { cx, cy, width: size, height: size, angle: 0 },
      strength: 4,
      support: 8,
      predictedPerson: null,
      decisionValue: null,
    })),
  };
};
const hasher: Hasher = (path) => {
  hashes++;
  return hashFile(path);
};

/** What the daemon does for a change: reconcile, then work off the queue. */
async function pass() {
  clock += 60_000;
  analysed.length = 0;
  hashes = 0;
  const now = () => clock;
  const report = await reconcile({ db, roots: [photos], pipelineVersion: 1, now, hasher });
  await drainJobs({ db, pipelineVersion: 1, analyse, now, hasher });
  return report;
}

const p = (name: string) => join(photos, name);

before(async () => {
  dir = await tmpDir('facetag-store-identity-');
  photos = join(dir, 'photos');
  await writePhoto(p('2019/beach.jpg'), [
    [100, 100, 50],
    [300, 120, 60],
  ]);
  await writePhoto(p('2019/party.jpg'), [[200, 200, 80]]);
  db = openDatabase(join(dir, 'data'));
  await pass();
  assert.deepEqual(analysed.sort(), [p('2019/beach.jpg'), p('2019/party.jpg')]);
});
after(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

test('a renamed and moved file keeps its photo row, faces and confirmed label, without being decoded again', async () => {
  const before = photoByPath(db, p('2019/beach.jpg'));
  const faces = facesOfPhoto(db, before?.id ?? -1);
  assert.equal(faces.length, 2);
  const label = setFaceLabel(db, first(faces, 'faces of beach.jpg').id, { state: 'confirmed', person: 'Alice' }, clock);
  assert.ok(label.ok);

  await moveTo(p('2019/beach.jpg'), p('albums/summer/beach-2019.jpg'));
  const report = await pass();
  assert.equal(report.moved, 1);
  assert.equal(report.removed, 0);
  assert.equal(hashes, 1, 'only the move candidate is hashed');
  assert.deepEqual(analysed, []);

  assert.equal(photoByPath(db, p('2019/beach.jpg')), undefined);
  const moved = photoByPath(db, p('albums/summer/beach-2019.jpg'));
  assert.equal(moved?.id, before?.id);
  assert.equal(moved?.status, 'done');
  const after = facesOfPhoto(db, moved?.id ?? -1);
  assert.deepEqual(
    after.map((f) => f.id),
    faces.map((f) => f.id),
  );
  const moved0 = first(after, 'faces after the move');
  assert.deepEqual([moved0.label_state, moved0.person], ['confirmed', 'Alice']);
  const events = eventsAfter(db, 0, 1000).events.filter((e) => e.kind === 'photo.moved');
  assert.deepEqual(
    events.map((e) => [e.payload.path, e.kind === 'photo.moved' ? e.payload.from : '']),
    [[p('albums/summer/beach-2019.jpg'), p('2019/beach.jpg')]],
  );
});

test('a move that changes the mtime still finds the content by hash and keeps the label', async () => {
  // copy + delete: new mtime, so not a stat-level move candidate; the job's hash links it.
  await copyTo(p('albums/summer/beach-2019.jpg'), p('elsewhere/beach.jpg'));
  await rm(p('albums/summer/beach-2019.jpg'));
  const report = await pass();
  assert.deepEqual([report.moved, report.removed, report.queued.new], [0, 1, 1]);
  assert.deepEqual(analysed, [], 'same bytes: not decoded again');
  const photo = photoByPath(db, p('elsewhere/beach.jpg'));
  assert.equal(photo?.status, 'done');
  const faces = facesOfPhoto(db, photo?.id ?? -1);
  assert.deepEqual(
    faces.map((f) => f.person),
    ['Alice', null],
  );
  // The old path's tombstone went once the bytes were back.
  assert.equal(photoByPath(db, p('albums/summer/beach-2019.jpg')), undefined);
});

test('two copies of the same bytes share one analysis and one set of labels', async () => {
  await copyTo(p('2019/party.jpg'), p('backup/party-copy.jpg'));
  const facesBefore = counts(db).faces;
  await pass();
  assert.deepEqual(analysed, []);
  const original = photoByPath(db, p('2019/party.jpg'));
  const copy = photoByPath(db, p('backup/party-copy.jpg'));
  assert.equal(copy?.status, 'done');
  assert.equal(copy?.content_id, original?.content_id);
  assert.notEqual(copy?.id, original?.id);
  assert.equal(counts(db).faces, facesBefore, 'faces are per content, not per copy');

  const [face] = take(facesOfPhoto(db, copy?.id ?? -1), 1, 'faces of the copy');
  const reuseEvents = eventsAfter(db, 0, 1000).events.filter((e) => e.createdAt === clock);
  assert.deepEqual(
    reuseEvents.map((e) => [e.kind, e.payload.path]),
    [['photo.analysed', p('backup/party-copy.jpg')]],
    'the new copy is announced (its sidecar), the original is not',
  );
  const labelledAt = clock + 1;
  assert.ok(setFaceLabel(db, face.id, { state: 'confirmed', person: 'Bob' }, labelledAt).ok);
  assert.equal(
    first(facesOfPhoto(db, original?.id ?? -1), 'faces of the original').person,
    'Bob',
    'labelled on one copy, seen on both',
  );
  // One label change, one event per file showing it (each may carry a sidecar).
  const labelled = eventsAfter(db, 0, 1000).events.filter((e) => e.createdAt === labelledAt);
  assert.deepEqual(
    labelled.map((e) => e.payload.path).sort(),
    [p('2019/party.jpg'), p('backup/party-copy.jpg')].sort(),
  );
});

test('a deleted file is marked removed, and its confirmed labels come back with its bytes', async () => {
  await rm(p('elsewhere/beach.jpg'));
  const report = await pass();
  assert.equal(report.removed, 1);
  const gone = photoByPath(db, p('elsewhere/beach.jpg'));
  assert.equal(gone?.status, 'removed');
  assert.ok(gone?.content_id !== null, 'the row still knows its content');
  assert.equal(personFaceCounts(db).find((c) => c.name === 'Alice')?.confirmed, 0, 'removed photos are not shown');

  // Weeks later the photo is restored from a backup under another name.
  await writePhoto(p('restored/beach.jpg'), [
    [100, 100, 50],
    [300, 120, 60],
  ]);
  await pass();
  assert.deepEqual(analysed, []);
  const back = photoByPath(db, p('restored/beach.jpg'));
  assert.equal(back?.content_id, gone?.content_id);
  assert.deepEqual(
    facesOfPhoto(db, back?.id ?? -1).map((f) => [f.label_state, f.person]),
    [
      ['confirmed', 'Alice'],
      ['auto', null],
    ],
  );
  assert.equal(personFaceCounts(db).find((c) => c.name === 'Alice')?.confirmed, 1);
  assert.deepEqual(integrityProblems(db), []);
});

test('a file edited in place is analysed again; the old version keeps its labels on its own content', async () => {
  const party = photoByPath(db, p('2019/party.jpg'));
  await writePhoto(p('2019/party.jpg'), [[210, 200, 80]], 'edited');
  await pass();
  assert.deepEqual(analysed, [p('2019/party.jpg')]);
  const edited = photoByPath(db, p('2019/party.jpg'));
  assert.equal(edited?.id, party?.id);
  assert.notEqual(edited?.content_id, party?.content_id);
  // The backup copy still holds the old bytes, with Bob.
  const copyFaces = facesOfPhoto(db, photoByPath(db, p('backup/party-copy.jpg'))?.id ?? -1);
  assert.equal(first(copyFaces, 'faces of the backup copy').person, 'Bob');
  assert.equal(first(facesOfPhoto(db, edited?.id ?? -1), 'faces of the edited photo').label_state, 'auto');
  assert.deepEqual(integrityProblems(db), []);
});
