/**
 * The seed's `--model tree` training: GridSearchCV(DecisionTreeClassifier(random_state=0),
 * {max_depth, criterion}, cv=folds), scored by mean fold accuracy, then refitted on all data.
 * The trees are ml-cart's CART, not sklearn's, so scores are comparable but not identical.
 */
import { performance } from 'node:perf_hooks';
import { DecisionTreeClassifier } from 'ml-cart';
import { stratifiedKFold } from '../folds.js';
import {
  checkCriterion,
  type TreeCriterion,
  type TreeModel,
  treeDepth,
  treePredict,
  validateTreeModel,
} from './model.js';

export interface TreeGridOptions {
  maxDepths: readonly number[];
  /** Only 'gini' is supported (ml-cart has no entropy gain); others throw. */
  criteria: readonly string[];
  folds: number;
  /** Milliseconds, for `seconds` (performance.now by default; tests pass their own). */
  now?: () => number;
}

export interface TreeParams {
  criterion: TreeCriterion;
  maxDepth: number;
}

export interface TreeGridScore extends TreeParams {
  /** Accuracy on each test fold, in fold order. */
  folds: number[];
  mean: number;
}

export interface TreeGridResult {
  model: TreeModel;
  best: TreeParams;
  /** Mean fold accuracy of `best`. */
  cvScore: number;
  /** One entry per grid point, in sklearn's ParameterGrid order. */
  scores: TreeGridScore[];
  positives: number;
  negatives: number;
  seconds: number;
}

/**
 * Fit one tree. minNumSamples 1 and gainThreshold 0 make ml-cart grow until its leaves are pure
 * (or the depth limit), like sklearn's defaults (min_samples_split=2, no impurity threshold),
 * instead of ml-cart's own defaults (3 and 0.01), which stop early.
 */
export function fitTree(
  rows: readonly (readonly number[] | Float64Array)[],
  y: ArrayLike<number>,
  params: TreeParams,
): TreeModel {
  const criterion = checkCriterion(params.criterion);
  const { maxDepth } = params;
  if (!Number.isInteger(maxDepth) || maxDepth < 1) throw new RangeError(`maxDepth must be a positive integer`);
  const first = rows[0];
  if (first === undefined || rows.length !== y.length) {
    throw new RangeError(`need one label per row and at least one row, got ${rows.length} rows, ${y.length} labels`);
  }
  const cart = new DecisionTreeClassifier({
    gainFunction: criterion,
    splitFunction: 'mean',
    maxDepth,
    minNumSamples: 1,
    gainThreshold: 0,
  });
  cart.train(rows, Array.from(y));
  // The JSON round trip turns ml-cart's TreeNode/Matrix objects into the plain data TreeModel describes.
  const tree: unknown = JSON.parse(JSON.stringify(cart.toJSON()));
  return validateTreeModel({ kind: 'tree', criterion, maxDepth, features: first.length, tree });
}

function accuracy(model: TreeModel, rows: readonly Float64Array[], y: Uint8Array, test: Int32Array): number {
  let right = 0;
  for (const i of test) if (treePredict(model, rows[i]!) === y[i]) right++;
  return right / test.length;
}

function checkInputs(rows: readonly Float64Array[], y: Uint8Array, options: TreeGridOptions): TreeParams[] {
  const { maxDepths, criteria, folds } = options;
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError(`folds must be an integer >= 2, got ${folds}`);
  if (maxDepths.length === 0 || criteria.length === 0) throw new RangeError('the grid needs maxDepths and criteria');
  for (const d of maxDepths) {
    if (!Number.isInteger(d) || d < 1) throw new RangeError(`maxDepths must be positive integers, got ${d}`);
  }
  if (rows.length !== y.length) throw new RangeError(`${rows.length} rows but ${y.length} labels`);
  const width = rows[0]?.length ?? 0;
  if (width === 0) throw new RangeError('need at least one row of at least one feature');
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.length !== width) throw new RangeError(`row ${i} has ${row.length} features, row 0 has ${width}`);
    for (const v of row) if (!Number.isFinite(v)) throw new RangeError(`row ${i} has a non-finite feature ${v}`);
    if (y[i]! > 1) throw new RangeError(`label ${i} is ${y[i]}; labels must be 0 or 1`);
  }
  // sklearn's ParameterGrid: keys sorted (criterion < max_depth), the last key varying fastest.
  return criteria.map(checkCriterion).flatMap((criterion) => maxDepths.map((maxDepth) => ({ criterion, maxDepth })));
}

/** Grid-search a tree's criterion and max depth by stratified k-fold accuracy, then refit the best on all rows. */
export function treeGridSearch(rows: readonly Float64Array[], y: Uint8Array, options: TreeGridOptions): TreeGridResult {
  const now = options.now ?? (() => performance.now());
  const start = now();
  const grid = checkInputs(rows, y, options);
  let positives = 0;
  for (const label of y) positives += label;
  const negatives = y.length - positives;
  if (positives < options.folds || negatives < options.folds) {
    throw new RangeError(`${positives} positives / ${negatives} negatives; need >= ${options.folds} of each`);
  }
  const splits = stratifiedKFold(y, options.folds).map(({ train, test }) => ({
    test,
    rows: Array.from(train, (i) => rows[i]!),
    y: Uint8Array.from(train, (i) => y[i]!),
  }));

  // A tree that stopped short of its depth limit is the unlimited tree; any limit >= its depth
  // grows it again. So per (criterion, fold) remember its depth and accuracy and skip those fits.
  const saturated = new Map<string, { depth: number; accuracy: number }>();
  const scores = grid.map(({ criterion, maxDepth }): TreeGridScore => {
    const foldScores = splits.map((split, f) => {
      const key = `${criterion}/${f}`;
      const known = saturated.get(key);
      if (known && maxDepth >= known.depth) return known.accuracy;
      const model = fitTree(split.rows, split.y, { criterion, maxDepth });
      const acc = accuracy(model, rows, y, split.test);
      const depth = treeDepth(model);
      if (depth < maxDepth) saturated.set(key, { depth, accuracy: acc });
      return acc;
    });
    let sum = 0;
    for (const s of foldScores) sum += s;
    return { criterion, maxDepth, folds: foldScores, mean: sum / foldScores.length };
  });

  // Ties go to the first grid point, as GridSearchCV's rank_test_score (method 'min') + argmin does.
  let best = scores[0];
  if (best === undefined) throw new RangeError('the grid needs maxDepths and criteria');
  for (const s of scores) if (s.mean > best.mean) best = s;
  const model = fitTree(rows, y, best);
  return {
    model,
    best: { criterion: best.criterion, maxDepth: best.maxDepth },
    cvScore: best.mean,
    scores,
    positives,
    negatives,
    seconds: (now() - start) / 1000,
  };
}
