import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { defaultConfig } from '../../src/config/schema.js';
import { sweepAngles } from '../../src/core/rotation.js';
import { localRunner } from '../../src/detect/local-runner.js';
import { resolveScanSettings } from '../../src/detect/settings.js';
import { loadCascade } from '../../src/vision/cascade/default-model.js';
import { decodeImage } from '../../src/vision/decode.js';
import { greyLevels, rgbToGrey } from '../../src/vision/grey.js';
import { sharedDir, tmpDir } from '../helpers/paths.js';

const photo = join(sharedDir, 'data/detection/images/pic03965.jpg');

/** Undo a clockwise quarter turn of a W x H image: a point of the turned image back to the original. */
function unturn(x: number, y: number, turn: number, w: number, h: number): [number, number] {
  if (turn === 90) return [y, h - x];
  if (turn === 180) return [w - x, h - y];
  if (turn === 270) return [w - y, x];
  return [x, y];
}

async function greyOf(file: string) {
  const image = await decodeImage(file, { maxPixels: 50e6 });
  return { width: image.width, height: image.height, data: greyLevels(rgbToGrey(image.pixels, image.channels)) };
}

test('the sweep is exact under quarter turns: a turned photo gives the same detections, mapped back', async () => {
  const dir = await tmpDir('facetag-rot-');
  const runner = localRunner(loadCascade(), sweepAngles(90));
  const detection = defaultConfig().detection;
  const upright = await greyOf(photo);
  const settings = resolveScanSettings(detection, upright.width, upright.height);
  const key = (cx: number, cy: number, w: number, angle: number, strength: number, density: number) =>
    `${cx.toFixed(3)},${cy.toFixed(3)},${w},${((angle % 360) + 360) % 360},${strength},${density.toFixed(6)}`;
  const expected = (await runner.run(upright, settings)).hits
    .map((h) => key(h.rect.cx, h.rect.cy, h.rect.width, h.rect.angle, h.strength, h.density))
    .sort();
  assert.ok(expected.length >= 5, 'the photo has detections to compare');
  for (const turn of [90, 180, 270]) {
    const file = join(dir, `turned${turn}.png`);
    await sharp(photo).rotate(turn).png().toFile(file);
    const turned = await greyOf(file);
    const got = (await runner.run(turned, settings)).hits
      .map((h) => {
        const [x, y] = unturn(h.rect.cx, h.rect.cy, turn, upright.width, upright.height);
        // The face is turned a further `turn` degrees clockwise in the turned photo.
        return key(x, y, h.rect.width, h.rect.angle - turn, h.strength, h.density);
      })
      .sort();
    assert.deepEqual(got, expected, `turned by ${turn}°`);
  }
});
