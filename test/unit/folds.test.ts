import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stratifiedKFold, stratifiedTestFolds } from '../../src/recognize/folds.js';
import { at } from '../helpers/items.js';

// Expected test indices from scikit-learn 1.2.1 (Debian's python3-sklearn):
//   from sklearn.model_selection import StratifiedKFold
//   [list(t) for _, t in StratifiedKFold(3).split(np.zeros(len(y)), y)]
test('stratified folds are the ones sklearn makes (positives first seen)', () => {
  const y = [1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1];
  assert.deepEqual(
    stratifiedKFold(y, 3).map((f) => [...f.test]),
    [
      [0, 1, 2, 3, 5, 6],
      [4, 7, 8, 9, 10, 12],
      [11, 13, 14, 15, 16],
    ],
  );
});

test('stratified folds are the ones sklearn makes (blocks of one class)', () => {
  const y = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0];
  assert.deepEqual(
    stratifiedKFold(y, 3).map((f) => [...f.test]),
    [
      [0, 1, 2, 3, 7],
      [4, 5, 6, 8, 9],
      [10, 11, 12, 13, 14],
    ],
  );
});

test('every sample is in exactly one test fold and the train folds are the rest', () => {
  const y = Array.from({ length: 50 }, (_, i) => (i % 7 === 0 ? 1 : 0));
  const folds = stratifiedKFold(y, 4);
  const seen = new Int32Array(y.length);
  for (const f of folds) {
    for (const i of f.test) seen[i] = at(seen, i, 'samples seen') + 1;
    assert.equal(f.train.length + f.test.length, y.length);
    assert.ok([...f.train].every((i) => !f.test.includes(i)));
  }
  assert.ok(seen.every((n) => n === 1));
});

test('a class smaller than the fold count is refused, naming the class', () => {
  assert.throws(() => stratifiedTestFolds([0, 0, 0, 1, 1], 3), /class 1 has 2 samples; 3 folds/);
  assert.throws(() => stratifiedTestFolds([0, 1], 1), /folds must be an integer >= 2/);
});
