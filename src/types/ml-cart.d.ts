// ml-cart 2.1.1 ships no types: the part of its API facetag uses (see node_modules/ml-cart/src).
declare module 'ml-cart' {
  export interface DecisionTreeClassifierOptions {
    /** 'gini' is the only gain function ml-cart implements. */
    gainFunction?: 'gini';
    /** 'mean' (midpoint of adjacent values) is the only split function. */
    splitFunction?: 'mean';
    /** A node with at most this many samples becomes a leaf (default 3). */
    minNumSamples?: number;
    /** The root is depth 0; nodes at maxDepth become leaves (default Infinity). */
    maxDepth?: number;
    /** A node splits only if the split's gain exceeds this (default 0.01). */
    gainThreshold?: number;
  }

  /** toJSON()'s output; tree nodes are left as `unknown` here and validated by the caller. */
  export interface DecisionTreeClassifierJson {
    name: 'DTClassifier';
    options: DecisionTreeClassifierOptions & { kind: 'classifier' };
    root: unknown;
  }

  export class DecisionTreeClassifier {
    constructor(options?: DecisionTreeClassifierOptions);
    /** Labels are class indices 0, 1, ... */
    train(trainingSet: readonly (readonly number[] | Float64Array)[], trainingLabels: readonly number[]): void;
    /** The most probable class of each row (ties: the lower class). */
    predict(toPredict: readonly (readonly number[] | Float64Array)[]): number[];
    toJSON(): DecisionTreeClassifierJson;
    static load(model: DecisionTreeClassifierJson): DecisionTreeClassifier;
  }
}
