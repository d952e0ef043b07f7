import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rotationFrame } from '../../src/core/rotation.js';
import { canvasToSource, rotateGrey } from '../../src/vision/rotate.js';

const W = 5;
const H = 3;
const src = { width: W, height: H, data: Float64Array.from({ length: W * H }, (_, i) => i + 1) };
const at = (img: { width: number; data: Float64Array }, x: number, y: number): number => {
  const v = img.data[y * img.width + x];
  if (v === undefined) assert.fail(`no pixel at (${x}, ${y})`);
  return v;
};

test('quarter turns are exact index transforms (counter-clockwise)', () => {
  const { image } = rotateGrey(src, 90);
  assert.deepEqual([image.width, image.height], [H, W]);
  // Turning CCW by 90°: the source's top-right corner becomes the canvas's top-left.
  for (let y = 0; y < W; y++) for (let x = 0; x < H; x++) assert.equal(at(image, x, y), at(src, W - 1 - y, x));
  const half = rotateGrey(src, 180).image;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) assert.equal(at(half, x, y), at(src, W - 1 - x, H - 1 - y));
  const three = rotateGrey(src, 270).image;
  for (let y = 0; y < W; y++) for (let x = 0; x < H; x++) assert.equal(at(three, x, y), at(src, y, H - 1 - x));
});

test('the expanded canvas holds every corner of the source', () => {
  const f = rotationFrame(400, 300, 30);
  const cos = Math.cos(Math.PI / 6);
  const sin = Math.sin(Math.PI / 6);
  assert.equal(f.width, Math.ceil(400 * cos + 300 * sin));
  assert.equal(f.height, Math.ceil(400 * sin + 300 * cos));
  for (const [x, y] of [
    [0, 0],
    [f.width, 0],
    [0, f.height],
    [f.width, f.height],
  ] as const) {
    const [sx, sy] = canvasToSource(f, x, y);
    assert.ok(Number.isFinite(sx) && Number.isFinite(sy));
  }
  // The canvas centre maps to the source centre.
  assert.deepEqual(
    canvasToSource(f, f.width / 2, f.height / 2).map((v) => Math.round(v * 1e9) / 1e9),
    [200, 150],
  );
});

test('a bright pixel lands where canvasToSource says it came from, at 30°', () => {
  const w = 41;
  const h = 31;
  const data = new Float64Array(w * h);
  data[10 * w + 30] = 1; // (x=30, y=10)
  const { image, frame } = rotateGrey({ width: w, height: h, data }, 30);
  let best = -1;
  let bx = 0;
  let by = 0;
  for (let y = 0; y < image.height; y++)
    for (let x = 0; x < image.width; x++)
      if (at(image, x, y) > best) {
        best = at(image, x, y);
        bx = x;
        by = y;
      }
  const [sx, sy] = canvasToSource(frame, bx + 0.5, by + 0.5);
  assert.ok(Math.hypot(sx - 30.5, sy - 10.5) < 1, `brightest canvas pixel maps to (${sx}, ${sy})`);
});

test('outside the source the canvas is black', () => {
  const { image } = rotateGrey({ width: 10, height: 10, data: new Float64Array(100).fill(1) }, 45);
  assert.equal(at(image, 0, 0), 0);
});
