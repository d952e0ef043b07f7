/**
 * scikit-learn's `GridSearchCV(SVC(), {kernel, C}, cv=k)` for one person, with the same folds, the
 * same per-fit gamma and class weights, the same scores and the same choice:
 * - folds: StratifiedKFold without shuffling (../folds.js);
 * - each fold's SVC computes gamma='scale' and 'balanced' weights from its own training rows;
 * - a setting's score is the plain mean of its fold scores;
 * - settings are ranked in ParameterGrid order, C outer and kernel inner (in the order given), and
 *   the first of the best wins;
 * - the best setting is refitted on all rows.
 */
import { performance } from 'node:perf_hooks';
import { stratifiedKFold } from '../folds.js';
import { pairwiseSum } from '../numpy-math.js';
import type { Gram } from './kernels.js';
import { type ClassWeight, type Engine, Libsvm, resolveEngine, toSvmModel } from './libsvm.js';
import { checkMatrix, type FeatureMatrix, linearGram, scaleGamma } from './matrix.js';
import type { SvmKernel, SvmModel } from './model.js';

export type Kernel = SvmKernel;
export type { ClassWeight, Engine } from './libsvm.js';
export type Scoring = 'accuracy' | 'balanced_accuracy';

export interface GridSearchOptions {
  kernels: readonly Kernel[];
  C: readonly number[];
  /** Cross-validation folds; default 3. */
  folds?: number;
  classWeight: ClassWeight;
  scoring: Scoring;
  /**
   * How libsvm gets the data; default 'auto' (see `Engine`). Scores and choice are the same either
   * way; the 'features' engine's refit intercept is rounded to 6 digits.
   */
  engine?: Engine;
}

export interface GridScore {
  kernel: Kernel;
  C: number;
  /** Mean fold score. */
  score: number;
}

export interface GridSearchResult {
  /** The best setting refitted on all rows. */
  model: SvmModel;
  /** gamma: the refit's 'scale' gamma (rbf), null for linear. */
  best: { kernel: Kernel; C: number; gamma: number | null };
  /** The best setting's mean fold score. */
  cvScore: number;
  /** Every setting, in ParameterGrid order (C outer, kernel inner). */
  scores: GridScore[];
  positives: number;
  negatives: number;
  seconds: number;
}

/**
 * Grid search over X (row-major n×d, see FeatureMatrix) with labels y (0/1 per row; 1 = the person).
 * Throws a RangeError when a class has fewer samples than folds.
 */
export async function gridSearch(
  x: FeatureMatrix,
  y: ArrayLike<number>,
  options: GridSearchOptions,
): Promise<GridSearchResult> {
  return runGridSearch(await Libsvm.load(), x, y, options);
}

/**
 * The same with a loaded libsvm and, optionally, X's linear Gram matrix (to share one across persons;
 * used by the precomputed engine only).
 */
