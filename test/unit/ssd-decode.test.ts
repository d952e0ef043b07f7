import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rotateRgb } from '../../src/neural/rotate-rgb.js';
import { decodeBox, facesFromOutputs, suppress } from '../../src/neural/ssd-decode.js';
import { ssdInput } from '../../src/neural/ssd-input.js';

test('decodeBox: a zero encoding gives the anchor; offsets move the centre by a tenth and scale by e^(t/5)', () => {
  const anchors = Float32Array.from([0.2, 0.3, 0.4, 0.7]); // h 0.2, w 0.4, centre (0.3, 0.5)
  assert.deepEqual(
    decodeBox(anchors, new Float32Array(4), 0).map((v) => +v.toFixed(6)),
    [0.2, 0.3, 0.4, 0.7],
  );
  const [y0, x0, y1, x1] = decodeBox(anchors, Float32Array.from([1, -1, 5, 0]), 0);
  assert.ok(Math.abs((y0 + y1) / 2 - (0.3 + 0.02)) < 1e-6, 'centre y moved by a tenth of the height');
  assert.ok(Math.abs((x0 + x1) / 2 - (0.5 - 0.04)) < 1e-6, 'centre x moved by a tenth of the width');
  assert.ok(Math.abs(y1 - y0 - 0.2 * Math.E) < 1e-6, 'height scaled by e');
  assert.ok(Math.abs(x1 - x0 - 0.4) < 1e-6);
});

test('suppress: strongest first, overlaps above 0.5 dropped, scores at or below the threshold never kept', () => {
  const boxes: [number, number, number, number][] = [
    [0, 0, 1, 1],
    [0, 0, 1, 0.9], // IoU 0.9 with box 0
    [0, 2, 1, 3], // apart
    [0, 0, 1, 0.4], // IoU 0.4 with box 0: kept
    [5, 5, 6, 6],
  ];
  const scores = Float32Array.from([0.8, 0.9, 0.7, 0.6, 0.5]);
  assert.deepEqual(suppress(boxes, scores, 0.5, 10), [1, 2, 3]);
  assert.deepEqual(suppress(boxes, scores, 0.5, 2), [1, 2], 'at most maxResults');
  // Equal scores keep anchor order, as a stable sort does.
  assert.deepEqual(suppress(boxes, Float32Array.from([0.9, 0.9, 0, 0, 0]), 0.1, 10), [0]);
});

test('facesFromOutputs: boxes go from the padded square back to image pixels, clamped to it', () => {
  // One anchor covering the top-left quarter of the square, one scored too low.
  const anchors = Float32Array.from([0, 0, 0.5, 0.5, 0, 0, 1, 1]);
  const out = { encodings: new Float32Array(8), scores: Float32Array.from([0.9, 0.2]) };
  // A 400×200 image: the square is 400 wide, so the image fills its top half.
  const [face, ...rest] = facesFromOutputs(
    out,
    anchors,
    { width: 400, height: 200 },
    {
      minScore: 0.5,
      maxResults: 10,
      inputSide: 512,
    },
  );
  assert.equal(rest.length, 0);
  assert.ok(face);
  assert.equal(face.score, out.scores[0]);
  // x: 0..0.5 of the square = 0..200 px; y: 0..0.5 of the square = the whole 200 px height.
  assert.ok(Math.abs(face.x) < 1e-9 && Math.abs(face.width - 200) < 1e-9, `x ${face.x} w ${face.width}`);
  assert.ok(Math.abs(face.y) < 1e-9 && Math.abs(face.height - 200) < 1e-9, `y ${face.y} h ${face.height}`);
});

test('facesFromOutputs: a box wholly outside the square is dropped, not returned with a negative size', () => {
  // The anchor sits right of the square (x 1.2..1.6): clamped to the square it has no width.
  const anchors = Float32Array.from([0.1, 1.2, 0.3, 1.6, 0.1, 0.1, 0.3, 0.3]);
  const out = { encodings: new Float32Array(8), scores: Float32Array.from([0.95, 0.9]) };
  const faces = facesFromOutputs(
    out,
    anchors,
    { width: 512, height: 512 },
    { minScore: 0.5, maxResults: 10, inputSide: 512 },
  );
  assert.equal(faces.length, 1);
  assert.ok(faces.every((f) => f.width > 0 && f.height > 0));
  assert.equal(faces[0]?.score, out.scores[1]);
});

test('ssdInput: pads right and bottom with black, maps 0..255 to -1..1, and scales larger canvases', () => {
  const image = { width: 4, height: 2, pixels: Uint8Array.from({ length: 24 }, (_, i) => i * 10) };
  const out = ssdInput(image, 4);
  for (let y = 0; y < 4; y++)
    for (let x = 0; x < 4; x++)
      for (let c = 0; c < 3; c++) {
        const v = y < 2 ? (image.pixels[(y * 4 + x) * 3 + c] ?? 0) : 0;
        assert.ok(Math.abs((out[(y * 4 + x) * 3 + c] ?? 0) - (v / 127.5 - 1)) < 1e-6, `(${x}, ${y}, ${c})`);
      }
  // Halving: output pixel (x, y) samples source (2x, 2y) exactly (no half-pixel centres).
  const big = { width: 8, height: 8, pixels: Uint8Array.from({ length: 192 }, (_, i) => i % 256) };
  const half = ssdInput(big, 4);
  for (let y = 0; y < 4; y++)
    for (let x = 0; x < 4; x++) {
      const v = big.pixels[(2 * y * 8 + 2 * x) * 3] ?? 0;
      assert.ok(Math.abs((half[(y * 4 + x) * 3] ?? 0) - (v / 127.5 - 1)) < 1e-6);
    }
  // Three quarters: source 0.75 between samples 0 and 1 of a ramp.
  const ramp = { width: 4, height: 4, pixels: Uint8Array.from({ length: 48 }, (_, i) => Math.floor(i / 3) % 4) };
  const three = ssdInput(ramp, 3);
  assert.ok(Math.abs((three[3] ?? 0) - (4 / 3 / 127.5 - 1)) < 1e-6, 'x = 1 reads source 1.333');
});

test('rotateRgb into a reused buffer gives the same canvas as a fresh one, even over old contents', () => {
  const src = {
    width: 7,
    height: 5,
    channels: 3 as const,
    pixels: Uint8Array.from({ length: 105 }, (_, i) => (i * 13) % 251),
  };
  const buffer = new Uint8Array(200 * 3).fill(255);
  for (const angle of [0, 45, 90, 135]) {
    const fresh = rotateRgb(src, angle);
    const reused = rotateRgb(src, angle, buffer);
    assert.equal(reused.image.pixels.buffer, buffer.buffer, `${angle}°: the buffer is used`);
    assert.deepEqual([...reused.image.pixels], [...fresh.image.pixels], `${angle}°`);
    buffer.fill(255);
  }
});
