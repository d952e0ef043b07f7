import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rotationFrame } from '../../src/core/rotation.js';
import { focusRegion, MAX_GAIN, MIN_GAIN, scaleFocus } from '../../src/neural/focus.js';
import type { AngleHit } from '../../src/vision/detect-angle.js';
import { canvasToSource, sourceToCanvas } from '../../src/vision/rotate.js';

const hit = (cx: number, cy: number, angle: number, strength = 0.8, side = 20): AngleHit => ({
  rect: { cx, cy, width: side, height: side, angle },
  strength,
  density: 0,
});

test('sourceToCanvas undoes canvasToSource', () => {
  for (const angle of [0, 45, 90, 148, 270]) {
    const f = rotationFrame(300, 200, angle);
    const [x, y] = sourceToCanvas(f, ...canvasToSource(f, 37.5, 81.25));
    assert.ok(Math.abs(x - 37.5) < 1e-9 && Math.abs(y - 81.25) < 1e-9, `angle ${angle}`);
  }
});

test('the closer look crops the angle with most faces around them, a face and a half beyond each', () => {
  // Upright 400x400 photo: three faces near the middle at 0°, one stray at 90°.
  const hits = [hit(180, 200, 0), hit(200, 200, 0, 0.95), hit(220, 200, 0), hit(50, 50, 90, 0.99)];
  const focus = focusRegion(hits, 400, 400);
  assert.ok(focus);
  assert.equal(focus.angle, 0);
  // Faces span x 180..220, y 200; reach 30 px each side, then grown to 400 / MAX_GAIN = 160 px.
  assert.deepEqual([focus.x, focus.y, focus.width, focus.height], [120, 120, 160, 160]);
  assert.equal(focus.gain, MAX_GAIN);
});

test('no closer look when the faces already fill the canvas, or nothing was found', () => {
  assert.equal(focusRegion([hit(60, 60, 0), hit(340, 340, 0)], 400, 400), null, 'gain under MIN_GAIN');
  assert.ok(400 / 280 < MIN_GAIN);
  assert.equal(focusRegion([], 400, 400), null);
});

test('a turned canvas: the crop is in that canvas, and scales with the image', () => {
  const focus = focusRegion([hit(100, 100, 45), hit(110, 100, 45)], 400, 400);
  assert.ok(focus);
  assert.equal(focus.angle, 45);
  const f = rotationFrame(400, 400, 45);
  const [cx, cy] = sourceToCanvas(f, 105, 100);
  assert.ok(focus.x <= cx && cx <= focus.x + focus.width && focus.y <= cy && cy <= focus.y + focus.height);
  const double = scaleFocus(focus, 2);
  assert.equal(double.x, focus.x * 2);
  assert.ok(Math.abs(double.width - focus.width * 2) <= 1);
});
