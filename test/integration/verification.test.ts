import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultConfig } from '../../src/config/schema.js';
import { sweepAngles } from '../../src/core/rotation.js';
import { localRunner } from '../../src/detect/local-runner.js';
import { detectDecoded, detectFile } from '../../src/engine/detector.js';
import { seededRandom } from '../../src/eval/match.js';
import { loadCascade } from '../../src/vision/cascade/default-model.js';
import { boundingBox, iou } from '../../src/vision/geometry.js';
import { sharedDir } from '../helpers/paths.js';

const detection = { ...defaultConfig().detection, rotationStep: 360 };
const runner = localRunner(loadCascade(), sweepAngles(detection.rotationStep));

test('a real face passes the dense second look, and is reported with its density', async () => {
  const d = await detectFile(join(sharedDir, 'data/detection/images/2007_007763.jpg'), {
    detection,
    maxPixels: 50e6,
    runner,
  });
  // Ground truth has a face at [94, 198, 37, 37] (boxes.json); it must survive verification.
  const truth = { x: 94, y: 198, width: 37, height: 37 };
  const face = d.faces.find((f) => iou(boundingBox(f.rect), truth) >= 0.4);
  assert.ok(face, `the known face is kept; got ${JSON.stringify(d.faces.map((f) => f.rect))}`);
  assert.ok(face.density >= detection.minHitDensity);
});

test('noise yields no confirmed face, although the coarse scan alone finds some', async () => {
  const random = seededRandom(3);
  const width = 400;
  const height = 300;
  const pixels = Uint8Array.from({ length: width * height }, () => Math.floor(random() * 256));
  const image = {
    file: 'noise',
    format: 'raw',
    orientation: 1,
    takenAt: null,
    fullWidth: width,
    fullHeight: height,
    width,
    height,
  };
  const noise = { ...image, channels: 1 as const, pixels };
  const unverified = await detectDecoded(noise, {
    detection: { ...detection, minHitDensity: 0 },
    maxPixels: 1e9,
    runner,
  });
  const verified = await detectDecoded(noise, { detection, maxPixels: 1e9, runner });
  assert.ok(unverified.faces.length >= verified.faces.length);
  assert.equal(verified.faces.length, 0, `confirmed on noise: ${JSON.stringify(verified.faces)}`);
});
