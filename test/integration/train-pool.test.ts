import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { GridSearchOptions } from '../../src/recognize/svm/grid-search.js';
import { matrixFromRows } from '../../src/recognize/svm/matrix.js';
import { type PersonResult, trainPersons } from '../../src/recognize/svm/train-pool.js';
import { first, take } from '../helpers/items.js';
import { sharedDir } from '../helpers/paths.js';

interface Fixture {
  X_train: number[][];
  y_train: number[];
}
const fixture = JSON.parse(readFileSync(join(sharedDir, 'reference/fixtures/svm.json'), 'utf8')) as Fixture;
const X = matrixFromRows(fixture.X_train);

// Several labellings of the same 40 vectors stand in for several persons.
const persons = [
  { name: 'bush', y: Uint8Array.from(fixture.y_train) },
  { name: 'every third', y: Uint8Array.from(fixture.y_train, (_, i) => (i % 3 === 0 ? 1 : 0)) },
  { name: 'first half of each', y: Uint8Array.from(fixture.y_train, (_, i) => (i % 20 < 10 ? 1 : 0)) },
  { name: 'not bush', y: Uint8Array.from(fixture.y_train, (v) => 1 - v) },
];

const options: GridSearchOptions = {
  kernels: ['linear', 'rbf'],
  C: Array.from({ length: 19 }, (_, i) => 1 + i / 2),
  folds: 3,
  classWeight: 'balanced',
  scoring: 'balanced_accuracy',
};

/** Everything but the timing. */
const comparable = (results: PersonResult[]) => results.map(({ seconds: _, ...rest }) => rest);

test('worker threads give exactly the models of the calling thread', async () => {
  const progress: [number, number, string][] = [];
  const here = await trainPersons(X, persons, options, { jobs: 1 });
  const pooled = await trainPersons(X, persons, options, {
    jobs: 2,
    onProgress: (done, total, name) => progress.push([done, total, name]),
  });
  assert.deepEqual(
    here.map((r) => r.name),
    persons.map((p) => p.name),
  );
  assert.deepEqual(comparable(pooled), comparable(here));
  assert.deepEqual(
    progress.map(([done, total]) => [done, total]),
    persons.map((_, i) => [i + 1, persons.length]),
  );
  assert.deepEqual(progress.map(([, , name]) => name).sort(), persons.map((p) => p.name).sort());
  // The features engine (libsvm computes the kernels) agrees with the precomputed one.
  const features = await trainPersons(X, persons.slice(0, 1), { ...options, engine: 'features' }, { jobs: 2 });
  const [viaFeatures] = take(features, 1, 'models trained on features');
  const [precomputed] = take(here, 1, 'models trained here');
  assert.deepEqual(viaFeatures.best, precomputed.best);
  assert.equal(viaFeatures.cvScore, precomputed.cvScore);
});

test('a person that cannot be trained fails the whole run with a clear error', async () => {
  const few = { name: 'nobody', y: Uint8Array.from(fixture.y_train, (_, i) => (i < 2 ? 1 : 0)) };
  for (const jobs of [1, 2]) {
    await assert.rejects(
      trainPersons(X, [first(persons, 'persons'), few], options, { jobs }),
      /training nobody failed: 2 positives and 38 negatives: 3-fold cross-validation needs at least 3 of each/,
    );
  }
  await assert.rejects(
    trainPersons(X, [{ name: 'short', y: new Uint8Array(3) }], options, { jobs: 2 }),
    /short: labels must be a Uint8Array of 40 values/,
  );
  await assert.rejects(trainPersons(X, persons, options, { jobs: 0 }), /jobs must be a positive integer/);
});
