import assert from 'node:assert/strict';
import { test } from 'node:test';
import { innerBox } from '../../src/neural/embedder.js';
import { byAxis, needsOffAxis, offAxis, passes, preferOnAxis, SURE_SCORE } from '../../src/neural/on-axis.js';
import { rotateRgb, rotateRgbWindow, toRgb } from '../../src/neural/rotate-rgb.js';
import { shrinkRaster } from '../../src/neural/shrink.js';
import { hitsFromBoxes } from '../../src/neural/ssd-hits.js';
import { rectContains } from '../../src/vision/geometry.js';
import { rotateGrey } from '../../src/vision/rotate.js';

/** A 5x3 RGB image whose every sample is distinct. */
function sample(width = 5, height = 3) {
  const pixels = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 7) % 251);
  return { width, height, channels: 3 as const, pixels };
}

test('rotateRgb: quarter turns are exact index transforms, consistent with the cascade grey rotation', () => {
  const src = sample();
  for (const angle of [90, 180, 270]) {
    const { image, frame } = rotateRgb(src, angle);
    assert.equal(image.width * image.height, src.width * src.height);
    for (let c = 0; c < 3; c++) {
      const grey = {
        width: src.width,
        height: src.height,
        data: Float64Array.from({ length: src.width * src.height }, (_, i) => src.pixels[i * 3 + c] ?? 0),
      };
      const turned = rotateGrey(grey, angle).image;
      assert.deepEqual(
        Array.from({ length: image.width * image.height }, (_, i) => image.pixels[i * 3 + c]),
        Array.from(turned.data),
        `channel ${c} at ${angle}°`,
      );
    }
    assert.equal(frame.angle, angle);
  }
  // 90° counter-clockwise: the top-right source pixel lands top-left.
  const { image } = rotateRgb(src, 90);
  assert.deepEqual([...image.pixels.subarray(0, 3)], [...src.pixels.subarray((src.width - 1) * 3, src.width * 3)]);
});

test('rotateRgb: grey input is replicated to three channels; toRgb keeps RGB as is', () => {
  const grey = { width: 2, height: 2, channels: 1 as const, pixels: Uint8Array.from([10, 20, 30, 40]) };
  assert.deepEqual([...rotateRgb(grey, 0).image.pixels], [10, 10, 10, 20, 20, 20, 30, 30, 30, 40, 40, 40]);
  const rgb = sample();
  assert.equal(toRgb(rgb).pixels, rgb.pixels);
});

test('hitsFromBoxes maps a box found on a turned canvas back onto the same face in the photo', () => {
  const width = 200;
  const height = 100;
  // A face centred at (150, 30) in the photo; on the 90° canvas (100 wide, 200 tall) it sits at (30, 50).
  const { frame } = rotateRgb({ width, height, channels: 1, pixels: new Uint8Array(width * height) }, 90);
  const [hit] = hitsFromBoxes([{ score: 0.9, x: 20, y: 40, width: 20, height: 20 }], frame);
  assert.ok(hit);
  assert.ok(Math.abs(hit.rect.cx - 150) < 1e-9 && Math.abs(hit.rect.cy - 30) < 1e-9, JSON.stringify(hit.rect));
  assert.equal(hit.rect.angle, 90);
  assert.equal(hit.strength, 0.9);
  assert.ok(rectContains(hit.rect, 150, 30));
});

test('shrinkRaster: area average keeps flat colours and means, and reports its scale', () => {
  const flat = { width: 1000, height: 500, channels: 3 as const, pixels: new Uint8Array(1000 * 500 * 3).fill(77) };
  const { image, scale } = shrinkRaster(flat, 512);
  assert.equal(image.width, 512);
  assert.equal(image.height, 256);
  assert.equal(scale, 512 / 1000);
  assert.ok(image.pixels.every((v) => v === 77));
  // A 4x2 grey image halved: each output pixel is the mean of a 2x2 block.
  const g = { width: 4, height: 2, channels: 1 as const, pixels: Uint8Array.from([0, 100, 200, 200, 100, 0, 50, 150]) };
  assert.deepEqual([...shrinkRaster(g, 2).image.pixels], [50, 150]);
  assert.equal(shrinkRaster(g, 4).image, g);
});

test('innerBox finds the face box inside a padded chip', () => {
  assert.deepEqual(innerBox(200, 100, 0.5), { x: 50, y: 25, width: 100, height: 50 });
  assert.deepEqual(innerBox(80, 80, 0), { x: 0, y: 0, width: 80, height: 80 });
});

test('off-axis sweep angles: distance from a quarter turn, their own threshold, and the on-axis preference', () => {
  assert.deepEqual(
    [0, 15, 30, 45, 90, 135, 300, 315].map((a) => Number(offAxis(a).toFixed(3))),
    [0, 0.333, 0.667, 1, 0, 1, 0.667, 1],
  );
  assert.ok(passes(0.55, 90, 0.5, 0.7));
  assert.ok(!passes(0.55, 45, 0.5, 0.7));
  assert.ok(passes(0.75, 315, 0.5, 0.7));
  const hit = (angle: number, strength: number) => ({ rect: { cx: 0, cy: 0, width: 10, height: 10, angle }, strength });
  const prefer = preferOnAxis(0.3);
  // An upright box beats a slightly stronger turned one, but not a much stronger one.
  assert.ok(prefer(hit(0, 0.8), hit(45, 0.9)) < 0);
  assert.ok(prefer(hit(45, 0.95), hit(0, 0.6)) < 0);
  // With no penalty it is the detector's own rule: the strongest.
  assert.ok(preferOnAxis(0)(hit(45, 0.9), hit(0, 0.8)) < 0);
});

test("a small photo's sweep: quarter turns first; the other angles only when no quarter turn found a face surely", () => {
  assert.deepEqual(byAxis([0, 45, 90, 135, 180, 225, 270, 315]), {
    onAxis: [0, 90, 180, 270],
    offAxis: [45, 135, 225, 315],
  });
  assert.deepEqual(byAxis([0, 15, 30, 90]), { onAxis: [0, 90], offAxis: [15, 30] });
  assert.ok(needsOffAxis([]), 'nothing found: look at the turned canvases');
  assert.ok(needsOffAxis([{ strength: 0.6 }, { strength: 0.89 }]), 'only doubtful faces: look further');
  assert.ok(!needsOffAxis([{ strength: 0.4 }, { strength: SURE_SCORE }]), 'a sure face settles it');
});

test('rotateRgbWindow computes exactly that crop of the turned canvas', () => {
  const src = sample(9, 7);
  for (const angle of [0, 45, 90, 135, 200]) {
    const { image: canvas } = rotateRgb(src, angle);
    const window = { x: 2, y: 1, width: 5, height: 4 };
    const { image } = rotateRgbWindow(src, angle, window);
    assert.equal(image.width, 5);
    assert.equal(image.height, 4);
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 5; x++)
        for (let c = 0; c < 3; c++)
          assert.equal(
            image.pixels[(y * 5 + x) * 3 + c],
            canvas.pixels[((y + 1) * canvas.width + x + 2) * 3 + c],
            `angle ${angle} at ${x},${y}`,
          );
  }
});
