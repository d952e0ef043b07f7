import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rotationFrame } from '../../src/core/rotation.js';
import type { RgbImage } from '../../src/neural/rotate-rgb.js';
import { ssdInput } from '../../src/neural/ssd-input.js';
import {
  boxesByCanvas,
  cellSide,
  fitsMosaic,
  MOSAIC_MIN_SCALE,
  mosaicInput,
  mosaicLayout,
} from '../../src/neural/ssd-mosaic.js';

const sweep = [0, 45, 90, 135, 180, 225, 270, 315];
const canvasesOf = (width: number, height: number) => sweep.map((a) => rotationFrame(width, height, a));

test('fitsMosaic: a 150 px photo shares passes; a photo shrunk to 512 px does not', () => {
  assert.equal(cellSide(9, 512), 256, 'at most four canvases a pass');
  assert.equal(cellSide(1, 512), 512);
  assert.equal(fitsMosaic(canvasesOf(150, 150), 512), true);
  assert.equal(fitsMosaic(canvasesOf(150, 100), 512), true);
  // The 45° canvas of a 512×384 photo is 634 px across: 256 / 634 is far below the limit.
  assert.equal(fitsMosaic(canvasesOf(512, 384), 512), false);
  // Just past the limit: the turned canvas's side × the limit exceeds the 170 px cell.
  const side = Math.ceil(256 / MOSAIC_MIN_SCALE / Math.SQRT2) + 1;
  assert.equal(fitsMosaic(canvasesOf(side, side), 512), false);
  // One canvas is an ordinary pass, not a mosaic.
  assert.equal(fitsMosaic([{ width: 10, height: 10 }], 512), false);
});

test('mosaicLayout: a square grid row by row, each canvas scaled to fit its cell, four at most', () => {
  const layout = mosaicLayout(
    [
      { width: 100, height: 50 },
      { width: 50, height: 200 },
      { width: 10, height: 10 },
      { width: 10, height: 10 },
    ],
    200,
  );
  assert.deepEqual(
    layout.map((c) => [c.x, c.y, c.side]),
    [
      [0, 0, 100],
      [100, 0, 100],
      [0, 100, 100],
      [100, 100, 100],
    ],
  );
  assert.equal(layout[0]?.scale, 1);
  assert.equal(layout[1]?.scale, 0.5);
  assert.throws(
    () =>
      mosaicLayout(
        Array.from({ length: 5 }, () => ({ width: 1, height: 1 })),
        200,
      ),
    /5 canvases/,
  );
});

test('mosaicInput: each cell holds what ssdInput makes of its canvas at the cell side; gaps are black (-1)', () => {
  const canvas = (w: number, h: number, seed: number): RgbImage => ({
    width: w,
    height: h,
    pixels: Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * seed) % 256),
  });
  const canvases = [canvas(6, 4, 7), canvas(3, 5, 11), canvas(5, 5, 13)];
  const side = 13; // 2×2 grid of 6 px cells, a 1 px strip left over
  const layout = mosaicLayout(canvases, side);
  const out = mosaicInput(canvases, layout, side);
  canvases.forEach((c, i) => {
    const cell = layout[i];
    assert.ok(cell);
    const alone = ssdInput(c, cell.side);
    for (let y = 0; y < cell.side; y++)
      for (let x = 0; x < cell.side; x++)
        for (let k = 0; k < 3; k++)
          assert.equal(out[((cell.y + y) * side + cell.x + x) * 3 + k], alone[(y * cell.side + x) * 3 + k]);
  });
  // The fourth cell (no canvas) and the leftover strip.
  assert.equal(out[((6 + 2) * side + 6 + 2) * 3], -1);
  assert.equal(out[(12 * side + 12) * 3 + 2], -1);
});

test('boxesByCanvas: a box goes to the canvas under its centre, in that canvas pixels, clipped to it', () => {
  const layout = mosaicLayout(
    [
      { width: 100, height: 100 },
      { width: 200, height: 100 },
      { width: 50, height: 50 },
    ],
    200,
  );
  // Cells of 100: canvas 0 at scale 1, canvas 1 at 0.5 (drawn 100×50), canvas 2 at 2.
  const boxes = boxesByCanvas(
    [
      { score: 0.9, x: 10, y: 20, width: 30, height: 30 },
      { score: 0.8, x: 110, y: 10, width: 20, height: 20 },
      // Centre in cell 1 but below its canvas (drawn 50 px high): black padding, dropped.
      { score: 0.7, x: 140, y: 70, width: 20, height: 20 },
      // Centre in canvas 2, spilling over the cell's right edge: clipped.
      { score: 0.6, x: 70, y: 130, width: 40, height: 20 },
    ],
    layout,
  );
  assert.deepEqual(boxes[0], [{ score: 0.9, x: 10, y: 20, width: 30, height: 30 }]);
  assert.deepEqual(boxes[1], [{ score: 0.8, x: 20, y: 20, width: 40, height: 40 }]);
  assert.deepEqual(boxes[2], [{ score: 0.6, x: 35, y: 15, width: 15, height: 10 }]);
});
