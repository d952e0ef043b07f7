/**
 * Reading a trained libsvm model: its text form (libsvm-js exports no getters for coefficients or
 * rho) and an exact rho, which the text rounds to 6 digits.
 */

/**
 * libsvm's Solver::calculate_rho at the optimum: yG_i = Σ_j coef_j·float32(K_ij) − y_i, with y = +1 for
 * label[0] (class 0); rho is the mean over free alphas, or the middle of the bounds if none is free.
 */
export function calculateRho(
  q: Float32Array,
  negatives: number,
  svRows: Int32Array,
  coef: Float64Array,
  alpha: Float64Array,
  cw: readonly [number, number],
): number {
  const l = alpha.length;
  const yG = (a: number): number => {
    let g = 0;
    for (let s = 0, o = a * l; s < svRows.length; s++) g += coef[s]! * q[o + svRows[s]!]!;
    return g - (a < negatives ? 1 : -1);
  };
  const isFree = (a: number) => alpha[a]! > 0 && alpha[a]! < cw[a < negatives ? 0 : 1];
  // Usually some alphas are free and only their gradients matter.
  let sumFree = 0;
  let nFree = 0;
  for (let s = 0; s < svRows.length; s++) {
    // libsvm sums over rows in problem order; SVs are in that order too.
    const a = svRows[s]!;
    if (isFree(a)) {
      sumFree += yG(a);
      nFree++;
    }
  }
  if (nFree > 0) return sumFree / nFree;
  let ub = Number.POSITIVE_INFINITY;
  let lb = Number.NEGATIVE_INFINITY;
  for (let a = 0; a < l; a++) {
    const v = yG(a);
    const y = a < negatives ? 1 : -1;
    if (alpha[a]! > 0 ? y === -1 : y === 1) ub = Math.min(ub, v);
    else lb = Math.max(lb, v);
  }
  return (ub + lb) / 2;
}

/** rho and the coefficients (first number of each SV line, in SV order) from libsvm's text model. */
export function parseModelText(text: string, nSv: number): { coef: Float64Array; rho: number } {
  // Scanned with indexOf rather than split: this runs after every one of thousands of fits.
  const rhoAt = text.indexOf('\nrho ');
  const svAt = text.indexOf('\nSV\n');
  const rho = rhoAt < 0 ? Number.NaN : Number(text.slice(rhoAt + 5, text.indexOf('\n', rhoAt + 1)));
  if (!Number.isFinite(rho) || svAt < 0) throw new Error('libsvm model text has no rho or SV section');
  const coef = new Float64Array(nSv);
  let pos = svAt + 4;
  for (let s = 0; s < nSv; s++) {
    const end = text.indexOf(' ', pos);
    const value = end < 0 ? Number.NaN : Number(text.slice(pos, end));
    if (!Number.isFinite(value)) throw new Error(`libsvm model text: bad support vector line ${s + 1}`);
    coef[s] = value;
    pos = text.indexOf('\n', end) + 1;
  }
  return { coef, rho };
}
