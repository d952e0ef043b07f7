/**
 * The daemon's filler makes colour pictures for faces analysed before v6: all of them, one content
 * at a time, only while analysis is idle, and it carries on after a restart.
 */
import assert from 'node:assert/strict';
import { copyFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { createLogger } from '../../src/core/logger.js';
import { analysePhoto } from '../../src/daemon/analyser.js';
import { startFaceThumbFiller } from '../../src/daemon/face-thumb-filler.js';
import { recordAnalysis } from '../../src/store/analysis.js';
import { type Db, openDatabase } from '../../src/store/db.js';
import { countThumblessFaces, facePicture } from '../../src/store/face-thumbs.js';
import { facesOfPhoto } from '../../src/store/faces.js';
import { uprightDetector } from '../helpers/detector.js';
import { type FakeTimers, fakeTimers, settle } from '../helpers/fake-timers.js';
import { sharedDir, tmpDir } from '../helpers/paths.js';

const library = join(sharedDir, 'data/library/photos/2020/01');
const log = createLogger({ write: () => {}, syslogPrefix: false });
const detector = uprightDetector();
let dir = '';
const photoIds: number[] = [];

/** A store as v5 left it: faces with their grey chip and no colour picture. */
before(async () => {
  dir = await tmpDir('facetag-filler-');
  const db = openDatabase(join(dir, 'data'));
  try {
    for (const name of (await readdir(library)).sort()) {
      const path = join(dir, name);
      await copyFile(join(library, name), path);
      const a = await analysePhoto(path, detector, undefined);
      if (a.faces.length === 0) continue;
      const { photoId } = recordAnalysis(
        db,
        null,
        {
          path,
          size: 1,
          mtimeMs: 1,
          hash: String(photoIds.length + 1).padStart(64, '0'),
          pipelineVersion: 1,
          modelVersion: null,
          width: a.width,
          height: a.height,
          orientation: a.orientation,
          takenAt: null,
          faces: a.faces.map((f) => ({ rect: f.rect, strength: f.strength, chip: f.chipPng, chipPadding: 0.25 })),
        },
        0,
      );
      photoIds.push(photoId);
      if (photoIds.length === 3) break;
    }
    assert.equal(photoIds.length, 3, 'three photos with faces in the dev library');
  } finally {
    db.close();
  }
});
after(() => rm(dir, { recursive: true, force: true }));

const fill = (db: Db, options: { busy?: () => boolean; onContent?: (id: number) => void; timers?: FakeTimers } = {}) =>
  startFaceThumbFiller({
    db,
    log,
    decode: { detection: detector.detection, maxPixels: detector.maxPixels },
    busy: options.busy ?? (() => false),
    pauseMs: 0,
    ...(options.onContent ? { onContent: options.onContent } : {}),
    ...(options.timers ? { timers: options.timers } : {}),
  });

test('the filler waits while analysis is busy, stops half-way, and finishes after a restart', async () => {
  let db = openDatabase(join(dir, 'data'));
  const total = countThumblessFaces(db);
  assert.ok(total >= 3);

  // Busy analysis: nothing is made, and the filler looks again every busyWaitMs (5 s), no sooner.
  let looked = 0;
  const timers = fakeTimers();
  const waiting = fill(db, {
    timers,
    busy: () => {
      looked++;
      return true;
    },
  });
  await settle();
  assert.equal(looked, 1);
  timers.advance(4_999);
  await settle();
  assert.equal(looked, 1, 'not before 5 s');
  timers.advance(1);
  await settle();
  assert.equal(looked, 2);
  for (const _ of [1, 2]) {
    timers.advance(5_000);
    await settle();
  }
  assert.equal(looked, 4, 'once every 5 s');
  await waiting.stop();
  assert.equal(timers.pending(), 0, 'stopping cancels its wait');
  assert.equal(countThumblessFaces(db), total);

  // Stopped after the first content (as a shutdown would).
  let first: ReturnType<typeof fill> | undefined;
  first = fill(db, { onContent: () => void first?.stop() });
  const report = await first.finished;
  assert.equal(report.complete, false);
  const afterFirst = countThumblessFaces(db);
  assert.ok(afterFirst < total && afterFirst > 0, `${afterFirst} of ${total} left`);
  db.close();

  // A restart carries on from the store.
  db = openDatabase(join(dir, 'data'));
  try {
    const second = await fill(db).finished;
    assert.deepEqual([second.complete, second.skipped, second.filled], [true, 0, afterFirst]);
    assert.equal(countThumblessFaces(db), 0);
    for (const photoId of photoIds) {
      for (const f of facesOfPhoto(db, photoId)) {
        const picture = facePicture(db, f.id);
        assert.equal(picture?.kind, 'jpeg');
        const meta = await sharp(picture?.bytes).metadata();
        assert.equal(meta.channels, 3, 'in colour');
        // The chip's crop: the padded box's shape.
        assert.ok(Math.abs((meta.width ?? 0) / (meta.height ?? 1) - f.width / f.height) < 0.05);
      }
    }
    // Nothing left: a new start has nothing to do.
    assert.deepEqual(await fill(db).finished, { filled: 0, skipped: 0, complete: true });
  } finally {
    db.close();
  }
});
