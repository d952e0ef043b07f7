import { type AxisBox, boundingBox, iou, type RotatedRect, rectContains, signedAngle } from './geometry.js';

export interface SweepCandidate {
  readonly rect: RotatedRect;
  readonly strength: number;
}

/** Negative when `a` should be kept over `b`. */
export type Preference<T> = (a: T, b: T) => number;

/**
 * Detector-only preference: the strongest detection, then the smallest |angle|, then the
 * smaller angle. Recognition replaces it with the seed's rule, the largest classifier response.
 */
export function strongestDetection(a: SweepCandidate, b: SweepCandidate): number {
  return (
    b.strength - a.strength ||
    Math.abs(signedAngle(a.rect.angle)) - Math.abs(signedAngle(b.rect.angle)) ||
    signedAngle(a.rect.angle) - signedAngle(b.rect.angle)
  );
}

/** The reference's rule: either centre lies inside the other box, or the boxes overlap (IoU > 0.3). */
export function sameFace(a: RotatedRect, b: RotatedRect, boxA: AxisBox, boxB: AxisBox, iouThreshold = 0.3): boolean {
  return rectContains(a, b.cx, b.cy) || rectContains(b, a.cx, a.cy) || iou(boxA, boxB) > iouThreshold;
}

export interface Deduplicated<T> {
  readonly kept: T;
  /** Every candidate folded into `kept`, itself included. */
  readonly members: readonly T[];
}

export interface DedupOptions<T> {
  readonly prefer?: Preference<T>;
  /**
   * Also fold overlapping detections found at the same angle. skimage's greedy grouping can
   * leave one face as two nested boxes; parity mode keeps them, to report the cascade's
   * own output unchanged.
   */
  readonly mergeSameAngle?: boolean;
}

/** Fold detections of one face found at several angles (or twice at one angle) into one, greedily by preference. */
export function dedupeAcrossAngles<T extends SweepCandidate>(
  candidates: readonly T[],
  { prefer = strongestDetection, mergeSameAngle = false }: DedupOptions<T> = {},
): Deduplicated<T>[] {
  const order = candidates.map((c) => ({ c, box: boundingBox(c.rect) })).sort((a, b) => prefer(a.c, b.c));
  const groups: { kept: T; members: T[]; box: AxisBox }[] = [];
  for (const { c, box } of order) {
    const owner = groups.find(
      (g) =>
        (mergeSameAngle || !g.members.some((m) => m.rect.angle === c.rect.angle)) &&
        sameFace(g.kept.rect, c.rect, g.box, box),
    );
    if (owner) owner.members.push(c);
    else groups.push({ kept: c, members: [c], box });
  }
  return groups.map(({ kept, members }) => ({ kept, members }));
}
