/**
 * libsvm-js for the rest of the code: the thread's instance, the engine choice, and one-off training
 * of a binary C-SVC that gives scikit-learn's `SVC` model (see problem.ts for how).
 */
import { type LibsvmWasm, loadLibsvmWasm } from './libsvm-wasm.js';
import { checkMatrix, type FeatureMatrix, linearGram, scaleGamma } from './matrix.js';
import { linearWeights, type SvmKernel, type SvmModel } from './model.js';
import { type BinaryFit, BinaryProblem, type ClassWeight, type ProblemSpec } from './problem.js';

export type { BinaryFit, ClassWeight, ProblemSpec } from './problem.js';

/**
 * How libsvm sees the data.
 * - 'precomputed': kernel values from a Gram matrix computed once in TS (a kernel value is then a
 *   lookup). Costs 8·n² bytes for the Gram matrix, and per training problem of l rows 16·l² bytes of
 *   wasm heap (which never shrinks: 64 MB at l = 2000) plus 12·l² transient bytes. Exact rho.
 * - 'features': the feature vectors, libsvm-js's usual way; 4–8× slower; rho to 6 digits (~1e-7).
 * - 'auto': precomputed up to 2000 samples.
 */
export type Engine = 'auto' | 'precomputed' | 'features';
export const PRECOMPUTED_MAX_SAMPLES = 2000;

/** The thread's libsvm. */
export class Libsvm {
  private constructor(private readonly wasm: LibsvmWasm) {}

  static async load(): Promise<Libsvm> {
    const { wasm } = await loadLibsvmWasm();
    return new Libsvm(wasm);
  }

  /** A training problem in wasm memory, to fit for several C. Call `free()` (in `finally`). */
  problem(spec: ProblemSpec): BinaryProblem {
    return new BinaryProblem(this.wasm, spec);
  }
}

/** The engine 'auto' resolves to for n samples. */
export function resolveEngine(engine: Engine | undefined, n: number): 'precomputed' | 'features' {
  if (engine === 'precomputed' || engine === 'features') return engine;
  return n <= PRECOMPUTED_MAX_SAMPLES ? 'precomputed' : 'features';
}

/** Turns a fit into a self-contained model: exact training rows as support vectors. */
export function toSvmModel(x: FeatureMatrix, fit: BinaryFit, kernel: SvmKernel, C: number, gamma: number): SvmModel {
  const supportVectors = Array.from(fit.support, (i) => Array.from(x.data.subarray(i * x.cols, (i + 1) * x.cols)));
  const dualCoef = Array.from(fit.dualCoef);
  return {
    kernel,
    C,
    gamma: kernel === 'rbf' ? gamma : null,
    intercept: fit.intercept,
    dualCoef,
    supportVectors,
    weights: kernel === 'linear' ? linearWeights(dualCoef, supportVectors) : null,
  };
}

export interface TrainBinaryOptions {
  kernel: SvmKernel;
  C: number;
  /** rbf: a number, or 'scale' (default) = 1 / (n_features · X.var()) as sklearn. */
  gamma?: number | 'scale';
  classWeight?: ClassWeight;
  engine?: Engine;
}

export interface TrainedSvm {
  model: SvmModel;
  /** Rows of X that are support vectors, in the model's order (sklearn's `support_`). */
  support: number[];
}

/** Trains one C-SVC on all rows of X (y: 0/1 per row). */
export async function trainBinary(
  x: FeatureMatrix,
  y: ArrayLike<number>,
  options: TrainBinaryOptions,
): Promise<TrainedSvm> {
  checkMatrix(x);
  if (y.length !== x.rows) throw new RangeError(`${y.length} labels for ${x.rows} rows`);
  const lib = await Libsvm.load();
  const gamma = options.gamma === undefined || options.gamma === 'scale' ? scaleGamma(x) : options.gamma;
  const engine = resolveEngine(options.engine, x.rows);
  const rows = Int32Array.from({ length: x.rows }, (_, i) => i);
  const problem = lib.problem({
    rows,
    y,
    kernel: options.kernel,
    gamma,
    classWeight: options.classWeight ?? 'none',
    data: engine === 'precomputed' ? { gram: { n: x.rows, values: linearGram(x) } } : { features: x },
  });
  try {
    const fit = problem.fit(options.C);
    return { model: toSvmModel(x, fit, options.kernel, options.C, gamma), support: Array.from(fit.support) };
  } finally {
    problem.free();
  }
}
