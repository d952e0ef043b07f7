/** What a plugin is told: the event built from the store's state at delivery time. */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { PhotoTaggedEvent } from '../../src/plugins/api.js';
import { buildEvent } from '../../src/plugins/events.js';
import { type Db, openDatabase } from '../../src/store/db.js';
import { recordPredictions } from '../../src/store/face-writes.js';
import { setFaceLabel } from '../../src/store/faces.js';
import { eventsAfter } from '../../src/store/outbox.js';
import { movePhoto } from '../../src/store/photos.js';
import { hashOf, seedPhoto } from '../helpers/fake-gallery.js';
import { at, take } from '../helpers/items.js';
import { tmpDir } from '../helpers/paths.js';

let dir = '';
let db: Db;
before(async () => {
  dir = await tmpDir('facetag-plugin-events-');
  db = openDatabase(join(dir, 'data'));
});
after(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

const latest = (photoId: number) => {
  const e = eventsAfter(db, 0, 10_000)
    .events.filter((x) => x.payload.photoId === photoId)
    .pop();
  assert.ok(e);
  return e;
};

test('named faces only, boxes clipped to the image, copies listed, a move says where from', () => {
  const faces = [
    { rect: { cx: 190, cy: 50, width: 40, height: 20 }, confirmed: 'Ann' },
    { rect: { cx: 50, cy: 50, width: 20, height: 20 }, auto: { name: 'Ben', value: -0.3 } },
    { rect: { cx: 100, cy: 50, width: 20, height: 20 }, auto: { name: 'Cat', value: 0.8 } },
    { rect: { cx: 150, cy: 50, width: 20, height: 20 }, auto: { name: 'Dee', value: 0.9 } },
    { rect: { cx: 20, cy: 20, width: 10, height: 10, angle: 45 } },
  ];
  const photo = { hash: hashOf(1), width: 200, height: 100, orientation: 8, faces };
  const { photoId, faceIds } = seedPhoto(db, { ...photo, path: '/lib/a.jpg' }, 1000);
  // The same bytes at a second path (the same detection, so the faces stay as they are).
  seedPhoto(db, { ...photo, path: '/lib/copy.jpg', faces: faces.map((f) => ({ rect: f.rect, auto: f.auto })) }, 1001);
  setFaceLabel(db, at(faceIds, 2, 'face ids'), { state: 'rejected' }, 1001);
  setFaceLabel(db, at(faceIds, 3, 'face ids'), { state: 'not_a_face' }, 1002);
  const event = buildEvent(db, latest(photoId)) as PhotoTaggedEvent;
  assert.equal(event.kind, 'photo.tagged');
  assert.equal(event.cause, 'labelled', 'the last change of the photo was a label');
  assert.deepEqual(event.displayed, { width: 200, height: 100 });
  assert.deepEqual(event.stored, { width: 100, height: 200 }, 'orientation 8 turns a quarter');
  assert.equal(event.hash, hashOf(1));
  assert.deepEqual(event.copies, ['/lib/copy.jpg']);
  assert.equal(event.detectedFaces, 5);
  assert.deepEqual(
    event.faces.map((f) => [f.name, f.source, f.value]),
    [
      ['Ann', 'confirmed', null],
      ['Ben', 'auto', -0.3],
    ],
    'rejected, not-a-face and unnamed faces are not sent; the threshold is the plugin’s business',
  );
  assert.deepEqual(
    at(event.faces, 0, 'event faces').box,
    { x: 170, y: 40, width: 30, height: 20 },
    'clipped at the right edge',
  );

  movePhoto(db, photoId, { path: '/lib/moved/a.jpg', size: 1000, mtimeMs: 2 }, 2000);
  const moved = buildEvent(db, latest(photoId)) as PhotoTaggedEvent;
  assert.equal(moved.cause, 'moved');
  assert.equal(moved.path, '/lib/moved/a.jpg');
  assert.equal(moved.movedFrom, '/lib/a.jpg');
  // An older event of the photo is delivered with today's path and faces: events are cues.
  const [first] = take(eventsAfter(db, 0, 1).events, 1, 'events');
  assert.equal((buildEvent(db, first) as PhotoTaggedEvent).path, '/lib/moved/a.jpg');
  assert.equal((buildEvent(db, first) as PhotoTaggedEvent).cause, 'analysed', 'its cause stays its own');
});

test('each cause says what happened: analysed, labelled, reclassified; a row from before causes reads analysed', () => {
  const { photoId, faceIds } = seedPhoto(
    db,
    {
      hash: hashOf(7),
      width: 200,
      height: 100,
      orientation: 1,
      path: '/lib/causes.jpg',
      faces: [{ rect: { cx: 50, cy: 50, width: 20, height: 20 }, auto: { name: 'Ben', value: 0.4 } }],
    },
    3000,
  );
  const causeNow = () => (buildEvent(db, latest(photoId)) as PhotoTaggedEvent).cause;
  assert.equal(causeNow(), 'analysed');
  setFaceLabel(db, at(faceIds, 0, 'face ids'), { state: 'confirmed', person: 'Ben' }, 3001);
  assert.equal(causeNow(), 'labelled');
  recordPredictions(
    db,
    [{ faceId: at(faceIds, 0, 'face ids'), predictedPerson: 'Cat', decisionValue: 0.9 }],
    'v9',
    3002,
  );
  assert.equal(causeNow(), 'reclassified');
  db.prepare(
    "INSERT INTO outbox (kind, payload, created_at, next_attempt_at) VALUES ('photo.analysed', ?, 3003, 3003)",
  ).run(JSON.stringify({ photoId, path: '/lib/causes.jpg', hash: hashOf(7) }));
  assert.equal(causeNow(), 'analysed');
});
