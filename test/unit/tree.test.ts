import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DecisionTreeClassifier } from 'ml-cart';
import { stratifiedKFold } from '../../src/recognize/folds.js';
import { fitTree, treeGridSearch } from '../../src/recognize/tree/grid-search.js';
import {
  type CartSplit,
  type TreeModel,
  treeDepth,
  treePredict,
  treeScore,
  validateTreeModel,
} from '../../src/recognize/tree/model.js';
import { at, first, take } from '../helpers/items.js';
import { sharedDir } from '../helpers/paths.js';

interface SvmFixture {
  X_train: number[][];
  y_train: number[];
  X_test: number[][];
  y_test: number[];
}
const fixture = JSON.parse(readFileSync(join(sharedDir, 'reference/fixtures/svm.json'), 'utf8')) as SvmFixture;
const X = fixture.X_train.map((r) => Float64Array.from(r));
const y = Uint8Array.from(fixture.y_train);
const XTest = fixture.X_test.map((r) => Float64Array.from(r));
const everyRow = [...X, ...XTest];

test('a tree fits the 40 HOG training vectors: pure leaves, so every training vector is classified right', () => {
  const model = fitTree(X, y, { criterion: 'gini', maxDepth: 10 });
  assert.equal(X.length, 40);
  assert.equal(model.features, 128);
  const depth = treeDepth(model);
  assert.ok(depth >= 1 && depth <= 10, `depth ${depth}`);
  X.forEach((x, i) => {
    assert.equal(treePredict(model, x), y[i], `training vector ${i}`);
    assert.equal(treeScore(model, x), y[i], 'pure leaves give P = 0 or 1');
  });
  // Walking the JSON must agree with ml-cart's own predict, on vectors it was not trained on too.
  const cart = DecisionTreeClassifier.load(model.tree);
  assert.deepEqual(
    everyRow.map((x) => treePredict(model, x)),
    cart.predict(everyRow),
  );
});

test('treeScore is the fraction of positive training vectors in the leaf, in [0, 1]', () => {
  const model = fitTree(X, y, { criterion: 'gini', maxDepth: 1 });
  const root = model.tree.root as CartSplit;
  assert.ok('splitColumn' in root, 'a depth-1 tree splits once');
  for (const goesLeft of [true, false]) {
    const side = X.map((x, i) => ({ x, y: y[i] })).filter(
      (s) => at(s.x, root.splitColumn, 'features') < root.splitValue === goesLeft,
    );
    const expected = side.filter((s) => s.y === 1).length / side.length;
    for (const s of side) assert.ok(Math.abs(treeScore(model, s.x) - expected) < 1e-12);
  }
  const scores = everyRow.map((x) => treeScore(model, x));
  assert.ok(
    scores.every((p) => p >= 0 && p <= 1),
    'scores in [0, 1]',
  );
  assert.ok(
    scores.some((p) => p > 0 && p < 1),
    'an impure leaf gives a fractional score',
  );
  // ml-cart sends x[column] < value left, so a value on the threshold goes right.
  const onThreshold = Float64Array.from(first(X, 'training vectors'));
  onThreshold[root.splitColumn] = root.splitValue;
  const right = X.find((x) => at(x, root.splitColumn, 'features') >= root.splitValue);
  assert.ok(right);
  assert.equal(treeScore(model, onThreshold), treeScore(model, right));
  assert.throws(() => treeScore(model, new Float64Array(127)), /expects 128 features, got 127/);
});

test('trees grow until their leaves are pure, as sklearn does (min_samples_split=2), not ml-cart-default', () => {
  // Alternating labels on one feature: only single-sample leaves fit them.
  const rows = Array.from({ length: 8 }, (_, i) => Float64Array.of(i));
  const labels = Uint8Array.from(rows, (_, i) => i % 2);
  const model = fitTree(rows, labels, { criterion: 'gini', maxDepth: 20 });
  assert.deepEqual(
    rows.map((x) => treePredict(model, x)),
    Array.from(labels),
  );
  assert.equal(treeDepth(model), 7);
  const capped = fitTree(rows, labels, { criterion: 'gini', maxDepth: 3 });
  assert.equal(treeDepth(capped), 3, 'maxDepth caps the depth; the root is depth 0');

  // One positive in 200: the split's Gini gain (0.00995) is under ml-cart's default threshold of 0.01.
  const many = Array.from({ length: 200 }, (_, i) => Float64Array.of(i));
  const one = Uint8Array.from(many, (_, i) => (i === 137 ? 1 : 0));
  const lone = fitTree(many, one, { criterion: 'gini', maxDepth: 10 });
  assert.deepEqual(
    many.map((x) => treePredict(lone, x)),
    Array.from(one),
  );
});

