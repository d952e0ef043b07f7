import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sweepAngles } from '../../src/core/rotation.js';
import { foldSweep } from '../../src/detect/sweep.js';
import { dedupeAcrossAngles } from '../../src/vision/dedup.js';

const hit = (cx: number, cy: number, angle: number, strength: number, size = 40) => ({
  rect: { cx, cy, width: size, height: size, angle },
  strength,
  density: 0,
});

test('one face found at 345°, 0° and 15° becomes one, the strongest', () => {
  const out = dedupeAcrossAngles([hit(100, 100, 0, 5), hit(102, 99, 15, 9), hit(98, 101, 345, 4)]);
  assert.equal(out.length, 1);
  assert.equal(out[0]?.kept.rect.angle, 15);
  assert.equal(out[0]?.members.length, 3);
});

test('on equal strength the smallest |angle| wins, and 345° counts as -15°', () => {
  const out = dedupeAcrossAngles([hit(100, 100, 30, 6), hit(100, 100, 345, 6)]);
  assert.equal(out[0]?.kept.rect.angle, 345);
});

test('two neighbouring faces at the same angle stay two, even when same-angle merging is on', () => {
  assert.equal(dedupeAcrossAngles([hit(100, 100, 0, 5), hit(130, 100, 0, 5)]).length, 2);
  assert.equal(dedupeAcrossAngles([hit(100, 100, 0, 5), hit(130, 100, 0, 5)], { mergeSameAngle: true }).length, 2);
});

test('nested boxes of one face at one angle fold only when same-angle merging is on (off in parity mode)', () => {
  const nested = [hit(100, 100, 0, 5, 40), hit(103, 104, 0, 3, 60)];
  assert.equal(dedupeAcrossAngles(nested).length, 2);
  const [face] = dedupeAcrossAngles(nested, { mergeSameAngle: true });
  assert.equal(face?.members.length, 2);
  assert.equal(face?.kept.strength, 5);
});

test('distant faces at different angles stay apart', () => {
  assert.equal(dedupeAcrossAngles([hit(100, 100, 0, 5), hit(300, 100, 15, 5)]).length, 2);
});

test('a caller preference (the classifier seam) decides which detection is kept', () => {
  const response = new Map<number, number>([
    [0, 0.2],
    [15, 1.4],
  ]);
  const out = dedupeAcrossAngles([hit(100, 100, 0, 9), hit(100, 100, 15, 3)], {
    prefer: (a, b) => (response.get(b.rect.angle) ?? 0) - (response.get(a.rect.angle) ?? 0),
  });
  assert.equal(out[0]?.kept.rect.angle, 15);
});

test('foldSweep scales to full resolution and sums support', () => {
  const [face] = foldSweep([hit(10, 20, 0, 5), hit(11, 20, 15, 3)], 4);
  assert.deepEqual(face?.rect, { cx: 40, cy: 80, width: 160, height: 160, angle: 0 });
  assert.equal(face?.support, 8);
  assert.deepEqual(face?.angles, [0, 15]);
});

test('sweep angles: 15° gives 24, 360 turns the sweep off, non-divisors are refused', () => {
  assert.equal(sweepAngles(15).length, 24);
  assert.deepEqual(sweepAngles(360), [0]);
  assert.deepEqual(sweepAngles(90), [0, 90, 180, 270]);
  assert.throws(() => sweepAngles(7), /divisor of 360/);
});

test('foldSweep drops faces no angle confirmed in the dense second look', () => {
  const confirmed = { ...hit(10, 20, 0, 5), density: 0.05 };
  const alsoSame = { ...hit(11, 20, 15, 9), density: 0.001 };
  const chance = { ...hit(300, 20, 0, 9), density: 0.004 };
  const faces = foldSweep([confirmed, alsoSame, chance], 1, { minHitDensity: 0.01 });
  assert.equal(faces.length, 1);
  // The face is kept by its best angle's density, and reported with the strongest detection.
  assert.equal(faces[0]?.rect.angle, 15);
  assert.equal(faces[0]?.density, 0.05);
});
