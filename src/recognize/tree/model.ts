/**
 * The seed's `--model tree` classifier as plain JSON: an ml-cart decision tree (its toJSON
 * output) plus the grid parameters it was fitted with. Scoring walks the JSON directly, so a
 * stored model needs no ml-cart objects to be evaluated.
 */

/** ml-cart implements only the Gini gain; the seed's grid also tries 'entropy'. */
export const TREE_CRITERIA = ['gini'] as const;
export type TreeCriterion = (typeof TREE_CRITERIA)[number];

/** A leaf: ml-cart's 1 x k row of class fractions (k = 1 when only class 0 reached it). */
export interface CartLeaf {
  distribution: number[][];
}
/** An inner node: `x[splitColumn] < splitValue` goes left, anything else right. */
export interface CartSplit {
  splitColumn: number;
  splitValue: number;
  left: CartNode;
  right: CartNode;
}
export type CartNode = CartLeaf | CartSplit;

/** ml-cart's DecisionTreeClassifier.toJSON(), as it comes back from JSON.parse. */
export interface CartTree {
  name: 'DTClassifier';
  options: {
    kind: 'classifier';
    gainFunction: TreeCriterion;
    splitFunction: 'mean';
    minNumSamples: number;
    maxDepth: number;
    gainThreshold: number;
  };
  root: CartNode;
}

export interface TreeModel {
  kind: 'tree';
  criterion: TreeCriterion;
  maxDepth: number;
  /** Length of the feature vectors the tree was fitted on. */
  features: number;
  tree: CartTree;
}

export function checkCriterion(criterion: unknown): TreeCriterion {
  const known: readonly unknown[] = TREE_CRITERIA;
  if (!known.includes(criterion)) {
    throw new RangeError(
      `tree criterion ${JSON.stringify(criterion)} is not supported: ml-cart implements only ${TREE_CRITERIA.join(', ')}`,
    );
  }
  return criterion as TreeCriterion;
}

function fail(what: string): never {
  throw new TypeError(`tree model: ${what}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` checked to be a well-formed TreeModel (the same object, typed); throws naming the bad part. */
export function validateTreeModel(value: unknown): TreeModel {
  if (!isRecord(value)) fail('not an object');
  if (value.kind !== 'tree') fail(`kind must be 'tree', got ${JSON.stringify(value.kind)}`);
  const criterion = checkCriterion(value.criterion);
  const { maxDepth, features, tree } = value;
  if (typeof maxDepth !== 'number' || !Number.isInteger(maxDepth) || maxDepth < 1) {
    fail(`maxDepth must be a positive integer, got ${JSON.stringify(maxDepth)}`);
  }
  if (typeof features !== 'number' || !Number.isInteger(features) || features < 1) {
    fail(`features must be a positive integer, got ${JSON.stringify(features)}`);
  }
  if (!isRecord(tree)) fail('tree is not an object');
  if (tree.name !== 'DTClassifier') fail(`tree.name must be 'DTClassifier', got ${JSON.stringify(tree.name)}`);
  const options = tree.options;
  if (!isRecord(options) || options.kind !== 'classifier') fail('tree.options.kind must be classifier');
  else if (options.gainFunction !== criterion || options.maxDepth !== maxDepth) {
    fail(`tree.options (${options.gainFunction}, depth ${options.maxDepth}) disagree with ${criterion}, ${maxDepth}`);
  }

  // Iterative, so a hostile file cannot blow the stack; depth is bounded by maxDepth anyway.
  const stack: { node: unknown; where: string; depth: number }[] = [{ node: tree.root, where: 'root', depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { node, where, depth } = item;
    if (!isRecord(node)) fail(`${where} is not an object`);
    if (depth > maxDepth) fail(`${where} is deeper than maxDepth ${maxDepth}`);
    const hasChildren = node.left !== undefined || node.right !== undefined;
    if (node.distribution !== undefined) {
      if (hasChildren) fail(`${where} has both a distribution and children`);
      checkDistribution(node.distribution, where);
      continue;
    }
    const { splitColumn, splitValue } = node;
    if (typeof splitColumn !== 'number' || !Number.isInteger(splitColumn) || splitColumn < 0) {
      fail(`${where}.splitColumn must be a non-negative integer, got ${JSON.stringify(splitColumn)}`);
    } else if (splitColumn >= features) {
      fail(`${where}.splitColumn ${splitColumn} is outside the ${features} features`);
    }
    if (typeof splitValue !== 'number' || !Number.isFinite(splitValue)) {
      fail(`${where}.splitValue must be a finite number, got ${JSON.stringify(splitValue)}`);
    }
    stack.push({ node: node.right, where: `${where}.right`, depth: depth + 1 });
    stack.push({ node: node.left, where: `${where}.left`, depth: depth + 1 });
  }
  return value as unknown as TreeModel;
}

function checkDistribution(d: unknown, where: string): void {
  const row = Array.isArray(d) && d.length === 1 ? d[0] : undefined;
  if (!Array.isArray(row) || row.length < 1 || row.length > 2) {
    fail(`${where}.distribution must be [[p0]] or [[p0, p1]]`);
  }
  let sum = 0;
  for (const p of row) {
    if (typeof p !== 'number' || !(p >= 0 && p <= 1 + 1e-9)) fail(`${where}.distribution has ${p}, not in [0, 1]`);
    sum += p;
  }
  // ml-cart adds 1/n once per sample, so the fractions sum to 1 only up to rounding.
  if (Math.abs(sum - 1) > 1e-9) fail(`${where}.distribution sums to ${sum}, not 1`);
}

/** The class fractions of the leaf `x` falls into. */
function leaf(model: TreeModel, x: ArrayLike<number>): number[] {
  if (x.length !== model.features) {
    throw new RangeError(`tree model expects ${model.features} features, got ${x.length}`);
  }
  let node = model.tree.root;
  // validateTreeModel checked splitColumn < features = x.length and that a distribution is one row.
  while (!('distribution' in node)) node = x[node.splitColumn]! < node.splitValue ? node.left : node.right;
  return node.distribution[0]!;
}

/** P(positive class) in [0, 1]: the fraction of positive training samples in x's leaf (sklearn's predict_proba). */
export function treeScore(model: TreeModel, x: ArrayLike<number>): number {
  const p = leaf(model, x)[1] ?? 0;
  return Math.min(p, 1);
}

/** The majority class of x's leaf, ties going to 0, exactly as ml-cart's predict. */
export function treePredict(model: TreeModel, x: ArrayLike<number>): 0 | 1 {
  const d = leaf(model, x);
  return d.length > 1 && d[1]! > d[0]! ? 1 : 0;
}

/** Depth of the deepest leaf (the root alone is depth 0). */
export function treeDepth(model: TreeModel): number {
  let deepest = 0;
  const stack: [CartNode, number][] = [[model.tree.root, 0]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [node, depth] = item;
    if ('distribution' in node) deepest = Math.max(deepest, depth);
    else stack.push([node.left, depth + 1], [node.right, depth + 1]);
  }
  return deepest;
}
