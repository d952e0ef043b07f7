import type { RawHits } from './scan.js';

const F = Math.fround;

/** A grouped detection in image pixels; `neighbours` is how many raw windows it merged. */
export interface Detection {
  readonly r: number;
  readonly c: number;
  readonly width: number;
  readonly height: number;
  readonly neighbours: number;
}

export interface GroupParams {
  readonly minNeighbours: number;
  readonly intersectionScoreThreshold: number;
}

/**
 * skimage's `_group_detections`: greedy, single pass in hit order. Each hit joins the
 * cluster whose current (integer-truncated) mean box it overlaps most, measured as
 * intersection over the smaller area in float32, if that score is strictly above the
 * threshold; otherwise it starts a new cluster.
 */
export function groupDetections(hits: RawHits, params: GroupParams): Detection[] {
  const { data, count } = hits;
  // Cluster sums: r, c, w, h, n.
  const sums: number[] = [];
  const threshold = F(params.intersectionScoreThreshold);
  for (let i = 0; i < count; i++) {
    const r = data[i * 4]!;
    const c = data[i * 4 + 1]!;
    const w = data[i * 4 + 2]!;
    const h = data[i * 4 + 3]!;
    let best = -1;
    let bestScore = threshold;
    for (let k = 0; k < sums.length; k += 5) {
      const n = sums[k + 4]!;
      const mr = Math.trunc(sums[k]! / n);
      const mc = Math.trunc(sums[k + 1]! / n);
      const mw = Math.trunc(sums[k + 2]! / n);
      const mh = Math.trunc(sums[k + 3]! / n);
      const iw = Math.max(0, Math.min(c + w, mc + mw) - Math.max(c, mc));
      const ih = Math.max(0, Math.min(r + h, mr + mh) - Math.max(r, mr));
      const score = F(F(iw * ih) / F(Math.min(w * h, mw * mh)));
      if (score > bestScore) {
        bestScore = score;
        best = k;
      }
    }
    if (best < 0) {
      sums.push(r, c, w, h, 1);
    } else {
      sums[best]! += r;
      sums[best + 1]! += c;
      sums[best + 2]! += w;
      sums[best + 3]! += h;
      sums[best + 4]! += 1;
    }
  }
  const out: Detection[] = [];
  for (let k = 0; k < sums.length; k += 5) {
    const n = sums[k + 4]!;
    if (n < params.minNeighbours) continue;
    out.push({
      r: Math.trunc(sums[k]! / n),
      c: Math.trunc(sums[k + 1]! / n),
      width: Math.trunc(sums[k + 2]! / n),
      height: Math.trunc(sums[k + 3]! / n),
      neighbours: n,
    });
  }
  return out;
}
