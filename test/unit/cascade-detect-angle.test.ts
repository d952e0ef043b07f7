import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { rotationFrame } from '../../src/core/rotation.js';
import { loadCascade } from '../../src/vision/cascade/default-model.js';
import { groupDetections } from '../../src/vision/cascade/group.js';
import { HitBuffer, scanCascade } from '../../src/vision/cascade/scan.js';
import { hitDensity } from '../../src/vision/cascade/verify.js';
import { decodeImage } from '../../src/vision/decode.js';
import { type AngleHit, detectAtAngle, ScanScratch, type ScanSettings } from '../../src/vision/detect-angle.js';
import { greyLevels, rgbToGrey } from '../../src/vision/grey.js';
import { exactIntegral } from '../../src/vision/integral.js';
import { canvasToSource, type GreyImage, rotateGrey } from '../../src/vision/rotate.js';
import { sharedDir } from '../helpers/paths.js';

const model = loadCascade();

const settings: ScanSettings = {
  scan: { scaleFactor: 1.1, stepRatio: 2, minSize: 24, maxSize: 640 },
  group: { minNeighbours: 1, intersectionScoreThreshold: 0.5 },
  float32: false,
  verify: true,
};

/** detectAtAngle before the kernel built the integral: rotateGrey, exactIntegral, the TypeScript scan. */
function specAtAngle(grey: GreyImage, angle: number): AngleHit[] {
  const frame = angle % 360 === 0 ? undefined : rotationFrame(grey.width, grey.height, angle);
  const image = frame ? rotateGrey(grey, angle, undefined, true).image : grey;
  const ii = exactIntegral(image.data, image.width, image.height);
  const hits = new HitBuffer();
  scanCascade(model, ii, settings.scan, hits, frame, 'js');
  return groupDetections(hits.view(), settings.group).map((d) => {
    const cx = d.c + d.width / 2;
    const cy = d.r + d.height / 2;
    const [x, y] = frame ? canvasToSource(frame, cx, cy) : [cx, cy];
    const density = hitDensity(model, ii, d, frame, new HitBuffer());
    return { rect: { cx: x, cy: y, width: d.width, height: d.height, angle }, strength: d.neighbours, density };
  });
}

test('detectAtAngle on the kernel-built integral gives the specification path its detections', async () => {
  const d = await decodeImage(join(sharedDir, 'data/detection/images', 'pic03263.jpg'), {
    maxPixels: 50e6,
    maxSide: 480,
  });
  const grey = { width: d.width, height: d.height, data: greyLevels(rgbToGrey(d.pixels, d.channels)) };
  const scratch = new ScanScratch();
  let total = 0;
  for (const angle of [0, 15, 45, 90, 165, 300]) {
    const got = detectAtAngle(model, grey, angle, settings, scratch);
    assert.deepEqual(got, specAtAngle(grey, angle), `angle ${angle}`);
    total += got.length;
  }
  assert.ok(total > 3, `only ${total} detections`);
});
