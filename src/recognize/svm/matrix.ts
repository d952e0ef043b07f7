/**
 * The feature matrix the SVM code trains on, and the numerics that must match numpy/libsvm bit for
 * bit so that gamma, kernels and CV means come out as scikit-learn's do.
 */
import { pairwiseSum } from '../numpy-math.js';

/** Row-major n×d matrix of float64 features (one HOG vector per row). `data` may live in a SharedArrayBuffer. */
export interface FeatureMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Packs equally long rows into a FeatureMatrix, rejecting ragged or non-finite input. */
export function matrixFromRows(rows: readonly ArrayLike<number>[]): FeatureMatrix {
  const n = rows.length;
  const first = rows[0];
  if (first === undefined) throw new RangeError('feature matrix: no rows');
  const d = first.length;
  if (d === 0) throw new RangeError('feature matrix: rows are empty');
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    if (row.length !== d) throw new RangeError(`feature matrix: row ${i} has ${row.length} values, row 0 has ${d}`);
    data.set(row, i * d);
  }
  checkMatrix({ rows: n, cols: d, data });
  return { rows: n, cols: d, data };
}

/** Throws unless the dimensions agree with the data and every value is finite. */
export function checkMatrix(x: FeatureMatrix): void {
  if (!Number.isInteger(x.rows) || x.rows < 1 || !Number.isInteger(x.cols) || x.cols < 1) {
    throw new RangeError(`feature matrix: bad shape ${x.rows}×${x.cols}`);
  }
  if (x.data.length !== x.rows * x.cols) {
    throw new RangeError(`feature matrix: ${x.data.length} values for ${x.rows}×${x.cols}`);
  }
  for (let i = 0; i < x.data.length; i++) {
    if (!Number.isFinite(x.data[i])) {
      throw new RangeError(
        `feature matrix: value at row ${Math.floor(i / x.cols)}, column ${i % x.cols} is not finite`,
      );
    }
  }
}

/** `X.var()` over all values (population variance), as numpy computes it. */
export function variance(values: Float64Array): number {
  const n = values.length;
  const mean = pairwiseSum(values) / n;
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const dev = values[i]! - mean;
    sq[i] = dev * dev;
  }
  return pairwiseSum(sq) / n;
}

/**
 * scikit-learn's `gamma='scale'`, 1 / (n_features · X.var()), over the given rows (default: all) in
 * the given order, which must be ascending to match sklearn fitting `X[train]`. A variance of 0 gives 1,
 * as in sklearn. Note that GridSearchCV fits each fold on its own rows, so each fold has its own gamma.
 */
export function scaleGamma(x: FeatureMatrix, rows?: ArrayLike<number>): number {
  let values = x.data;
  if (rows) {
    values = new Float64Array(rows.length * x.cols);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      values.set(x.data.subarray(row * x.cols, (row + 1) * x.cols), r * x.cols);
    }
  }
  const v = variance(values);
  return v === 0 ? 1 : 1 / (x.cols * v);
}

/**
 * The linear Gram matrix X·Xᵀ (n×n, row-major). Each entry is a plain left-to-right dot product, the
 * summation libsvm itself uses, so K[i][j] equals K[j][i] exactly.
 */
export function linearGram(x: FeatureMatrix, out?: Float64Array): Float64Array {
  const { rows: n, cols: d, data } = x;
  const k = out ?? new Float64Array(n * n);
  if (k.length !== n * n) throw new RangeError(`Gram buffer holds ${k.length} values, need ${n * n}`);
  for (let i = 0; i < n; i++) {
    const a = i * d;
    for (let j = i; j < n; j++) {
      const b = j * d;
      let s = 0;
      for (let t = 0; t < d; t++) s += data[a + t]! * data[b + t]!;
      k[i * n + j] = s;
      k[j * n + i] = s;
    }
  }
  return k;
}
