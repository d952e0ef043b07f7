import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRotationStep, sweepAngles } from '../../src/core/rotation.js';

test('a rotation step is whole degrees dividing the circle; the sweep holds to the same rule', () => {
  for (const step of [1, 15, 45, 90, 120, 360]) assert.equal(isRotationStep(step), true, String(step));
  for (const step of [0, -15, 7, 22.5, 361, Number.NaN]) {
    assert.equal(isRotationStep(step), false, String(step));
    assert.throws(() => sweepAngles(step), /whole divisor of 360/);
  }
  assert.deepEqual(sweepAngles(90), [0, 90, 180, 270]);
  assert.deepEqual(sweepAngles(360), [0]);
});
