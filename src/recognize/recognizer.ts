/**
 * The seed's `predict()`: every person's model scores the face; the accepting model with the
 * largest decision value names it, otherwise it is `unknown`. Pure: chips in, names out.
 */
import { chipFeatures, type FeatureSpec, featureKey, type GreyChip } from './features.js';
import type { PersonModel } from './person-model.js';
import { compileSvm } from './svm/model.js';
import { treeScore } from './tree/model.js';

export const UNKNOWN = 'unknown';

export interface Recognition {
  /** The person, or `unknown` when no model accepts the face. */
  readonly name: string;
  /** The winning decision value (svm) or P(person) (tree); null for unknown. */
  readonly value: number | null;
  /** Every model's value, by person. */
  readonly decisions: Readonly<Record<string, number>>;
}

interface Scorer {
  readonly name: string;
  readonly spec: FeatureSpec;
  readonly key: string;
  readonly threshold: number;
  readonly score: (x: Float64Array) => number;
}

function scorerOf(model: PersonModel, thresholds: Readonly<Record<string, number>>): Scorer {
  const { classifier } = model;
  let score: (x: Float64Array) => number;
  if (classifier.type === 'svm') score = compileSvm(classifier.svm);
  else {
    const tree = classifier.tree;
    score = (x) => treeScore(tree, x);
  }
  return {
    name: model.name,
    spec: model.features,
    key: featureKey(model.features),
    threshold: thresholds[model.name] ?? model.threshold,
    score,
  };
}

export class Recognizer {
  private readonly scorers: readonly Scorer[];
  /** The chip paddings the models need; a caller cuts one chip per padding. */
  readonly paddings: readonly number[];

  /** `thresholds` override a model's own acceptance threshold, per person. */
  constructor(models: readonly PersonModel[], thresholds: Readonly<Record<string, number>> = {}) {
    const names = new Set<string>();
    for (const m of models) {
      if (names.has(m.name)) throw new Error(`two models are named ${JSON.stringify(m.name)}`);
      names.add(m.name);
    }
    this.scorers = models.map((m) => scorerOf(m, thresholds));
    this.paddings = [...new Set(models.map((m) => m.features.padding))];
  }

  get size(): number {
    return this.scorers.length;
  }

  /** Name one face. `chipFor(padding)` gives its upright grey chip cut with that margin. */
  recognize(chipFor: (padding: number) => GreyChip): Recognition {
    const features = new Map<string, Float64Array>();
    const decisions: Record<string, number> = {};
    let best: { name: string; value: number } | undefined;
    for (const s of this.scorers) {
      let x = features.get(s.key);
      if (!x) {
        x = chipFeatures(chipFor(s.spec.padding), s.spec);
        features.set(s.key, x);
      }
      const value = s.score(x);
      decisions[s.name] = value;
      // Ties keep the first model (sorted by name), as the seed's max() does.
      if (value > s.threshold && (!best || value > best.value)) best = { name: s.name, value };
    }
    return best ? { ...best, decisions } : { name: UNKNOWN, value: null, decisions };
  }
}

/**
 * The seed's de-duplication priority for recognised faces: a named face beats `unknown`,
 * then the larger decision value; `fallback` (detector strength, angle) decides the rest.
 */
export function preferRecognised<T>(
  recognition: (candidate: T) => Recognition,
  fallback: (a: T, b: T) => number,
): (a: T, b: T) => number {
  return (a, b) => {
    const ra = recognition(a);
    const rb = recognition(b);
    const known = Number(ra.value === null) - Number(rb.value === null);
    if (known !== 0) return known;
    if (ra.value !== null && rb.value !== null && ra.value !== rb.value) return rb.value - ra.value;
    return fallback(a, b);
  };
}
