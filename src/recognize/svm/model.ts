/**
 * A trained binary SVM as plain JSON-safe data, and its decision function in TypeScript (libsvm-js
 * exports no decision values, and `SVM.load()` is unsafe for big models; see node-stack.md §3).
 */

export type SvmKernel = 'linear' | 'rbf';

/**
 * decision(x) = Σᵢ dualCoef[i]·K(supportVectors[i], x) + intercept; decision > 0 means the person.
 * This is scikit-learn's `SVC.decision_function` sign (classes [0, 1], dual_coef_ and intercept_).
 * K is x·y (linear) or exp(−gamma·‖x − y‖²) (rbf).
 */
export interface SvmModel {
  kernel: SvmKernel;
  /** The C it was trained with (for the record; per-class weights, if any, are in the training report). */
  C: number;
  /** rbf only; null for linear. */
  gamma: number | null;
  intercept: number;
  dualCoef: number[];
  supportVectors: number[][];
  /** linear only: w = Σᵢ dualCoef[i]·supportVectors[i], so decision(x) = w·x + intercept. null for rbf. */
  weights: number[] | null;
}

/** The decision value of one feature vector. Straightforward; use `compileSvm` in hot loops. */
export function decisionValue(model: SvmModel, x: ArrayLike<number>): number {
  const d = featureCount(model);
  if (x.length !== d) throw new RangeError(`SVM expects ${d} features, got ${x.length}`);
  if (model.kernel === 'linear' && model.weights) {
    let s = 0;
    for (let t = 0; t < d; t++) s += model.weights[t]! * x[t]!;
    return s + model.intercept;
  }
  let sum = 0;
  for (let i = 0; i < model.supportVectors.length; i++) {
    sum += model.dualCoef[i]! * kernel(model, model.supportVectors[i]!, x);
  }
  return sum + model.intercept;
}

function kernel(model: SvmModel, sv: readonly number[], x: ArrayLike<number>): number {
  let s = 0;
  if (model.kernel === 'linear') {
    for (let t = 0; t < sv.length; t++) s += sv[t]! * x[t]!;
    return s;
  }
  for (let t = 0; t < sv.length; t++) {
    const diff = sv[t]! - x[t]!;
    s += diff * diff;
  }
  return Math.exp(-(model.gamma ?? 0) * s);
}

/** The number of features a model expects. */
export function featureCount(model: SvmModel): number {
  return model.weights?.length ?? model.supportVectors[0]?.length ?? 0;
}

/** A model's decision function, prepared for fast repeated evaluation. */
export type SvmScorer = (x: ArrayLike<number>) => number;

/** Flattens the support vectors into one Float64Array (linear: just w) and returns the decision function. */
export function compileSvm(model: SvmModel): SvmScorer {
  const d = featureCount(model);
  const b = model.intercept;
  const check = (x: ArrayLike<number>) => {
    if (x.length !== d) throw new RangeError(`SVM expects ${d} features, got ${x.length}`);
  };
  if (model.kernel === 'linear') {
    const w = Float64Array.from(model.weights ?? linearWeights(model.dualCoef, model.supportVectors));
    return (x) => {
      check(x);
      let s = 0;
      for (let t = 0; t < d; t++) s += w[t]! * x[t]!;
      return s + b;
    };
  }
  const m = model.supportVectors.length;
  const sv = new Float64Array(m * d);
  for (let i = 0; i < m; i++) sv.set(model.supportVectors[i]!, i * d);
  const coef = Float64Array.from(model.dualCoef);
  const gamma = model.gamma ?? 0;
  return (x) => {
    check(x);
    let sum = 0;
    for (let i = 0, o = 0; i < m; i++, o += d) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = sv[o + t]! - x[t]!;
        s += diff * diff;
      }
      sum += coef[i]! * Math.exp(-gamma * s);
    }
    return sum + b;
  };
}

/** w = Σᵢ coef[i]·sv[i]: the linear kernel's decision function collapsed to one vector. */
export function linearWeights(dualCoef: readonly number[], supportVectors: readonly (readonly number[])[]): number[] {
  const d = supportVectors[0]?.length ?? 0;
  const w = new Float64Array(d);
  for (let i = 0; i < supportVectors.length; i++) {
    const c = dualCoef[i]!;
    const sv = supportVectors[i]!;
    for (let t = 0; t < d; t++) w[t]! += c * sv[t]!;
  }
  return Array.from(w);
}

/**
 * Checks a model read from a file or another thread and returns a clean copy (known fields only).
 * Throws `Error('invalid SVM model: …')` naming the first problem.
 */
export function validateSvmModel(value: unknown): SvmModel {
  const fail = (what: string): never => {
    throw new Error(`invalid SVM model: ${what}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not an object');
  const v = value as Record<string, unknown>;
  const kernel = v.kernel;
  if (kernel !== 'linear' && kernel !== 'rbf') return fail(`kernel must be 'linear' or 'rbf', got ${String(kernel)}`);
  const C = finite(v.C, 'C', fail);
  if (C <= 0) fail(`C must be > 0, got ${C}`);
  let gamma: number | null = null;
  if (kernel === 'rbf') {
    gamma = finite(v.gamma, 'gamma', fail);
    if (gamma <= 0) fail(`gamma must be > 0, got ${gamma}`);
  } else if (v.gamma !== null && v.gamma !== undefined) {
    fail('gamma must be null for a linear kernel');
  }
  const intercept = finite(v.intercept, 'intercept', fail);
  const dualCoef = finiteArray(v.dualCoef, 'dualCoef', fail);
  const m = dualCoef.length;
  if (m === 0) fail('no support vectors');
  if (!Array.isArray(v.supportVectors)) return fail('supportVectors must be an array');
  if (v.supportVectors.length !== m) fail(`${v.supportVectors.length} support vectors but ${m} dual coefficients`);
  const supportVectors = v.supportVectors.map((sv, i) => finiteArray(sv, `supportVectors[${i}]`, fail));
  const first = supportVectors[0];
  if (first === undefined) return fail('no support vectors');
  const d = first.length;
  if (d === 0) fail('support vectors have no features');
  supportVectors.forEach((sv, i) => {
    if (sv.length !== d) fail(`supportVectors[${i}] has ${sv.length} features, supportVectors[0] has ${d}`);
  });
  let weights: number[] | null = null;
  if (kernel === 'linear') {
    weights = finiteArray(v.weights, 'weights', fail);
    if (weights.length !== d) fail(`weights has ${weights.length} values for ${d} features`);
    // The collapse must agree with the support vectors, or the two evaluation paths would disagree.
    const expected = linearWeights(dualCoef, supportVectors);
    let scale = 1;
    for (const e of expected) scale = Math.max(scale, Math.abs(e));
    for (let t = 0; t < d; t++) {
      if (Math.abs(expected[t]! - weights[t]!) > 1e-9 * scale) fail(`weights[${t}] does not match Σ dualCoef·sv`);
    }
  } else if (v.weights !== null && v.weights !== undefined) {
    fail('weights must be null for an rbf kernel');
  }
  return { kernel, C, gamma, intercept, dualCoef, supportVectors, weights };
}

function finite(value: unknown, name: string, fail: (what: string) => never): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fail(`${name} must be a finite number`);
  return value;
}

function finiteArray(value: unknown, name: string, fail: (what: string) => never): number[] {
  if (!Array.isArray(value)) return fail(`${name} must be an array of numbers`);
  const out = new Array<number>(value.length);
  for (let i = 0; i < value.length; i++) {
    const x: unknown = value[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) return fail(`${name}[${i}] must be a finite number`);
    out[i] = x;
  }
  return out;
}
