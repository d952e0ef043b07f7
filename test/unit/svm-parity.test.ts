import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { trainBinary } from '../../src/recognize/svm/libsvm.js';
import { matrixFromRows, scaleGamma } from '../../src/recognize/svm/matrix.js';
import {
  compileSvm,
  decisionValue,
  linearWeights,
  type SvmKernel,
  type SvmModel,
  validateSvmModel,
} from '../../src/recognize/svm/model.js';
import { at, first } from '../helpers/items.js';
import { sharedDir } from '../helpers/paths.js';

interface StoredModel {
  params: { kernel: SvmKernel; C: number };
  gamma_value: number | null;
  support_indices: number[];
  dual_coef: number[];
  intercept: number;
  decision_test: number[];
  decision_train: number[];
  predict_test: number[];
}
interface Fixture {
  X_train: number[][];
  y_train: number[];
  X_test: number[][];
  models: StoredModel[];
}

const fixture = JSON.parse(readFileSync(join(sharedDir, 'reference/fixtures/svm.json'), 'utf8')) as Fixture;
const X = matrixFromRows(fixture.X_train);

/** The stored sklearn model as an SvmModel. */
function storedModel(m: StoredModel): SvmModel {
  const supportVectors = m.support_indices.map((i) => at(fixture.X_train, i, 'X_train'));
  return {
    kernel: m.params.kernel,
    C: m.params.C,
    gamma: m.gamma_value,
    intercept: m.intercept,
    dualCoef: m.dual_coef,
    supportVectors,
    weights: m.params.kernel === 'linear' ? linearWeights(m.dual_coef, supportVectors) : null,
  };
}

function maxDiff(a: readonly number[], b: readonly number[]): number {
  assert.equal(a.length, b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - at(b, i, 'second list'))));
}

for (const stored of fixture.models) {
  const { kernel } = stored.params;

  test(`${kernel}: the stored sklearn model evaluates to sklearn's decision values`, (t) => {
    const model = storedModel(stored);
    const fast = compileSvm(model);
    for (const [xs, expected] of [
      [fixture.X_test, stored.decision_test],
      [fixture.X_train, stored.decision_train],
    ] as const) {
      const slow = maxDiff(
        xs.map((x) => decisionValue(model, x)),
        expected,
      );
      const compiled = maxDiff(
        xs.map((x) => fast(Float64Array.from(x))),
        expected,
      );
      t.diagnostic(`max |diff| decisionValue ${slow.toExponential(2)}, compileSvm ${compiled.toExponential(2)}`);
      assert.ok(slow < 1e-12 && compiled < 1e-12, `diffs ${slow}, ${compiled}`);
    }
  });

  for (const engine of ['precomputed', 'features'] as const) {
    test(`${kernel}: libsvm-js (${engine} kernel) trains sklearn's model`, async (t) => {
      const { model, support } = await trainBinary(X, fixture.y_train, {
        kernel,
        C: stored.params.C,
        gamma: 'scale',
        classWeight: 'none',
        engine,
      });
      assert.deepEqual(support, stored.support_indices);
      // gamma='scale' is computed as numpy does, to the last bit.
      assert.equal(model.gamma, stored.gamma_value);
      const test = fixture.X_test.map((x) => decisionValue(model, x));
      const train = fixture.X_train.map((x) => decisionValue(model, x));
      const diffs = {
        test: maxDiff(test, stored.decision_test),
        train: maxDiff(train, stored.decision_train),
        dualCoef: maxDiff(model.dualCoef, stored.dual_coef),
        intercept: Math.abs(model.intercept - stored.intercept),
      };
      t.diagnostic(`max |diff| ${JSON.stringify(diffs)}`);
      for (const [what, d] of Object.entries(diffs)) assert.ok(d < 1e-3, `${what} differs by ${d}`);
      assert.deepEqual(
        test.map((v) => (v > 0 ? 1 : 0)),
        stored.predict_test,
      );
      // The trained model survives a trip through JSON and the file-boundary check unchanged.
      assert.deepEqual(validateSvmModel(JSON.parse(JSON.stringify(model))), model);
    });
  }
}

test("gamma='scale' is 1 / (n_features · X.var()) over the given rows", () => {
  const x = matrixFromRows([
    [0, 1],
    [2, 3],
    [4, 8],
  ]);
  // [0, 1, 2, 3, 4, 8]: mean 3, squared deviations sum to 40.
  assert.equal(scaleGamma(x), 1 / (2 * (40 / 6)));
  // Rows 0 and 1: var of [0, 1, 2, 3] = 1.25.
  assert.equal(scaleGamma(x, [0, 1]), 1 / (2 * 1.25));
  assert.equal(scaleGamma(matrixFromRows([[3], [3]])), 1);
});

test('validateSvmModel rejects malformed models with a clear message', () => {
  const good = storedModel(first(fixture.models, 'svm.json models'));
  const bad: [string, unknown, RegExp][] = [
    ['not an object', null, /not an object/],
    ['unknown kernel', { ...good, kernel: 'poly' }, /kernel/],
    ['non-finite intercept', { ...good, intercept: Number.NaN }, /intercept/],
    ['a string coefficient', { ...good, dualCoef: ['1', ...good.dualCoef.slice(1)] }, /dualCoef\[0\]/],
    ['too few support vectors', { ...good, supportVectors: good.supportVectors.slice(1) }, /support vectors but/],
    [
      'a ragged support vector',
      {
        ...good,
        supportVectors: [first(good.supportVectors, 'support vectors').slice(1), ...good.supportVectors.slice(1)],
      },
      /features/,
    ],
    ['weights that disagree', { ...good, weights: good.weights?.map((w) => w + 1) }, /weights\[0\]/],
    ['a linear model with a gamma', { ...good, gamma: 0.5 }, /gamma must be null/],
    ['an rbf model without gamma', { ...storedModel(at(fixture.models, 1, 'svm.json models')), gamma: null }, /gamma/],
    ['C of zero', { ...good, C: 0 }, /C must be > 0/],
  ];
  for (const [what, value, message] of bad) {
    assert.throws(() => validateSvmModel(value), message, what);
  }
  assert.deepEqual(validateSvmModel({ ...good, extra: 1 }), good);
});

test('a model rejects feature vectors of the wrong length', () => {
  const model = storedModel(at(fixture.models, 1, 'svm.json models'));
  assert.throws(() => decisionValue(model, [1, 2, 3]), /expects 128 features, got 3/);
  assert.throws(() => compileSvm(model)(new Float64Array(3)), /expects 128 features/);
});
