import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  faceTurn,
  loadOrientationModel,
  ORIENTATION_CLASSES,
  ORIENTATION_LAYOUT,
  orientationFeatures,
} from '../../src/recognize/face-orientation.js';
import type { RasterImage } from '../../src/vision/chip.js';
import { repoRoot, tmpDir } from '../helpers/paths.js';

/** A grey image: a light disc (the face) with two dark dots above its middle (the eyes). */
function face(side: number): RasterImage {
  const pixels = new Uint8Array(side * side);
  const c = side / 2;
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const eye = Math.min(
        Math.hypot(x - c + side / 8, y - c + side / 10),
        Math.hypot(x - c - side / 8, y - c + side / 10),
      );
      pixels[y * side + x] = eye < side / 20 ? 20 : Math.hypot(x - c, y - c) < side / 3 ? 200 : 90;
    }
  return { width: side, height: side, channels: 1, pixels };
}

test('the shipped model loads, and its scores are a distribution over the 8 turns', () => {
  const model = loadOrientationModel();
  const image = face(120);
  const p = faceTurn(model, image, { cx: 60, cy: 60, width: 70, height: 80, angle: 0 });
  assert.equal(p.length, ORIENTATION_CLASSES);
  assert.ok(p.every((v) => v >= 0 && v <= 1));
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-9);
});

test('the features end with the chip layout, standardised, which turns with the chip', () => {
  const image = face(120);
  const rect = { cx: 60, cy: 60, width: 80, height: 80, angle: 0 };
  const cells = ORIENTATION_LAYOUT * ORIENTATION_LAYOUT;
  const layout = (angle: number) => orientationFeatures(image, { ...rect, angle }).slice(-cells);
  const upright = layout(0);
  const mean = upright.reduce((a, b) => a + b, 0) / cells;
  const sd = Math.sqrt(upright.reduce((a, b) => a + (b - mean) ** 2, 0) / cells);
  assert.ok(Math.abs(mean) < 1e-9 && Math.abs(sd - 1) < 1e-9, `mean ${mean}, sd ${sd}`);
  // Cut at 180°, the layout is the upright one read backwards (the eyes' dark cells move down).
  const turned = layout(180);
  let most = 0;
  for (let i = 0; i < cells; i++) most = Math.max(most, Math.abs((turned[i] ?? 0) - (upright[cells - 1 - i] ?? 0)));
  assert.ok(most < 0.35, `largest difference from the mirrored layout: ${most}`);
  const eyesRow = (l: Float64Array) => {
    let darkest = 0;
    for (let i = 1; i < cells; i++) if ((l[i] ?? 0) < (l[darkest] ?? 0)) darkest = i;
    return Math.floor(darkest / ORIENTATION_LAYOUT);
  };
  assert.ok(eyesRow(upright) < ORIENTATION_LAYOUT / 2 && eyesRow(turned) >= ORIENTATION_LAYOUT / 2);
});

test('a model file of another shape is refused, naming the file and the reason', async () => {
  const shipped = JSON.parse(await readFile(join(repoRoot, 'models/face-orientation.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const dir = await tmpDir('facetag-orientation-');
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['the linear model of before', { ...shipped, version: 1 }, /version|expected 2/i],
    ['a short mean', { ...shipped, mean: [0, 1] }, /mean and scale do not match/],
    [
      'a class row of the wrong length',
      { ...shipped, weights: (shipped.weights as number[][]).map((w) => w.slice(1)) },
      /class rows/,
    ],
  ];
  for (const [what, body, reason] of cases) {
    const file = join(dir, `${what.replaceAll(' ', '-')}.json`);
    await writeFile(file, JSON.stringify(body));
    assert.throws(
      () => loadOrientationModel(file),
      (err: Error) => err.message.startsWith(`${file}: not a face orientation model`) && reason.test(err.message),
      what,
    );
  }
});
