import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SURE_SCORE } from '../../src/neural/on-axis.js';
import { split } from '../../src/neural/photo-sweep.js';
import { halfSizeKept, settlesUpright } from '../../src/neural/upright-first.js';
import type { AngleHit } from '../../src/vision/detect-angle.js';

const hit = (cx: number, angle: number, strength: number): AngleHit => ({
  rect: { cx, cy: 100, width: 40, height: 40, angle },
  strength,
  density: 0,
});

test('a large photo is settled upright only when most of its sure faces look upright to the orientation model', () => {
  const upright = () => true;
  const turned = () => false;
  assert.ok(settlesUpright([hit(100, 0, 0.4), hit(300, 0, SURE_SCORE)], upright), 'one sure upright face settles it');
  assert.ok(!settlesUpright([hit(100, 0, SURE_SCORE - 0.01)], upright), 'a doubtful face does not');
  assert.ok(!settlesUpright([hit(100, 0, 0.99)], turned), 'a sure face seen upside down does not');
  assert.ok(!settlesUpright([], upright), 'no face: every angle at full size');
  const upOnlyAt = (x: number) => (h: AngleHit) => h.rect.cx === x;
  const sure = [hit(100, 0, 0.95), hit(200, 0, 0.97), hit(300, 0, 0.99)];
  assert.ok(!settlesUpright(sure, upOnlyAt(100)), 'one of three sure faces upright: not settled');
  assert.ok(
    settlesUpright([...sure, hit(400, 0, 0.5)], (h) => h.rect.cx !== 300),
    'two of three: settled',
  );
  assert.ok(!settlesUpright(sure.slice(0, 2), upOnlyAt(100)), 'one of two: not settled');
  // The model is asked about the sure faces only, each as found.
  const asked: AngleHit[] = [];
  settlesUpright([hit(100, 0, 0.5), hit(300, 0, 0.95)], (h) => {
    asked.push(h);
    return false;
  });
  assert.deepEqual(asked, [hit(300, 0, 0.95)]);
});

test('half-size turned canvases give only their sure faces', () => {
  const half = [hit(102, 90, 0.97), hit(400, 90, SURE_SCORE), hit(700, 270, 0.6)];
  assert.deepEqual(halfSizeKept(half), [hit(102, 90, 0.97), hit(400, 90, SURE_SCORE)]);
  assert.deepEqual(halfSizeKept([]), []);
});

test('angles are split into near-equal runs, in order, none empty', () => {
  assert.deepEqual(split([45, 90, 135, 180, 225, 270, 315], 2), [
    [45, 90, 135, 180],
    [225, 270, 315],
  ]);
  assert.deepEqual(split([45, 90], 4), [[45], [90]]);
  assert.deepEqual(split([1, 2, 3], 1), [[1, 2, 3]]);
  assert.deepEqual(split([], 2), []);
});
