/**
 * The neural sweep's plan (photo-sweep.ts) on fake workers: which canvases each kind of photo
 * sends, in what order and at what size, and how the hits come back in the photo's pixels.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NeuralReply } from '../../src/neural/neural-messages.js';
import { type DetectReply, type DetectTask, type SweepWorkers, sweepPhoto } from '../../src/neural/photo-sweep.js';
import type { RasterImage } from '../../src/vision/chip.js';
import type { AngleHit } from '../../src/vision/detect-angle.js';
import { at } from '../helpers/items.js';

const photo = (width: number, height: number): RasterImage => ({
  width,
  height,
  channels: 1,
  pixels: new Uint8Array(width * height),
});

const face = (angle: number, strength: number, cx = 200, cy = 150, side = 40): AngleHit => ({
  rect: { cx, cy, width: side, height: side, angle },
  strength,
  density: 0,
});

/** Workers that record every task and answer with `hitsFor(task)`. */
function fakeWorkers(size: number, hitsFor: (task: DetectTask) => AngleHit[]) {
  const sent: { slot: number; task: DetectTask }[] = [];
  const workers: SweepWorkers = {
    size,
    async send(slot, task) {
      sent.push({ slot, task });
      const reply: DetectReply = {
        id: sent.length,
        ok: true,
        kind: 'detect',
        backend: 'onnxruntime',
        hits: hitsFor(task),
        extraHits: [],
        stages: {},
      };
      return reply;
    },
    queued: () => 0,
    detected(reply: NeuralReply) {
      if (!reply.ok || reply.kind !== 'detect') throw new Error('not a detect reply');
      return reply;
    },
    count: () => {},
  };
  return { workers, sent };
}

const ANGLES = [0, 45, 90, 135, 180, 225, 270, 315];

test('a small photo: its quarter turns in one mosaic pass, and no more once one holds a sure face', async () => {
  const { workers, sent } = fakeWorkers(2, (t) => (t.angles.includes(0) ? [face(0, 0.95, 75, 75)] : []));
  const hits = await sweepPhoto(workers, photo(150, 150), ANGLES, 0.5, () => true);
  assert.equal(sent.length, 1);
  const first = at(sent, 0, 'the first task').task;
  assert.deepEqual(first.angles, [0, 90, 180, 270]);
  assert.equal(first.mosaic, true);
  assert.equal(first.marginPass, false);
  assert.deepEqual(
    hits.map((h) => h.rect.cx),
    [75],
  );
});

test('a small photo with no sure face on axis: its 45° canvases in a second pass', async () => {
  const { workers, sent } = fakeWorkers(2, (t) => (t.angles.includes(0) ? [face(0, 0.7, 75, 75)] : []));
  await sweepPhoto(workers, photo(150, 150), ANGLES, 0.5, () => true);
  assert.deepEqual(
    sent.map((s) => s.task.angles),
    [
      [0, 90, 180, 270],
      [45, 135, 225, 315],
    ],
  );
});

test('a large photo settled upright: 0° and 180° at full size with the margin pass, the rest at half size, then a closer look', async () => {
  // 1024×768 shrinks to the SSD's 512×384: a face at (200, 150) there is at (400, 300) in the photo.
  const { workers, sent } = fakeWorkers(1, (t) => (t.angles.includes(0) && !t.mosaic ? [face(0, 0.95)] : []));
  const hits = await sweepPhoto(workers, photo(1024, 768), ANGLES, 0.5, () => true);
  const [upright, half, closer] = sent.map((s) => s.task);
  assert.ok(upright && half && closer, `${sent.length} tasks`);
  assert.deepEqual([upright.angles, upright.mosaic, upright.marginPass, upright.width], [[0, 180], false, true, 512]);
  assert.deepEqual([half.angles, half.mosaic, half.width], [[45, 90, 135, 225, 270, 315], true, 256]);
  assert.deepEqual([closer.angles, closer.focus?.angle], [[], 0]);
  assert.equal(sent.length, 3);
  assert.deepEqual(
    hits.map((h) => [h.rect.cx, h.rect.cy, h.rect.width]),
    [[400, 300, 80]],
  );
});

test('a large photo whose faces do not look upright sweeps its other angles at full size', async () => {
  const { workers, sent } = fakeWorkers(2, (t) => (t.angles.includes(0) ? [face(0, 0.95)] : []));
  await sweepPhoto(workers, photo(1024, 768), ANGLES, 0.5, () => false);
  const fullSize = sent.filter((s) => !s.task.mosaic && s.task.focus === null);
  assert.deepEqual(
    fullSize.flatMap((s) => s.task.angles).sort((a, b) => a - b),
    ANGLES,
  );
  assert.ok(
    fullSize.every((s) => s.task.width === 512 && s.task.marginPass === s.task.angles.includes(0)),
    'every angle at full size, the margin pass with the upright canvas only',
  );
  assert.deepEqual(new Set(fullSize.map((s) => s.slot)), new Set([0, 1]), 'both workers take a share');
});
