import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { defaultConfig } from '../../src/config/schema.js';
import { detectFile } from '../../src/detect/detector.js';
import { localRunner } from '../../src/detect/local-runner.js';
import { loadCascade } from '../../src/vision/cascade/default-model.js';
import { sharedDir, tmpDir } from '../helpers/paths.js';

const photo = join(sharedDir, 'data/detection/images/2007_007763.jpg');

/** Undo a clockwise quarter turn of a W x H image: a point of the turned image back to the original. */
function unturn(x: number, y: number, turn: number, w: number, h: number): [number, number] {
  if (turn === 90) return [y, h - x];
  if (turn === 180) return [w - x, h - y];
  if (turn === 270) return [w - y, x];
  return [x, y];
}

test('a photo turned by 90°, 180° or 270° gives the same faces, mapped back, as upright', async () => {
  const dir = await tmpDir('facetag-rot-');
  const runner = localRunner(loadCascade());
  const detection = { ...defaultConfig().detection, rotationStep: 90, maxSide: 4000 };
  const options = { detection, maxPixels: 50e6, runner };
  try {
    const upright = await detectFile(photo, options);
    assert.ok(upright.faces.length >= 2, 'the photo has faces to compare');
    const key = (cx: number, cy: number, a: number) => `${Math.round(cx)},${Math.round(cy)},${((a % 360) + 360) % 360}`;
    const expected = upright.faces.map((f) => key(f.rect.cx, f.rect.cy, f.rect.angle)).sort();
    for (const turn of [90, 180, 270]) {
      const file = join(dir, `turned${turn}.png`);
      await sharp(photo).rotate(turn).png().toFile(file);
      const turned = await detectFile(file, options);
      const got = turned.faces
        .map((f) => {
          const [x, y] = unturn(f.rect.cx, f.rect.cy, turn, upright.width, upright.height);
          // The face is turned a further `turn` degrees clockwise in the turned photo.
          return key(x, y, f.rect.angle - turn);
        })
        .sort();
      assert.deepEqual(got, expected, `turned by ${turn}°`);
    }
  } finally {
    await runner.close();
  }
});
