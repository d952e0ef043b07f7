import assert from 'node:assert/strict';
import { test } from 'node:test';
import { displayedToStored, faceArea, formatReal } from '../../src/sidecar/regions.js';

/*
 * A stored (pre-orientation) raster of 400×300 with a face box covering pixels x 40..160,
 * y 30..60. Each row below is where that box appears once a viewer applies the EXIF
 * orientation, worked out by hand from what each value means (2: mirror left-right; 3: turn
 * 180°; 4: mirror top-bottom; 5: transpose; 6: turn 90° clockwise, x' = H − y, y' = x;
 * 7: transverse; 8: turn 90° counter-clockwise, x' = y, y' = W − x). Displayed size is
 * 400×300 for 1–4 and 300×400 for 5–8. Whatever the orientation, the MWG area must come back
 * as the stored box: centre (100/400, 45/300), size (120/400, 30/300).
 */
const STORED = { x: 0.25, y: 0.15, w: 0.3, h: 0.1 };
const DISPLAYED_BOX: Record<number, { left: number; top: number; right: number; bottom: number }> = {
  1: { left: 40, top: 30, right: 160, bottom: 60 },
  2: { left: 240, top: 30, right: 360, bottom: 60 },
  3: { left: 240, top: 240, right: 360, bottom: 270 },
  4: { left: 40, top: 240, right: 160, bottom: 270 },
  5: { left: 30, top: 40, right: 60, bottom: 160 },
  6: { left: 240, top: 40, right: 270, bottom: 160 },
  7: { left: 240, top: 240, right: 270, bottom: 360 },
  8: { left: 30, top: 240, right: 60, bottom: 360 },
};

function close(actual: { x: number; y: number; w: number; h: number }, expected: typeof STORED, what: string): void {
  for (const k of ['x', 'y', 'w', 'h'] as const) {
    assert.ok(Math.abs(actual[k] - expected[k]) < 1e-12, `${what}: ${k} = ${actual[k]}, expected ${expected[k]}`);
  }
}

for (let orientation = 1; orientation <= 8; orientation++) {
  test(`orientation ${orientation}: a displayed-frame box maps to the stored-frame MWG area and MP rectangle`, () => {
    const b = DISPLAYED_BOX[orientation];
    assert.ok(b);
    const rect = {
      cx: (b.left + b.right) / 2,
      cy: (b.top + b.bottom) / 2,
      width: b.right - b.left,
      height: b.bottom - b.top,
      angle: 0,
    };
    const area = faceArea({ rect }, 400, 300, orientation);
    assert.ok(area);
    close(area.mwg, STORED, 'MWG');
    // MP Rectangle: top-left corner of the same box.
    close(area.mp, { x: 0.1, y: 0.1, w: 0.3, h: 0.1 }, 'MP');
  });
}

test('the table itself, normalized: each row of the spec §2.3 table', () => {
  const d = { x: 0.7, y: 0.2, w: 0.1, h: 0.3 };
  const expected: Record<number, typeof STORED> = {
    1: { x: 0.7, y: 0.2, w: 0.1, h: 0.3 },
    2: { x: 0.3, y: 0.2, w: 0.1, h: 0.3 },
    3: { x: 0.3, y: 0.8, w: 0.1, h: 0.3 },
    4: { x: 0.7, y: 0.8, w: 0.1, h: 0.3 },
    5: { x: 0.2, y: 0.7, w: 0.3, h: 0.1 },
    6: { x: 0.2, y: 0.3, w: 0.3, h: 0.1 },
    7: { x: 0.8, y: 0.3, w: 0.3, h: 0.1 },
    8: { x: 0.8, y: 0.7, w: 0.3, h: 0.1 },
  };
  for (let o = 1; o <= 8; o++) close(displayedToStored(o, d), expected[o] as typeof STORED, `orientation ${o}`);
  assert.throws(() => displayedToStored(9, d), /1\.\.8/);
});

test('a turned face uses the bounding box of its rotated rect', () => {
  // 40×20 turned 90°: the box is 20 wide and 40 tall.
  const turned = faceArea({ rect: { cx: 100, cy: 100, width: 40, height: 20, angle: 90 } }, 400, 300, 1);
  assert.ok(turned);
  close(turned.mwg, { x: 100 / 400, y: 100 / 300, w: 20 / 400, h: 40 / 300 }, 'turned 90°');
  // A 20×20 square turned 45°: half-diagonal 14.142 → 85.86..114.14, snapped to 86..114.
  const diamond = faceArea({ rect: { cx: 100, cy: 100, width: 20, height: 20, angle: 45 } }, 400, 300, 1);
  assert.ok(diamond);
  close(diamond.mwg, { x: 100 / 400, y: 100 / 300, w: 28 / 400, h: 28 / 300 }, 'turned 45°');
});

test('boxes are clipped to the image and snapped to whole pixels; a face outside gives nothing', () => {
  // Left edge at −10 → 0; right at 30.4 → 30.
  const clipped = faceArea({ rect: { cx: 10.2, cy: 150, width: 40.4, height: 20, angle: 0 } }, 400, 300, 1);
  assert.ok(clipped);
  close(clipped.mwg, { x: 15 / 400, y: 150 / 300, w: 30 / 400, h: 20 / 300 }, 'clipped');
  assert.equal(faceArea({ rect: { cx: -50, cy: 150, width: 40, height: 20, angle: 0 } }, 400, 300, 1), undefined);
  // Displayed frame of orientation 6 is 300 wide: x = 350 is outside it.
  assert.equal(faceArea({ rect: { cx: 350, cy: 100, width: 40, height: 20, angle: 0 } }, 400, 300, 6), undefined);
});

test('reals are written fixed-point with at most 10 decimals', () => {
  assert.equal(formatReal(0.35), '0.35');
  assert.equal(formatReal(0), '0');
  assert.equal(formatReal(1), '1');
  assert.equal(formatReal(1e-7), '0.0000001');
  assert.equal(formatReal(1 / 3), '0.3333333333');
  assert.equal(formatReal(2 / 3), '0.6666666667');
});
