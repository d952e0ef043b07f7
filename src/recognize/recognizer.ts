/**
 * The seed's `predict()`: every person's model scores the face; the accepting model with the
 * largest decision value names it, otherwise it is `unknown`. Pure: chips in, names out.
 */
import {
  type AnyFeatureSpec,
  chipFeatures,
  type FeatureKind,
  FeatureMismatchError,
  featureKey,
  type GreyChip,
} from './features.js';
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
  readonly spec: AnyFeatureSpec;
  readonly key: string;
  readonly threshold: number;
  readonly score: (x: Float64Array) => number;
  /** Whether the face is close enough to the person's own examples (always, without a gallery). */
  readonly near: (x: Float64Array) => boolean;
}

/**
 * Whether the mean distance to the `neighbours` nearest gallery embeddings (all of them when the
 * gallery is smaller) is within `maxDistance`. Pure. One lucky look-alike is not enough: on the
 * dev library the nearest one alone accepted 3.2 % of strangers at 0.5, the mean of 3 1.2 % (README).
 */
export function nearGallery(x: Float64Array, gallery: NonNullable<PersonModel['gallery']>): boolean {
  const k = Math.min(gallery.neighbours, gallery.embeddings.length);
  // The k smallest squared distances, kept sorted (k is small).
  const nearest: number[] = [];
  for (const e of gallery.embeddings) {
    const worst = nearest.length === k ? (nearest[k - 1] ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
    let d = 0;
    for (let i = 0; i < e.length && d < worst; i++) d += ((x[i] ?? 0) - (e[i] ?? 0)) ** 2;
    if (d >= worst) continue;
    let at = nearest.length === k ? k - 1 : nearest.length;
    while (at > 0 && (nearest[at - 1] ?? 0) > d) {
      nearest[at] = nearest[at - 1] ?? 0;
      at--;
    }
    nearest[at] = d;
  }
  const mean = nearest.reduce((s, d) => s + Math.sqrt(d), 0) / nearest.length;
  return mean <= gallery.maxDistance;
}

function scorerOf(model: PersonModel, thresholds: Readonly<Record<string, number>>): Scorer {
  const { classifier, gallery } = model;
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
    near: gallery ? (x) => nearGallery(x, gallery) : () => true,
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
    this.featureKinds = [...new Set(models.map((m) => m.features.kind))];
  }

  /** The kinds of features the models were trained on (one, in practice). */
  readonly featureKinds: readonly FeatureKind[];

  /** Refuse models that need features the engine in use does not compute, naming the first. */
  assertFeatures(kind: FeatureKind): void {
    const other = this.scorers.find((s) => s.spec.kind !== kind);
    if (other) throw new FeatureMismatchError(other.spec.kind, kind, `the model of ${JSON.stringify(other.name)}`);
  }

  get size(): number {
    return this.scorers.length;
  }

  /**
   * Name one face. `chipFor(padding)` gives its upright grey chip cut with that margin (HOG
   * models); `embedding` is its descriptor from the neural engine (embedding models). A model
   * whose kind of features the face does not come with is refused, not guessed at.
   */
  recognize(chipFor: (padding: number) => GreyChip, embedding?: Float64Array): Recognition {
    const features = new Map<string, Float64Array>();
    const decisions: Record<string, number> = {};
    let best: { name: string; value: number } | undefined;
    for (const s of this.scorers) {
      let x = features.get(s.key);
      if (!x) {
        if (s.spec.kind === 'embedding') {
          if (!embedding) throw new FeatureMismatchError('embedding', 'hog', `the model of ${JSON.stringify(s.name)}`);
          if (embedding.length !== s.spec.dimensions) {
            throw new RangeError(
              `embedding has ${embedding.length} values, the model of ${s.name} expects ${s.spec.dimensions}`,
            );
          }
          x = embedding;
        } else x = chipFeatures(chipFor(s.spec.padding), s.spec);
        features.set(s.key, x);
      }
      const value = s.score(x);
      decisions[s.name] = value;
      // Ties keep the first model (sorted by name), as the seed's max() does.
      if (value > s.threshold && (!best || value > best.value) && s.near(x)) best = { name: s.name, value };
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
