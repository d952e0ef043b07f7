import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type GridSearchOptions, gridSearch } from '../../src/recognize/svm/grid-search.js';
import { matrixFromRows } from '../../src/recognize/svm/matrix.js';
import { at } from '../helpers/items.js';
import { sharedDir } from '../helpers/paths.js';

interface Fixture {
  X_train: number[][];
  y_train: number[];
}
const fixture = JSON.parse(readFileSync(join(sharedDir, 'reference/fixtures/svm.json'), 'utf8')) as Fixture;

/*
 * Expected values from scikit-learn 1.2.1 (/usr/bin/python3), on svm.json's X_train / y_train:
 *
 *   import json, numpy as np
 *   from sklearn.model_selection import GridSearchCV
 *   from sklearn.svm import SVC
 *   d = json.load(open('svm.json'))
 *   X = np.array(d['X_train']); y = np.array(d['y_train'])
 *   grid = {'kernel': ['linear', 'rbf'], 'C': [0.5, 1.0, 2.0, 4.0, 8.0]}
 *   def run(X, y, cw, scoring):
 *       s = GridSearchCV(SVC(class_weight=cw), grid, cv=3, scoring=scoring).fit(X, y)
 *       print(s.best_params_, s.best_score_, s.cv_results_['mean_test_score'].tolist(),
 *             s.best_estimator_.support_.tolist(), s.best_estimator_.intercept_[0])
 *   run(X, y, None, 'accuracy')
 *   keep = [i for i in range(40) if y[i] == 0 or i < 8]   # 8 positives, 20 negatives
 *   run(X[keep], y[keep], 'balanced', 'balanced_accuracy')
 *
 * mean_test_score is in ParameterGrid order: C outer, kernel inner.
 */
const sklearn = {
  plain: {
    best: { kernel: 'rbf', C: 2 },
    score: 0.8516483516483516,
    means: [
      0.7747252747252747, 0.521978021978022, 0.7985347985347985, 0.8003663003663005, 0.6996336996336995,
      0.8516483516483516, 0.6996336996336995, 0.6996336996336995, 0.6996336996336995, 0.6996336996336995,
    ],
    support: [
      20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
      11, 12, 13, 14, 15, 16, 17, 18, 19,
    ],
    intercept: -0.11653636495195223,
  },
  balanced: {
    best: { kernel: 'linear', C: 0.5 },
    score: 0.7579365079365079,
    means: [
      0.7579365079365079, 0.5, 0.6746031746031745, 0.6666666666666666, 0.6428571428571429, 0.5833333333333334,
      0.6428571428571429, 0.5833333333333334, 0.6428571428571429, 0.5833333333333334,
    ],
    intercept: -0.502444093201493,
  },
};

const grid = { kernels: ['linear', 'rbf'], C: [0.5, 1, 2, 4, 8], folds: 3 } as const;
const order = grid.C.flatMap((C) => grid.kernels.map((kernel) => ({ kernel, C })));

test("accuracy, no class weights: sklearn's choice, scores and refit", async () => {
  const X = matrixFromRows(fixture.X_train);
  for (const engine of ['precomputed', 'features'] as const) {
    const r = await gridSearch(X, fixture.y_train, { ...grid, classWeight: 'none', scoring: 'accuracy', engine });
    assert.deepEqual(
      r.scores,
      order.map((o, i) => ({ ...o, score: sklearn.plain.means[i] })),
      engine,
    );
    assert.deepEqual({ kernel: r.best.kernel, C: r.best.C }, sklearn.plain.best);
    assert.equal(r.cvScore, sklearn.plain.score);
    assert.equal(r.model.dualCoef.length, sklearn.plain.support.length);
    assert.ok(Math.abs(r.model.intercept - sklearn.plain.intercept) < 1e-6, `intercept ${r.model.intercept}`);
    assert.equal(r.best.gamma, r.model.gamma);
    assert.deepEqual([r.positives, r.negatives], [20, 20]);
  }
});

test("balanced accuracy with balanced class weights: sklearn's choice and scores", async () => {
  const keep = fixture.y_train.map((y, i) => (y === 0 || i < 8 ? i : -1)).filter((i) => i >= 0);
  const X = matrixFromRows(keep.map((i) => at(fixture.X_train, i, 'X_train')));
  const y = keep.map((i) => at(fixture.y_train, i, 'y_train'));
  const r = await gridSearch(X, y, { ...grid, classWeight: 'balanced', scoring: 'balanced_accuracy' });
  assert.deepEqual(
    r.scores.map((s) => s.score),
    sklearn.balanced.means,
  );
  assert.deepEqual({ kernel: r.best.kernel, C: r.best.C }, sklearn.balanced.best);
  assert.equal(r.cvScore, sklearn.balanced.score);
  assert.ok(Math.abs(r.model.intercept - sklearn.balanced.intercept) < 1e-6, `intercept ${r.model.intercept}`);
  assert.equal(r.best.gamma, null);
  assert.deepEqual([r.positives, r.negatives], [8, 20]);
});

/** Two well separated clusters: every setting scores 1. */
function separable() {
  const rows: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 12; i++) {
    const positive = i % 2;
    rows.push([positive * 10 + (i % 3) * 0.1, positive * 10 - (i % 4) * 0.1]);
    y.push(positive);
  }
  return { X: matrixFromRows(rows), y };
}

test('ties go to the first setting in ParameterGrid order (C outer, kernels in the order given)', async () => {
  const { X, y } = separable();
  const options: GridSearchOptions = {
    kernels: ['linear', 'rbf'],
    C: [3, 1, 2],
    classWeight: 'none',
    scoring: 'accuracy',
  };
  const r = await gridSearch(X, y, options);
  assert.deepEqual(
    r.scores.map((s) => [s.C, s.kernel, s.score]),
    [
      [3, 'linear', 1],
      [3, 'rbf', 1],
      [1, 'linear', 1],
      [1, 'rbf', 1],
      [2, 'linear', 1],
      [2, 'rbf', 1],
    ],
  );
  assert.deepEqual(r.best, { kernel: 'linear', C: 3, gamma: null });
  assert.equal(r.model.kernel, 'linear');
  assert.equal(r.model.C, 3);

  const rbfFirst = await gridSearch(X, y, { ...options, kernels: ['rbf', 'linear'] });
  assert.equal(rbfFirst.best.kernel, 'rbf');
  assert.equal(rbfFirst.best.C, 3);
  assert.equal(rbfFirst.best.gamma, rbfFirst.model.gamma);
});

test('too few samples of a class for the folds is a clear error', async () => {
  const { X } = separable();
  const y = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const options: GridSearchOptions = { kernels: ['linear'], C: [1], classWeight: 'none', scoring: 'accuracy' };
  await assert.rejects(
    gridSearch(X, y, options),
    /2 positives and 10 negatives: 3-fold cross-validation needs at least 3 of each/,
  );
  const two = await gridSearch(X, y, { ...options, folds: 2 });
  assert.equal(two.positives, 2);
  await assert.rejects(gridSearch(X, y.slice(1), options), /11 labels for 12 rows/);
  await assert.rejects(gridSearch(X, [2, ...y.slice(1)], options), /labels must be 0 or 1/);
  await assert.rejects(gridSearch(X, y, { ...options, C: [] }), /grid is empty/);
});