test('a 50/50 leaf scores 0.5 and predicts 0, as ml-cart does', () => {
  // Identical vectors with both labels cannot be split.
  const rows: [Float64Array, Float64Array] = [Float64Array.of(1, 2), Float64Array.of(1, 2)];
  const model = fitTree(rows, Uint8Array.of(0, 1), { criterion: 'gini', maxDepth: 5 });
  assert.equal(treeScore(model, rows[0]), 0.5);
  assert.equal(treePredict(model, rows[0]), 0);
  assert.deepEqual(DecisionTreeClassifier.load(model.tree).predict(rows), [0, 0]);
});

test('a JSON round trip gives a valid model with identical scores', () => {
  const model = treeGridSearch(X, y, { maxDepths: [2, 10], criteria: ['gini'], folds: 3 }).model;
  const copy = validateTreeModel(JSON.parse(JSON.stringify(model)));
  assert.deepEqual(copy, model);
  assert.deepEqual(
    everyRow.map((x) => treeScore(copy, x)),
    everyRow.map((x) => treeScore(model, x)),
  );
});

test('validateTreeModel rejects malformed models, naming the fault', () => {
  const good = fitTree(X, y, { criterion: 'gini', maxDepth: 3 });
  const bad = (edit: (m: TreeModel & Record<string, unknown>) => void): unknown => {
    const m = JSON.parse(JSON.stringify(good));
    edit(m);
    return m;
  };
  const firstLeaf = (m: TreeModel): Record<string, unknown> => {
    let node = m.tree.root;
    while (!('distribution' in node)) node = node.left;
    return node as unknown as Record<string, unknown>;
  };
  const depth = treeDepth(good);
  const withMaxDepth = (d: number) =>
    bad((m) => {
      m.maxDepth = d;
      m.tree.options.maxDepth = d;
    });
  const cases: [string, unknown, RegExp][] = [
    ['null', null, /not an object/],
    ['wrong kind', bad((m) => Object.assign(m, { kind: 'svm' })), /kind must be 'tree'/],
    ['entropy', bad((m) => Object.assign(m, { criterion: 'entropy' })), /entropy.*not supported.*gini/],
    ['depth 0', bad((m) => Object.assign(m, { maxDepth: 0 })), /maxDepth must be a positive integer/],
    ['no features', bad((m) => Object.assign(m, { features: undefined })), /features must be/],
    ['not ml-cart', bad((m) => Object.assign(m.tree, { name: 'DTRegression' })), /DTClassifier/],
    ['options disagree', bad((m) => Object.assign(m.tree.options, { maxDepth: 9 })), /disagree/],
    ['no root', bad((m) => Object.assign(m.tree, { root: undefined })), /root is not an object/],
    ['column', bad((m) => Object.assign(m.tree.root, { splitColumn: 128 })), /root.splitColumn 128 is outside/],
    ['value', bad((m) => Object.assign(m.tree.root, { splitValue: null })), /root.splitValue must be a finite/],
    ['3 classes', bad((m) => Object.assign(firstLeaf(m), { distribution: [[0.5, 0.25, 0.25]] })), /distribution/],
    ['sum', bad((m) => Object.assign(firstLeaf(m), { distribution: [[0.5, 0.6]] })), /sums to/],
    ['negative', bad((m) => Object.assign(firstLeaf(m), { distribution: [[-0.5, 1.5]] })), /not in \[0, 1\]/],
    ['leaf + children', bad((m) => Object.assign(firstLeaf(m), { left: {}, right: {} })), /both/],
    ['missing child', bad((m) => Object.assign(m.tree.root, { right: undefined })), /root.right is not an object/],
    ['too deep', withMaxDepth(depth - 1), new RegExp(`deeper than maxDepth ${depth - 1}`)],
  ];
  assert.ok(depth > 1, 'the "too deep" case needs a tree deeper than 1');
  assert.doesNotThrow(() => validateTreeModel(JSON.parse(JSON.stringify(good))));
  assert.doesNotThrow(() => validateTreeModel(withMaxDepth(depth)), 'a tree as deep as maxDepth is fine');
  for (const [name, value, message] of cases) assert.throws(() => validateTreeModel(value), message, name);
});

