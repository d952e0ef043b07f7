/**
 * Stratified k-fold assignment, exactly as scikit-learn 1.2's
 * `StratifiedKFold(n_splits=k, shuffle=False)` makes it, so that grid-search
 * scores can be compared with the reference's `GridSearchCV(cv=3)`.
 */

/** The test fold (0..k-1) of every sample. */
export function stratifiedTestFolds(labels: ArrayLike<number>, k: number): Int32Array {
  const n = labels.length;
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`folds must be an integer >= 2, got ${k}`);
  // Classes are numbered by first appearance, as sklearn's encoding does.
  const code = new Map<number, number>();
  const encoded = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    let c = code.get(label);
    if (c === undefined) {
      c = code.size;
      code.set(label, c);
    }
    encoded[i] = c;
  }
  const classes = code.size;
  const counts = new Int32Array(classes);
  for (let i = 0; i < n; i++) counts[encoded[i]!]!++;
  for (const [label, c] of code) {
    const count = counts[c]!;
    if (count < k) throw new RangeError(`class ${label} has ${count} samples; ${k} folds need at least ${k}`);
  }
  // allocation[f][c] = how many of class c fold f gets: bincount(sorted_y[f::k]).
  const sorted = Int32Array.from(encoded).sort();
  const allocation = Array.from({ length: k }, () => new Int32Array(classes));
  for (let i = 0; i < n; i++) allocation[i % k]![sorted[i]!]!++;
  // Each class's samples, in input order, fill fold 0, then 1, ...
  const fold = new Int32Array(classes);
  const used = new Int32Array(classes);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = encoded[i]!;
    // The allocations of class c add up to its count, so fold[c] stays below k.
    while (used[c]! >= allocation[fold[c]!]![c]!) {
      fold[c]!++;
      used[c] = 0;
    }
    out[i] = fold[c]!;
    used[c]!++;
  }
  return out;
}

/** Train and test indices per fold. */
export function stratifiedKFold(labels: ArrayLike<number>, k: number): { train: Int32Array; test: Int32Array }[] {
  const testFold = stratifiedTestFolds(labels, k);
  return Array.from({ length: k }, (_, f) => {
    const test: number[] = [];
    const train: number[] = [];
    for (let i = 0; i < testFold.length; i++) (testFold[i] === f ? test : train).push(i);
    return { train: Int32Array.from(train), test: Int32Array.from(test) };
  });
}
