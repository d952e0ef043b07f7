/**
 * Faces of upright photos are kept upright (issue 14 §5): on the detection set's photos with
 * eye and mouth landmarks (the Caltech part), every face whose landmarks say it is upright
 * (within 20°) and that the neural engine finds (IoU ≥ 0.4) is counted, with the angle it is kept
 * at. Before the orientation model, 47 of 363 were kept turned by 45°–270° (stored, shown and
 * named upside down or sideways); measured now: 349 of 367 within ±30° (95.1 %). This test holds
 * that measurement (at least 93 %) and prints every face that is still turned; it does not yet
 * show "every one", which is what the issue asks, and the README says so.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as z from 'zod';
import { defaultConfig } from '../../src/config/schema.js';
import { type DetectorOptions, detectDecoded } from '../../src/engine/detector.js';
import { checkNeuralPackages } from '../../src/neural/face-api.js';
import { type NeuralPool, neuralPool } from '../../src/neural/neural-pool.js';
import { decodeImage } from '../../src/vision/decode.js';
import { type AxisBox, boundingBox } from '../../src/vision/geometry.js';
import { sharedDir } from '../helpers/paths.js';

let missing: string | false = false;
try {
  checkNeuralPackages();
} catch (err) {
  missing = (err as Error).message;
}

const point = z.tuple([z.number(), z.number()]);
const annotations = z.array(
  z.object({
    file: z.string(),
    boxes: z.array(z.tuple([z.number(), z.number(), z.number(), z.number()])),
    landmarks: z.array(z.object({ left_eye: point, right_eye: point, mouth: point })).optional(),
  }),
);

/** The face's roll from its landmarks: 0 when the mouth is straight below the eyes, clockwise positive. */
function roll(l: { left_eye: [number, number]; right_eye: [number, number]; mouth: [number, number] }): number {
  const ex = (l.left_eye[0] + l.right_eye[0]) / 2;
  const ey = (l.left_eye[1] + l.right_eye[1]) / 2;
  return (Math.atan2(-(l.mouth[0] - ex), l.mouth[1] - ey) * 180) / Math.PI;
}

const iou = (a: AxisBox, b: AxisBox): number => {
  const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  return (ix * iy) / (a.width * a.height + b.width * b.height - ix * iy);
};
/** Signed difference of two angles, in (-180, 180]. */
const turnOf = (a: number): number => ((((a + 180) % 360) + 360) % 360) - 180;

const config = defaultConfig();
let pool: NeuralPool | undefined;
let options: DetectorOptions;
before(() => {
  if (missing) return;
  pool = neuralPool(2);
  options = {
    detection: config.detection,
    maxPixels: config.decode.maxPixels,
    runner: { run: () => Promise.reject(new Error('the cascade must not run')), close: async () => {} },
    neural: { pool, settings: config.neural },
  };
});
after(async () => {
  await pool?.close();
});

test('faces of upright photos are kept upright, each one counted', { skip: missing }, async () => {
  const dir = join(sharedDir, 'data/detection');
  const photos = annotations.parse(JSON.parse(await readFile(join(dir, 'annotations.json'), 'utf8')));
  let upright = 0;
  let found = 0;
  const turned: string[] = [];
  for (const photo of photos) {
    if (!photo.landmarks) continue;
    const image = await decodeImage(join(dir, 'images', photo.file), { maxPixels: 1e8, maxSide: 1600 });
    const { faces } = await detectDecoded(image, options);
    const kept = faces.map((f) => ({ box: boundingBox(f.rect), angle: f.rect.angle }));
    for (const [i, [x, y, width, height]] of photo.boxes.entries()) {
      const l = photo.landmarks[i];
      if (!l || Math.abs(roll(l)) > 20) continue;
      upright++;
      const truth = { x, y, width, height };
      const best = kept.reduce<{ iou: number; angle: number } | undefined>((b, k) => {
        const v = iou(k.box, truth);
        return v >= 0.4 && (!b || v > b.iou) ? { iou: v, angle: k.angle } : b;
      }, undefined);
      if (!best) continue;
      found++;
      const off = turnOf(best.angle - roll(l));
      if (Math.abs(off) > 30) turned.push(`${photo.file} face ${i} kept at ${best.angle}° (${off.toFixed(0)}° off)`);
    }
  }
  const within = found - turned.length;
  process.stdout.write(
    `upright faces: ${upright}, found: ${found}, kept within ±30° of upright: ${within}, turned: ${turned.length}\n` +
      turned.map((t) => `  ${t}\n`).join(''),
  );
  assert.ok(found >= 0.9 * upright, `found ${found} of ${upright} upright faces`);
  assert.ok(within >= 0.93 * found, `${turned.length} of ${found} upright faces kept turned:\n${turned.join('\n')}`);
});
