/**
 * Grouping unknown faces by likeness, for the labelling page: HOG features of each stored chip
 * (the seed's HOG on an 80×80 chip without margin, as models use by default), centred on the
 * mean of the faces being grouped (raw HOG vectors of any two faces are ~0.9 alike: the shared
 * "face" shape swamps identity), then a greedy single pass that puts each face into the most
 * similar group whose mean vector is within a cosine threshold, else starts a new group. No
 * model is needed, so it works before the first training. HOG is a weak identity feature: on 64
 * faces of 8 persons from ../shared/data/identity the groups are 80% pure but small (36 groups,
 * the largest 6). Good enough to name several at once; a user deselects the odd one out.
 */
import { chipFeatures, FEATURE_CODE_VERSION, type FeatureSpec, SEED_HOG } from '../recognize/features.js';
import { chipWithPadding, greyOf } from '../recognize/stored-chip.js';
import type { RasterImage } from '../vision/chip.js';

export const LIKENESS_SPEC: FeatureSpec = {
  kind: 'hog',
  version: FEATURE_CODE_VERSION,
  chipWidth: 80,
  chipHeight: 80,
  padding: 0,
  hog: { ...SEED_HOG },
};

/** Centred cosine similarity to a group's mean needed to join it (chosen on ../shared/data/identity). */
export const DEFAULT_LIKENESS = 0.3;

/** A unit-length feature vector of a stored chip. */
export function likenessVector(storedChip: RasterImage): Float64Array {
  const v = chipFeatures(chipWithPadding(greyOf(storedChip), LIKENESS_SPEC.padding), LIKENESS_SPEC);
  return unit(v);
}

function unit(v: Float64Array): Float64Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n);
  return n === 0 ? v : v.map((x) => x / n);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** The vectors minus their mean, each scaled to unit length. */
function centred(vectors: readonly Float64Array[]): Float64Array[] {
  if (vectors.length === 0) return [];
  const mean = new Float64Array(vectors[0]!.length);
  for (const v of vectors) for (let k = 0; k < v.length; k++) mean[k]! += v[k]! / vectors.length;
  return vectors.map((v) => unit(v.map((x, k) => x - mean[k]!)));
}

/**
 * Groups of item indices, biggest first (ties: earliest first item). `vectors` are unit length;
 * a group's mean is kept as a running sum and normalised when compared.
 */
export function groupByLikeness(vectors: readonly Float64Array[], threshold = DEFAULT_LIKENESS): number[][] {
  const groups: { members: number[]; sum: Float64Array }[] = [];
  centred(vectors).forEach((v, i) => {
    let best = -1;
    let bestSim = threshold;
    groups.forEach((g, gi) => {
      const sim = dot(unit(g.sum), v);
      if (sim >= bestSim) {
        best = gi;
        bestSim = sim;
      }
    });
    if (best < 0) groups.push({ members: [i], sum: Float64Array.from(v) });
    else {
      const g = groups[best]!;
      g.members.push(i);
      for (let k = 0; k < v.length; k++) g.sum[k]! += v[k]!;
    }
  });
  return groups.map((g) => g.members).sort((a, b) => b.length - a.length || a[0]! - b[0]!);
}
