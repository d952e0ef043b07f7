import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchBoxes, score, seededRandom } from '../../src/eval/match.js';

const box = (x: number, y: number, s = 10) => ({ x, y, width: s, height: s });

test('greedy one-to-one matching at an IoU threshold', () => {
  const m = matchBoxes([box(0, 0), box(100, 100)], [box(1, 1), box(2, 2), box(500, 500)], 0.4);
  assert.deepEqual(m, { truePositives: 1, falsePositives: 2, falseNegatives: 1 });
  assert.deepEqual(score(m), { precision: 1 / 3, recall: 0.5, f1: 0.4 });
});

test('a detection below the IoU threshold does not count', () => {
  assert.equal(matchBoxes([box(0, 0)], [box(6, 6)], 0.4).truePositives, 0);
});

test('the seeded random sequence is repeatable', () => {
  const a = seededRandom(7);
  const b = seededRandom(7);
  const xs = [a(), a(), a()];
  assert.deepEqual(xs, [b(), b(), b()]);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});
