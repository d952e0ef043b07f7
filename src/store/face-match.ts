/**
 * Pairing a new detection of a photo's faces with the faces already stored for it, so labels
 * survive re-detection (issue 4 item 5): two faces are the same when the axis-aligned bounding
 * boxes of their rotated boxes overlap with IoU ≥ 0.5. Pure; the store applies the pairs.
 *
 * Kept here rather than imported from src/vision/geometry.ts: the store may import only core
 * (style-anchors §2.3), and these are a dozen lines.
 */

/** A rotated box as stored: centre, size, clockwise angle in degrees, oriented full-res pixels. */
export interface StoredBox {
  readonly cx: number;
  readonly cy: number;
  readonly width: number;
  readonly height: number;
  readonly angle: number;
}

interface Bounds {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** The axis-aligned bounds of a rotated box (half-extents of the rotated corners). */
export function boundsOf(box: StoredBox): Bounds {
  const rad = (box.angle * Math.PI) / 180;
  const c = Math.abs(Math.cos(rad));
  const s = Math.abs(Math.sin(rad));
  const hw = (box.width * c + box.height * s) / 2;
  const hh = (box.width * s + box.height * c) / 2;
  return { x0: box.cx - hw, y0: box.cy - hh, x1: box.cx + hw, y1: box.cy + hh };
}

/** Intersection over union of the two boxes' axis-aligned bounds. */
export function boundsIou(a: StoredBox, b: StoredBox): number {
  const p = boundsOf(a);
  const q = boundsOf(b);
  const iw = Math.max(0, Math.min(p.x1, q.x1) - Math.max(p.x0, q.x0));
  const ih = Math.max(0, Math.min(p.y1, q.y1) - Math.max(p.y0, q.y0));
  const inter = iw * ih;
  const union = (p.x1 - p.x0) * (p.y1 - p.y0) + (q.x1 - q.x0) * (q.y1 - q.y0) - inter;
  return union > 0 ? inter / union : 0;
}

export const SAME_FACE_IOU = 0.5;

export interface MatchCandidate extends StoredBox {
  /** Labelled faces (confirmed, rejected, not_a_face, ignored) are matched first: they must not lose out to an auto face. */
  readonly labelled: boolean;
}

/**
 * Greedy one-to-one pairing, best overlap first: first the labelled existing faces, then the auto
 * ones with the incoming faces left over. Returns [existing index, incoming index] pairs. Ties keep
 * input order, so the result is deterministic.
 */
export function matchFaces(
  existing: readonly MatchCandidate[],
  incoming: readonly StoredBox[],
  minIou = SAME_FACE_IOU,
): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  const takenIn = new Set<number>();
  for (const labelled of [true, false]) {
    const candidates: Array<{ e: number; i: number; iou: number }> = [];
    existing.forEach((e, ei) => {
      if (e.labelled !== labelled) return;
      incoming.forEach((n, ni) => {
        if (takenIn.has(ni)) return;
        const iou = boundsIou(e, n);
        if (iou >= minIou) candidates.push({ e: ei, i: ni, iou });
      });
    });
    candidates.sort((a, b) => b.iou - a.iou || a.e - b.e || a.i - b.i);
    const takenEx = new Set<number>();
    for (const c of candidates) {
      if (takenEx.has(c.e) || takenIn.has(c.i)) continue;
      takenEx.add(c.e);
      takenIn.add(c.i);
      pairs.push([c.e, c.i]);
    }
  }
  return pairs;
}
