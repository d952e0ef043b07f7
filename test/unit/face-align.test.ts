/**
 * The plain arithmetic that stands in for face-api's tensor code around the landmark and
 * recognition nets (face-align.ts, centred-square.ts) and the filter layouts the ONNX graphs use
 * (onnx-graph.ts), on inputs small enough to work out by hand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { centredSquare } from '../../src/neural/centred-square.js';
import { cropFace, dlibBox, landmarkPositions } from '../../src/neural/face-align.js';
import { convFilter, depthwiseFilter } from '../../src/neural/onnx-graph.js';
import type { RgbImage } from '../../src/neural/rotate-rgb.js';
import type { Point } from '../../src/vision/geometry.js';

/** A w×h image whose red channel holds each pixel's index. */
function indexed(width: number, height: number): RgbImage {
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) pixels[i * 3] = i;
  return { width, height, pixels };
}

const reds = (image: RgbImage) => Array.from({ length: image.width * image.height }, (_, i) => image.pixels[i * 3]);

test('cropFace clips the box to the image, then floors x, y, width and height each, as extractFaceTensors does', () => {
  const image = indexed(6, 5);
  const crop = cropFace(image, { x: 1.7, y: 0.2, width: 2.9, height: 2.6 });
  // x 1.7 → 1, y 0.2 → 0, width 2.9 → 2, height 2.6 → 2.
  assert.deepEqual([crop?.width, crop?.height], [2, 2]);
  assert.deepEqual(crop && reds(crop), [1, 2, 7, 8]);
  const clipped = cropFace(image, { x: -2, y: 3.5, width: 5, height: 9 });
  // Clipped to x 0 (width 5 − 2 = 3) and to the bottom (height 5 − 3.5 = 1.5 → 1).
  assert.deepEqual([clipped?.width, clipped?.height], [3, 1]);
  assert.deepEqual(clipped && reds(clipped), [18, 19, 20]);
  assert.equal(cropFace(image, { x: 7, y: 0, width: 3, height: 3 }), null, 'a box outside the image');
});

test('centredSquare pads the short side with black, the odd pixel before the image', () => {
  const tall = indexed(2, 5); // 3 columns of padding: 1 before, 2 after (face-api appends round(3/2))
  const out = centredSquare(tall, 5, new Float32Array(5 * 5 * 3));
  const row = (r: number) => Array.from({ length: 5 }, (_, c) => out[(r * 5 + c) * 3]);
  assert.deepEqual(row(0), [0, 0, 1, 0, 0]);
  assert.deepEqual(row(4), [0, 8, 9, 0, 0]);
  const wide = indexed(5, 3); // 2 rows of padding: 1 before, 1 after
  const out2 = centredSquare(wide, 5, new Float32Array(5 * 5 * 3));
  assert.deepEqual(
    Array.from({ length: 5 }, (_, r) => out2[(r * 5 + 4) * 3]),
    [0, 4, 9, 14, 0],
  );
});

test('landmarkPositions takes off the net square padding and maps to the crop, then shifts', () => {
  // A 50×100 crop fills 56×112 of the net's 112 square, 28 px of padding on the left.
  const out = new Float32Array(136);
  out[0] = 0.25; // x: 28 px in, so the crop's left edge
  out[1] = 0.5; // y: half way down
  out[2] = 0.75; // x: 84 px in, so the crop's right edge
  out[3] = 1;
  const [a, b] = landmarkPositions(out, { width: 50, height: 100 }, { x: 10, y: 20 }, 112);
  assert.ok(a && b);
  assert.ok(Math.abs(a.x - 10) < 1e-4 && Math.abs(a.y - 70) < 1e-4, `${a.x}, ${a.y}`);
  assert.ok(Math.abs(b.x - 60) < 1e-4 && Math.abs(b.y - 120) < 1e-4, `${b.x}, ${b.y}`);
});

test('dlibBox sizes the face from the eyes-to-mouth distance and places it around their centre', () => {
  const points: Point[] = Array.from({ length: 68 }, () => ({ x: 0, y: 0 }));
  const put = (from: number, to: number, p: Point) => points.fill(p, from, to);
  put(36, 42, { x: 40, y: 50 }); // left eye
  put(42, 48, { x: 80, y: 50 }); // right eye
  put(48, 68, { x: 60, y: 95 }); // mouth
  const box = dlibBox(points, { width: 200, height: 200 });
  // Eyes to mouth: √(20² + 45²) = 49.24 each, so size ⌊49.24 / 0.45⌋ = 109; centre (60, 65).
  assert.deepEqual(box, { x: Math.floor(60 - 54.5), y: Math.floor(65 - 0.43 * 109), width: 109, height: 109 });
});

test('filters go from TensorFlow layouts to ONNX ones, and a wrong shape is refused', () => {
  // [h 1, w 2, in 2, out 3]: value = 100·x + 10·in + out.
  const values = new Float32Array(12);
  for (let x = 0; x < 2; x++)
    for (let i = 0; i < 2; i++) for (let o = 0; o < 3; o++) values[(x * 2 + i) * 3 + o] = 100 * x + 10 * i + o;
  const f = convFilter({ shape: [1, 2, 2, 3], values });
  assert.deepEqual(f.dims, [3, 2, 1, 2]);
  // ONNX [out, in, h, w]: out 2, in 1, x 1 → 112.
  assert.equal(f.values[((2 * 2 + 1) * 1 + 0) * 2 + 1], 112);
  const d = depthwiseFilter({ shape: [1, 2, 3, 1], values: Float32Array.from([0, 1, 2, 10, 11, 12]) });
  assert.deepEqual(
    [d.dims, Array.from(d.values)],
    [
      [3, 1, 1, 2],
      [0, 10, 1, 11, 2, 12],
    ],
  );
  assert.throws(() => depthwiseFilter({ shape: [1, 1, 3, 2], values: new Float32Array(6) }), /cannot be converted/);
  assert.throws(() => convFilter({ shape: [2, 3], values: new Float32Array(6) }), /cannot be converted/);
});
