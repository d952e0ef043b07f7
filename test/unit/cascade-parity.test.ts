import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultCascadePath, loadCascade } from '../../src/vision/cascade/default-model.js';
import { groupDetections } from '../../src/vision/cascade/group.js';
import { scaleProgression } from '../../src/vision/cascade/scales.js';
import { HitBuffer, scanCascade } from '../../src/vision/cascade/scan.js';
import { decodeImage } from '../../src/vision/decode.js';
import { rgbToGrey } from '../../src/vision/grey.js';
import { float32Integral } from '../../src/vision/integral.js';
import { sharedDir } from '../helpers/paths.js';

interface Run {
  params: {
    scale_factor: number;
    step_ratio: number;
    min_size: [number, number];
    max_size: [number, number];
    min_neighbour_number: number;
    intersection_score_threshold: number;
  };
  detections: { r: number; c: number; width: number; height: number }[];
}
interface Fixture {
  cascade_xml_sha256: string;
  scale_factors_float32_for_24_1000: number[];
  images: { file: string; runs: Run[] }[];
}

const fixtures = join(sharedDir, 'reference/fixtures');
const fixture = JSON.parse(readFileSync(join(fixtures, 'cascade.json'), 'utf8')) as Fixture;

test('the vendored cascade is the file scikit-image ships', () => {
  const sha = createHash('sha256').update(readFileSync(defaultCascadePath())).digest('hex');
  assert.equal(sha, fixture.cascade_xml_sha256);
});

test('the cascade has the shape skimage reads: 20 stages, 139 stumps, 136 features, 24x24', () => {
  const m = loadCascade();
  assert.equal(m.stageCount.length, 20);
  assert.equal(m.stumpFeature.length, 139);
  assert.equal(m.featureCount, 136);
  assert.deepEqual([m.windowWidth, m.windowHeight], [24, 24]);
});

test('scale progression equals skimage float32 scales for 24..1000', () => {
  assert.deepEqual(
    scaleProgression({ scaleFactor: 1.1, minSize: 24, maxSize: 1000 }),
    fixture.scale_factors_float32_for_24_1000,
  );
});

const model = loadCascade();
for (const image of fixture.images) {
  for (const run of image.runs) {
    const p = run.params;
    test(`parity: ${image.file} step_ratio ${p.step_ratio} gives skimage's boxes exactly`, async () => {
      const decoded = await decodeImage(join(sharedDir, 'data/detection/images', image.file), { maxPixels: 50e6 });
      const grey = rgbToGrey(decoded.pixels, decoded.channels);
      const ii = float32Integral(grey, decoded.width, decoded.height);
      const hits = new HitBuffer();
      scanCascade(
        model,
        ii,
        { scaleFactor: p.scale_factor, stepRatio: p.step_ratio, minSize: p.min_size[0], maxSize: p.max_size[0] },
        hits,
      );
      const got = groupDetections(hits.view(), {
        minNeighbours: p.min_neighbour_number,
        intersectionScoreThreshold: p.intersection_score_threshold,
      }).map(({ r, c, width, height }) => ({ r, c, width, height }));
      assert.deepEqual(got, run.detections);
    });
  }
}
