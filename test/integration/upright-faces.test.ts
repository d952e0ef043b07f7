/**
 * Faces are kept the right way up (issue 14 §5): on the detection set's photos with eye and mouth
 * landmarks (the Caltech part), every face whose landmarks say it is upright (within 20°) and that
 * the neural engine finds (IoU ≥ 0.4) is counted, with the angle it is kept at; then the same with
 * each photo turned 180°. With the linear HOG orientation model 18 of 367 upright faces were kept
 * turned and 20 of 363 of the turned photos' faces (as measured on 2026-12-04); with the network
 * taught on the SSD's own boxes, 14 of 367 and 16 of 364; since doubtful faces turned against the
 * photo's surest face are dropped (issue 17), 12 of 365 and 13 of 361 (the faces no longer found
 * were 2 and 3 of those kept turned). Each test lists every face still turned
 * and holds that measurement, not yet "every one", which is what the issue asks (the README says so).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as z from 'zod';
import { defaultConfig } from '../../src/config/schema.js';
import { type DetectorOptions, detectDecoded } from '../../src/engine/detector.js';
import { neuralDetectorOptions } from '../../src/engine/engines.js';
import { type NeuralPool, neuralPool } from '../../src/neural/neural-pool.js';
import { rotateRgb } from '../../src/neural/rotate-rgb.js';
import { type DecodedImage, decodeImage } from '../../src/vision/decode.js';
import { boundingBox, iou, signedAngle } from '../../src/vision/geometry.js';
import { neuralMissing } from '../helpers/neural-skip.js';
import { sharedDir } from '../helpers/paths.js';

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

const config = defaultConfig();
let pool: NeuralPool | undefined;
let options: DetectorOptions;
before(() => {
  if (neuralMissing) return;
  pool = neuralPool(2);
  options = neuralDetectorOptions(config, pool);
});
after(async () => {
  await pool?.close();
});

/** At most this many faces kept more than 30° from their angle, of ~365 (12 and 13 measured). */
const MAX_TURNED = 18;

/** `image` turned by 180°, as if the file had been stored upside down (the exact quarter-turn path). */
function halfTurn(image: DecodedImage): DecodedImage {
  const { image: rgb } = rotateRgb(image, 180);
  return { ...image, channels: 3, pixels: rgb.pixels };
}

/**
 * Each upright face of the Caltech photos, turned by `turn` (0 or 180) with its photo: found
 * (IoU ≥ 0.4 with its box) and kept within ±30° of its true angle, or listed as turned.
 */
async function keptAngles(turn: 0 | 180): Promise<{ upright: number; found: number; turned: string[] }> {
  const dir = join(sharedDir, 'data/detection');
  const photos = annotations.parse(JSON.parse(await readFile(join(dir, 'annotations.json'), 'utf8')));
  let upright = 0;
  let found = 0;
  const turned: string[] = [];
  for (const photo of photos) {
    if (!photo.landmarks) continue;
    const decoded = await decodeImage(join(dir, 'images', photo.file), { maxPixels: 1e8, maxSide: 1600 });
    const image = turn === 180 ? halfTurn(decoded) : decoded;
    const { faces } = await detectDecoded(image, options);
    const kept = faces.map((f) => ({ box: boundingBox(f.rect), angle: f.rect.angle }));
    for (const [i, [x, y, width, height]] of photo.boxes.entries()) {
      const l = photo.landmarks[i];
      if (!l || Math.abs(roll(l)) > 20) continue;
      upright++;
      const truth =
        turn === 180
          ? { x: decoded.fullWidth - x - width, y: decoded.fullHeight - y - height, width, height }
          : { x, y, width, height };
      const best = kept.reduce<{ iou: number; angle: number } | undefined>((b, k) => {
        const v = iou(k.box, truth);
        return v >= 0.4 && (!b || v > b.iou) ? { iou: v, angle: k.angle } : b;
      }, undefined);
      if (!best) continue;
      found++;
      const off = signedAngle(best.angle - roll(l) - turn);
      if (Math.abs(off) > 30) turned.push(`${photo.file} face ${i} kept at ${best.angle}° (${off.toFixed(0)}° off)`);
    }
  }
  process.stdout.write(
    `photos turned ${turn}°: upright faces ${upright}, found ${found}, kept within ±30° of their angle ${found - turned.length}, turned ${turned.length}\n` +
      turned.map((t) => `  ${t}\n`).join(''),
  );
  return { upright, found, turned };
}

test('faces of upright photos are kept upright, each one counted', { skip: neuralMissing }, async () => {
  const { upright, found, turned } = await keptAngles(0);
  assert.ok(found >= 0.9 * upright, `found ${found} of ${upright} upright faces`);
  assert.ok(
    turned.length <= MAX_TURNED,
    `${turned.length} of ${found} upright faces kept turned:\n${turned.join('\n')}`,
  );
});

// The same faces in the same photos turned 180°: a rule that just preferred upright would pass the
// first test and keep every one of these upside down.
test('faces of photos turned 180° are kept at 180°, each one counted', { skip: neuralMissing }, async () => {
  const { upright, found, turned } = await keptAngles(180);
  assert.ok(found >= 0.9 * upright, `found ${found} of ${upright} faces`);
  assert.ok(turned.length <= MAX_TURNED, `${turned.length} of ${found} faces kept turned:\n${turned.join('\n')}`);
});
