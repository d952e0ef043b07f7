import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type AnalysisRecord, recordAnalysis } from '../../src/store/analysis.js';
import { type Db, integrityProblems, openDatabase } from '../../src/store/db.js';
import { labelledFaceChips } from '../../src/store/face-chips.js';
import { type FaceInput, recordPredictions } from '../../src/store/face-writes.js';
import {
  faceChip,
  faceFeatures,
  facesOfPerson,
  facesOfPhoto,
  personByName,
  personFaceCounts,
  setFaceLabel,
} from '../../src/store/faces.js';
import { latestModels, recordModel } from '../../src/store/models.js';
import { eventsAfter, markDeliveredBelow, markDeliveryFailed, outboxDepth } from '../../src/store/outbox.js';
import { markRemoved } from '../../src/store/photos.js';
import { suggestedFaces, unknownFaceChips } from '../../src/store/unknown-faces.js';
import { at, take } from '../helpers/items.js';
import { tmpDir } from '../helpers/paths.js';

let dir = '';
let db: Db;
before(async () => {
  dir = await tmpDir('facetag-store-labels-');
  db = openDatabase(join(dir, 'data'));
});
after(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

const face = (cx: number, cy: number, predictedPerson: string | null, decisionValue: number | null): FaceInput => ({
  rect: { cx, cy, width: 80, height: 80, angle: 10 },
  strength: 4,
  support: 9,
  chip: new Uint8Array([0x89, 0x50, 0x4e, 0x47, cx & 0xff]),
  chipPadding: 0.25,
  features: new Float64Array([0.5, 0.25, cx]),
  featureKey: 'hog:80x80:9:10:2:L2-Hys',
  predictedPerson,
  decisionValue,
});

const record = (path: string, hash: string, faces: FaceInput[], modelVersion = 'v1'): AnalysisRecord => ({
  path,
  size: 1234,
  mtimeMs: 1_700_000_000_000,
  hash,
  pipelineVersion: 1,
  modelVersion,
  width: 1600,
  height: 1200,
  orientation: 1,
  takenAt: Date.UTC(2019, 6, 14),
  faces,
});

const HASH = 'a'.repeat(64);

test('re-detection never overrides confirmed, rejected or not_a_face labels, and keeps face ids', () => {
  const first = recordAnalysis(
    db,
    null,
    record('/lib/family.jpg', HASH, [
      face(200, 200, 'Bob', 0.4),
      face(600, 200, 'Bob', 0.9),
      face(1000, 200, null, null),
      face(1400, 900, 'Carol', 0.2),
    ]),
    1000,
  );
  assert.equal(first.inserted, 4);
  const [a, b, c, d] = take(facesOfPhoto(db, first.photoId), 4, 'faces of family.jpg');
  assert.deepEqual(setFaceLabel(db, a.id, { state: 'confirmed', person: '  Alice ' }, 2000).ok, true);
  assert.deepEqual(setFaceLabel(db, b.id, { state: 'rejected' }, 2000).ok, true);
  assert.deepEqual(setFaceLabel(db, c.id, { state: 'not_a_face' }, 2000).ok, true);

  // A new pipeline finds the faces a few pixels off, names them all Bob, and misses c entirely.
  const again = recordAnalysis(
    db,
    null,
    record(
      '/lib/family.jpg',
      HASH,
      [
        face(206, 195, 'Bob', 1.5),
        face(604, 204, 'Bob', 1.1),
        face(1404, 905, 'Bob', 0.7),
        face(1400, 300, null, null),
      ],
      'v2',
    ),
    3000,
  );
  assert.deepEqual([again.inserted, again.updated, again.deleted, again.keptUnmatched], [1, 3, 0, 1]);
  const faces = facesOfPhoto(db, first.photoId);
  const byId = new Map(faces.map((f) => [f.id, f]));
  assert.deepEqual(
    [a, b, c, d].map((f) => {
      const now = byId.get(f.id);
      return [now?.label_state, now?.person, now?.predicted_person];
    }),
    [
      ['confirmed', 'Alice', 'Bob'],
      ['rejected', 'Bob', 'Bob'],
      ['not_a_face', null, null],
      ['auto', null, 'Bob'],
    ],
  );
  assert.equal(byId.get(a.id)?.cx, 206, 'geometry follows the new detection');
  assert.equal(byId.get(a.id)?.model_version, 'v2');
  assert.equal(faces.length, 5);

  // An empty detection drops only auto faces.
  recordAnalysis(db, null, record('/lib/family.jpg', HASH, []), 4000);
  assert.deepEqual(
    facesOfPhoto(db, first.photoId).map((f) => f.label_state),
    ['confirmed', 'rejected', 'not_a_face'],
  );
  assert.deepEqual(integrityProblems(db), []);
});

test('labels: bad names and impossible rejections are refused as values, and auto takes a label back', () => {
  const r = recordAnalysis(db, null, record('/lib/solo.jpg', 'b'.repeat(64), [face(300, 300, null, null)]), 1000);
  const [f] = take(facesOfPhoto(db, r.photoId), 1, 'faces of solo.jpg');
  assert.deepEqual(setFaceLabel(db, 999_999, { state: 'not_a_face' }, 1), { ok: false, code: 'face-not-found' });
  assert.deepEqual(setFaceLabel(db, f.id, { state: 'confirmed', person: ' \t' }, 1), {
    ok: false,
    code: 'invalid-person-name',
  });
  assert.deepEqual(setFaceLabel(db, f.id, { state: 'rejected' }, 1), { ok: false, code: 'nothing-to-reject' });
  const rejected = setFaceLabel(db, f.id, { state: 'rejected', person: 'Dave' }, 1);
  assert.ok(rejected.ok && rejected.face.person === 'Dave');
  const back = setFaceLabel(db, f.id, { state: 'auto' }, 2);
  assert.ok(back.ok && back.face.label_state === 'auto' && back.face.person === null && back.face.labelled_at === null);
});

test('re-classification updates predictions only', () => {
  const r = recordAnalysis(
    db,
    null,
    record('/lib/two.jpg', 'c'.repeat(64), [face(100, 100, 'Bob', 0.1), face(500, 100, 'Bob', 0.1)]),
    1000,
  );
  const [x, y] = take(facesOfPhoto(db, r.photoId), 2, 'faces of two.jpg');
  assert.ok(setFaceLabel(db, x.id, { state: 'confirmed', person: 'Erin' }, 1100).ok);
  const touched = recordPredictions(
    db,
    [
      { faceId: x.id, predictedPerson: 'Bob', decisionValue: 2 },
      { faceId: y.id, predictedPerson: null, decisionValue: null },
    ],
    'v3',
    1200,
  );
  assert.equal(touched, 1);
  const [x2, y2] = take(facesOfPhoto(db, r.photoId), 2, 'faces of two.jpg');
  assert.deepEqual(
    [x2.label_state, x2.person, x2.predicted_person, x2.model_version],
    ['confirmed', 'Erin', 'Bob', 'v3'],
  );
  assert.deepEqual([y2.predicted_person, y2.decision_value], [null, null]);
});

test('chips and feature vectors are stored with the face and read back', () => {
  const r = recordAnalysis(db, null, record('/lib/chip.jpg', 'd'.repeat(64), [face(321, 100, null, null)]), 1000);
  const [f] = take(facesOfPhoto(db, r.photoId), 1, 'faces of chip.jpg');
  assert.equal(f.has_chip, 1);
  assert.deepEqual([...(faceChip(db, f.id)?.chip ?? [])], [0x89, 0x50, 0x4e, 0x47, 321 & 0xff]);
  const features = faceFeatures(db, f.id);
  assert.deepEqual([...(features?.features ?? [])], [0.5, 0.25, 321]);
  assert.equal(features?.featureKey, 'hog:80x80:9:10:2:L2-Hys');
});

test("a person's faces page by id; counts show only photos still present", () => {
  const alice = personByName(db, 'Alice');
  assert.ok(alice);
  const r = recordAnalysis(
    db,
    null,
    record('/lib/alice.jpg', 'e'.repeat(64), [
      face(100, 100, 'Alice', 1),
      face(400, 100, 'Alice', 0.5),
      face(700, 100, 'Alice', 0.7),
    ]),
    1000,
  );
  const faces = take(facesOfPhoto(db, r.photoId), 3, 'faces of alice.jpg');
  assert.ok(setFaceLabel(db, faces[0].id, { state: 'confirmed', person: 'Alice' }, 1001).ok);

  const confirmed = facesOfPerson(db, alice.id, { which: 'confirmed', limit: 10 });
  assert.deepEqual(
    confirmed.map((f) => f.path),
    ['/lib/family.jpg', '/lib/alice.jpg'],
  );
  const page1 = facesOfPerson(db, alice.id, { which: 'suggested', limit: 1 });
  const page2 = facesOfPerson(db, alice.id, {
    which: 'suggested',
    limit: 5,
    afterId: at(page1, 0, 'the first page').id,
  });
  assert.deepEqual(
    [...page1, ...page2].map((f) => f.id),
    [faces[1].id, faces[2].id],
  );
  assert.deepEqual(
    personFaceCounts(db).find((p) => p.name === 'Alice'),
    { id: alice.id, name: 'Alice', confirmed: 2, suggested: 2 },
  );
  markRemoved(db, [r.photoId], 2000);
  assert.deepEqual(
    personFaceCounts(db).find((p) => p.name === 'Alice'),
    { id: alice.id, name: 'Alice', confirmed: 1, suggested: 0 },
  );
  assert.throws(() => db.prepare('DELETE FROM persons WHERE id = ?').run(alice.id), /FOREIGN KEY/);
});

test('every change is in the outbox with its transaction; failed deliveries are counted, as plugins read them', () => {
  // Earlier tests' events are delivered first, so this one is the whole depth.
  markDeliveredBelow(db, Number.MAX_SAFE_INTEGER, 49_000);
  const before = outboxDepth(db);
  assert.equal(before, 0);
  const r = recordAnalysis(db, null, record('/lib/outbox.jpg', 'f'.repeat(64), [face(100, 100, null, null)]), 50_000);
  assert.equal(outboxDepth(db), before + 1);
  const events = eventsAfter(db, 0, 1000).events.filter((e) => e.createdAt === 50_000);
  assert.deepEqual(
    events.map((e) => [e.kind, e.payload, e.attempts]),
    [['photo.analysed', { photoId: r.photoId, path: '/lib/outbox.jpg', hash: 'f'.repeat(64), cause: 'analysed' }, 0]],
  );
  const [event] = events;
  assert.ok(event);
  markDeliveryFailed(db, event.id, 'xmp: plugin down');
  markDeliveryFailed(db, event.id, 'xmp: plugin down again');
  // After a restart the runner reads the count back with the event.
  assert.equal(eventsAfter(db, event.id - 1, 1).events[0]?.attempts, 2);
  assert.equal(
    db.prepare('SELECT last_error FROM outbox WHERE id = ?').pluck().get(event.id),
    'xmp: plugin down again',
  );
  markDeliveredBelow(db, event.id + 1, 52_000);
  assert.equal(outboxDepth(db), before);
});

test('models get increasing versions per person', () => {
  const m1 = recordModel(
    db,
    { person: 'Alice', cvScore: 0.8, cvMetric: 'balanced_accuracy', filePath: '/m/a1', fileHash: 'h1' },
    1,
  );
  const m2 = recordModel(
    db,
    { person: 'Alice', cvScore: 0.9, cvMetric: 'balanced_accuracy', filePath: '/m/a2', fileHash: 'h2' },
    2,
  );
  recordModel(db, { person: 'Zoe', cvScore: null, cvMetric: null, filePath: '/m/z1', fileHash: 'h3' }, 3);
  assert.deepEqual([m1.version, m2.version], [1, 2]);
  assert.deepEqual(
    latestModels(db).map((m) => [m.person, m.version, m.file_path]),
    [
      ['Alice', 2, '/m/a2'],
      ['Zoe', 1, '/m/z1'],
    ],
  );
  assert.deepEqual(integrityProblems(db), []);
});

test('an ignored face leaves the unknown list and the suggestions for good, trains as a negative, and keeps re-detection', () => {
  const r = recordAnalysis(
    db,
    null,
    record('/lib/crowd.jpg', '7'.repeat(64), [face(100, 400, null, null), face(500, 400, 'Bob', 0.3)]),
    1000,
  );
  const [stranger, passer] = take(facesOfPhoto(db, r.photoId), 2, 'faces of crowd.jpg');
  const unknownIds = () => unknownFaceChips(db, 1000).map((c) => c.id);
  assert.ok(unknownIds().includes(stranger.id));
  const ignored = setFaceLabel(db, stranger.id, { state: 'ignored' }, 1100);
  assert.ok(ignored.ok);
  assert.deepEqual([ignored.face.label_state, ignored.face.person, ignored.face.labelled_at], ['ignored', null, 1100]);
  assert.ok(setFaceLabel(db, passer.id, { state: 'ignored' }, 1100).ok);
  assert.ok(!unknownIds().includes(stranger.id), 'not in the unknown list');
  const bob = personByName(db, 'Bob');
  assert.ok(bob);
  assert.ok(!facesOfPerson(db, bob.id, { which: 'suggested', limit: 100 }).some((f) => f.id === passer.id));
  assert.ok(!suggestedFaces(db, 100).some((f) => f.id === passer.id), 'not suggested as Bob');
  // Both are in the training set (the trainer counts them against every person).
  const labelled = labelledFaceChips(db).filter((c) => c.id === stranger.id || c.id === passer.id);
  assert.deepEqual(
    labelled.map((c) => [c.label_state, c.person]),
    [
      ['ignored', null],
      ['ignored', null],
    ],
  );
  // A later analysis of the same photo keeps the marks on the same faces.
  recordAnalysis(
    db,
    null,
    record('/lib/crowd.jpg', '7'.repeat(64), [face(102, 401, 'Bob', 0.4), face(499, 400, 'Bob', 0.5)], 'v2'),
    1200,
  );
  const again = facesOfPhoto(db, r.photoId);
  assert.deepEqual(
    again.map((f) => [f.id, f.label_state]),
    [
      [stranger.id, 'ignored'],
      [passer.id, 'ignored'],
    ],
  );
  assert.deepEqual(integrityProblems(db), []);
});