test('grid-search fold scores equal fitting each fold directly (the depth-saturation shortcut changes nothing)', () => {
  // Deep limits first, so the shortcut is on hand for the shallow ones, where it must not apply.
  const maxDepths = [90, 1, 10, 2, 4, 3];
  const r = treeGridSearch(X, y, { maxDepths, criteria: ['gini'], folds: 3 });
  const folds = stratifiedKFold(y, 3);
  assert.deepEqual(
    r.scores.map((s) => s.maxDepth),
    maxDepths,
  );
  for (const s of r.scores) {
    const direct = folds.map(({ train, test }) => {
      const m = fitTree(
        Array.from(train, (i) => at(X, i, 'training vectors')),
        Uint8Array.from(train, (i) => at(y, i, 'labels')),
        s,
      );
      return Array.from(test).filter((i) => treePredict(m, at(X, i, 'training vectors')) === y[i]).length / test.length;
    });
    assert.deepEqual(s.folds, direct, `depth ${s.maxDepth}`);
    const [d0, d1, d2] = take(direct, 3, 'fold scores');
    assert.equal(s.mean, (d0 + d1 + d2) / 3);
  }
  assert.equal(r.positives, 20);
  assert.equal(r.negatives, 20);
  assert.equal(r.cvScore, Math.max(...r.scores.map((s) => s.mean)));
  assert.ok(r.cvScore > 0.5, `cv accuracy ${r.cvScore} beats chance`);
});

// One feature; class 1 is the middle interval, so one split cannot separate the classes but two can.
const xs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
const order = xs.map((_, i) => (i * 7) % xs.length); // a fixed shuffle, so every fold spans the range
const shuffled = order.map((i) => at(xs, i, 'xs'));
const intervalRows = shuffled.map((x) => Float64Array.of(x));
const intervalY = Uint8Array.from(shuffled, (x) => (x >= 6 && x < 12 ? 1 : 0));

test('grid search: the best mean wins, ties go to the first grid point, not the shallowest', () => {
  // 3 first: its tree (depth 2) is then reused for 2 and 20, but must not be for 1.
  // A fake clock that moves 250 ms per reading: the search reads it once at its start and once at its end.
  let ms = 0;
  const now = () => (ms += 250);
  const r = treeGridSearch(intervalRows, intervalY, { maxDepths: [3, 1, 2, 20], criteria: ['gini'], folds: 3, now });
  assert.equal(r.seconds, 0.25);
  const mean = (d: number) => r.scores.find((s) => s.maxDepth === d)?.mean;
  assert.ok((mean(1) ?? 1) < (mean(2) ?? 0), 'precondition: depth 1 cannot fit the interval, depth 2 can');
  assert.equal(mean(3), mean(2));
  assert.deepEqual(r.best, { criterion: 'gini', maxDepth: 3 });
  assert.equal(r.cvScore, mean(3));
  assert.equal(r.model.maxDepth, 3);
  assert.deepEqual(
    intervalRows.map((x) => treePredict(r.model, x)),
    Array.from(intervalY),
    'the refit on all rows fits them',
  );

  const tied = treeGridSearch(intervalRows, intervalY, { maxDepths: [30, 10, 20], criteria: ['gini'], folds: 3 });
  assert.deepEqual(tied.best, { criterion: 'gini', maxDepth: 30 });
});

test('grid order is sklearn ParameterGrid: criterion outer, max depth inner', () => {
  const r = treeGridSearch(intervalRows, intervalY, { maxDepths: [2, 1], criteria: ['gini', 'gini'], folds: 3 });
  assert.deepEqual(
    r.scores.map((s) => [s.criterion, s.maxDepth]),
    [
      ['gini', 2],
      ['gini', 1],
      ['gini', 2],
      ['gini', 1],
    ],
  );
});

test('grid search rejects entropy (ml-cart has only gini) and bad inputs', () => {
  const grid = { maxDepths: [10], criteria: ['gini'], folds: 3 };
  assert.throws(
    () => treeGridSearch(X, y, { ...grid, criteria: ['entropy', 'gini'] }),
    /"entropy" is not supported.*gini/,
  );
  assert.throws(() => treeGridSearch(X, y, { ...grid, maxDepths: [0] }), /positive integers/);
  assert.throws(() => treeGridSearch(X, y, { ...grid, folds: 1 }), /folds/);
  assert.throws(() => treeGridSearch(X, y.subarray(1), grid), /40 rows but 39 labels/);
  assert.throws(
    () =>
      treeGridSearch(
        [first(X, 'training vectors'), at(X, 1, 'training vectors').subarray(1)],
        Uint8Array.of(0, 1),
        grid,
      ),
    /row 1 has 127 features/,
  );
  assert.throws(() => treeGridSearch([Float64Array.of(Number.NaN)], Uint8Array.of(0), grid), /non-finite/);
  assert.throws(
    () =>
      treeGridSearch(
        X,
        y.map((v) => v * 2),
        grid,
      ),
    /labels must be 0 or 1/,
  );
  const twoPositives = Uint8Array.from(y, (_, i) => (i < 2 ? 1 : 0));
  assert.throws(() => treeGridSearch(X, twoPositives, grid), /2 positives \/ 38 negatives; need >= 3 of each/);
});