export function runGridSearch(
  lib: Libsvm,
  x: FeatureMatrix,
  y: ArrayLike<number>,
  options: GridSearchOptions,
  gram?: Gram,
): GridSearchResult {
  const t0 = performance.now();
  checkMatrix(x);
  const k = options.folds ?? 3;
  const { positives, negatives } = checkInputs(x, y, options, k);
  const engine = resolveEngine(options.engine, x.rows);
  if (gram && gram.n !== x.rows) throw new RangeError(`Gram matrix is ${gram.n}×${gram.n} for ${x.rows} rows`);
  const g = engine === 'precomputed' ? (gram ?? { n: x.rows, values: linearGram(x) }) : undefined;
  const data = g ? { gram: g } : { features: x };

  const folds = stratifiedKFold(y, k);
  // foldScores[kernel][c][fold]
  const foldScores = options.kernels.map(() => options.C.map(() => new Float64Array(k)));
  options.kernels.forEach((kernel, ki) => {
    folds.forEach(({ train, test }, f) => {
      const gamma = kernel === 'rbf' ? scaleGamma(x, train) : 0;
      const problem = lib.problem({ rows: train, test, y, kernel, gamma, classWeight: options.classWeight, data });
      try {
        options.C.forEach((C, ci) => {
          foldScores[ki]![ci]![f] = score(problem.predict(C), test, y, options.scoring);
        });
      } finally {
        problem.free();
      }
    });
  });

  const scores: GridScore[] = [];
  let best = -1;
  options.C.forEach((C, ci) => {
    options.kernels.forEach((kernel, ki) => {
      // np.mean of the fold scores; the first strictly greater mean wins, as rankdata('min') + argmin.
      const setting = { kernel, C, score: pairwiseSum(foldScores[ki]![ci]!) / k };
      scores.push(setting);
      if (best < 0 || setting.score > scores[best]!.score) best = scores.length - 1;
    });
  });
  const chosen = scores[best];
  if (chosen === undefined) throw new RangeError('the grid is empty');

  const all = Int32Array.from({ length: x.rows }, (_, i) => i);
  const gamma = chosen.kernel === 'rbf' ? scaleGamma(x) : 0;
  const problem = lib.problem({ rows: all, y, kernel: chosen.kernel, gamma, classWeight: options.classWeight, data });
  let model: SvmModel;
  try {
    model = toSvmModel(x, problem.fit(chosen.C), chosen.kernel, chosen.C, gamma);
  } finally {
    problem.free();
  }
  return {
    model,
    best: { kernel: chosen.kernel, C: chosen.C, gamma: model.gamma },
    cvScore: chosen.score,
    scores,
    positives,
    negatives,
    seconds: (performance.now() - t0) / 1000,
  };
}

function checkInputs(
  x: FeatureMatrix,
  y: ArrayLike<number>,
  options: GridSearchOptions,
  k: number,
): { positives: number; negatives: number } {
  if (y.length !== x.rows) throw new RangeError(`${y.length} labels for ${x.rows} rows`);
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`folds must be an integer >= 2, got ${k}`);
  if (options.kernels.length === 0 || options.C.length === 0) throw new RangeError('the grid is empty');
  for (const kernel of options.kernels) {
    if (kernel !== 'linear' && kernel !== 'rbf') throw new RangeError(`unknown kernel ${String(kernel)}`);
  }
  for (const C of options.C) if (!(C > 0 && Number.isFinite(C))) throw new RangeError(`C must be > 0, got ${C}`);
  if (options.scoring !== 'accuracy' && options.scoring !== 'balanced_accuracy') {
    throw new RangeError(`unknown scoring ${String(options.scoring)}`);
  }
  let positives = 0;
  for (let i = 0; i < y.length; i++) {
    const label = y[i];
    if (label !== 0 && label !== 1) throw new RangeError(`labels must be 0 or 1, got ${label} at row ${i}`);
    positives += label;
  }
  const negatives = y.length - positives;
  if (positives < k || negatives < k) {
    throw new RangeError(
      `${positives} positives and ${negatives} negatives: ${k}-fold cross-validation needs at least ${k} of each`,
    );
  }
  return { positives, negatives };
}

/** A fold's score from libsvm's predictions (as sklearn's `predict`): accuracy or balanced accuracy. */
function score(predicted: Uint8Array, test: Int32Array, y: ArrayLike<number>, scoring: Scoring): number {
  const hits: [number, number] = [0, 0];
  const counts: [number, number] = [0, 0];
  for (let t = 0; t < test.length; t++) {
    const truth = y[test[t]!]!; // 0 or 1: checkInputs checked every label
    counts[truth]!++;
    if (predicted[t] === truth) hits[truth]!++;
  }
  if (scoring === 'accuracy') return (hits[0] + hits[1]) / test.length;
  // The mean recall over the classes present (both, in a stratified fold), summed as numpy does.
  if (counts[0] === 0 || counts[1] === 0) return counts[0] === 0 ? hits[1] / counts[1] : hits[0] / counts[0];
  return (hits[0] / counts[0] + hits[1] / counts[1]) / 2;
}
