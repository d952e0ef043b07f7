import { type AxisBox, iou } from '../vision/geometry.js';

export interface MatchCounts {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
}

/** Greedy one-to-one matching by decreasing IoU, pairs at or above `minIou` (the reference's rule). */
export function matchBoxes(truth: readonly AxisBox[], found: readonly AxisBox[], minIou: number): MatchCounts {
  const pairs: { t: number; f: number; score: number }[] = [];
  truth.forEach((tb, t) => {
    found.forEach((fb, f) => {
      const score = iou(tb, fb);
      if (score >= minIou) pairs.push({ t, f, score });
    });
  });
  pairs.sort((a, b) => b.score - a.score);
  const usedT = new Set<number>();
  const usedF = new Set<number>();
  for (const p of pairs) {
    if (usedT.has(p.t) || usedF.has(p.f)) continue;
    usedT.add(p.t);
    usedF.add(p.f);
  }
  return {
    truePositives: usedT.size,
    falsePositives: found.length - usedF.size,
    falseNegatives: truth.length - usedT.size,
  };
}

export interface DetectionScore {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export function score({ truePositives: tp, falsePositives: fp, falseNegatives: fn }: MatchCounts): DetectionScore {
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

/** A small seeded PRNG (mulberry32), so `--rotate random` is repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
