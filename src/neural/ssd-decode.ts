/**
 * The SSD's raw outputs to face boxes, as face-api's `locateFaces` computes them: anchor
 * decoding (box coder scales 10, 10, 5, 5), its greedy non-maximum suppression (IoU 0.5, strict
 * score threshold), then boxes from the padded 512 square back to image pixels. The same formulas
 * in double precision, so boxes agree with face-api's to float32 rounding. Pure.
 */
import type { ScoredBox } from './ssd-hits.js';

/** SSD outputs for one image: 4 box encodings per anchor, one face score per anchor. */
export interface SsdOutputs {
  readonly encodings: Float32Array;
  readonly scores: Float32Array;
}

/** Anchor `i`'s box as [ymin, xmin, ymax, xmax] in the padded square (0..1). */
export function decodeBox(anchors: Float32Array, encodings: Float32Array, i: number): [number, number, number, number] {
  const a = (k: number) => anchors[4 * i + k] ?? 0;
  const e = (k: number) => encodings[4 * i + k] ?? 0;
  const h = a(2) - a(0);
  const w = a(3) - a(1);
  const cy = a(0) + h / 2 + (e(0) / 10) * h;
  const cx = a(1) + w / 2 + (e(1) / 10) * w;
  const halfH = (Math.exp(e(2) / 5) * h) / 2;
  const halfW = (Math.exp(e(3) / 5) * w) / 2;
  return [cy - halfH, cx - halfW, cy + halfH, cx + halfW];
}

type Corners = readonly [number, number, number, number];

function iou(a: Corners, b: Corners): number {
  const box = (c: Corners) => [Math.min(c[0], c[2]), Math.min(c[1], c[3]), Math.max(c[0], c[2]), Math.max(c[1], c[3])];
  const [ay0 = 0, ax0 = 0, ay1 = 0, ax1 = 0] = box(a);
  const [by0 = 0, bx0 = 0, by1 = 0, bx1 = 0] = box(b);
  const areaA = (ay1 - ay0) * (ax1 - ax0);
  const areaB = (by1 - by0) * (bx1 - bx0);
  if (areaA <= 0 || areaB <= 0) return 0;
  const inter =
    Math.max(Math.min(ay1, by1) - Math.max(ay0, by0), 0) * Math.max(Math.min(ax1, bx1) - Math.max(ax0, bx0), 0);
  return inter / (areaA + areaB - inter);
}

/**
 * face-api's greedy suppression: candidates above `minScore` strongest first (ties in anchor
 * order); one is kept when no kept box overlaps it by more than `maxIou`.
 */
export function suppress(
  boxes: readonly Corners[],
  scores: Float32Array,
  minScore: number,
  maxResults: number,
  maxIou = 0.5,
): number[] {
  const candidates: number[] = [];
  for (let i = 0; i < scores.length; i++) if ((scores[i] ?? 0) > minScore) candidates.push(i);
  candidates.sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || a - b);
  const kept: number[] = [];
  const limit = Math.min(maxResults, scores.length);
  for (const i of candidates) {
    if (kept.length >= limit) break;
    const box = boxes[i] as Corners;
    if (kept.every((j) => iou(box, boxes[j] as Corners) <= maxIou)) kept.push(i);
  }
  return kept;
}

/**
 * Face boxes in pixels of a `width`×`height` image that was padded (right and bottom) to a square
 * and scaled to `inputSide`, as face-api returns them (corners clamped to the square; boxes left
 * with no area dropped).
 */
export function facesFromOutputs(
  out: SsdOutputs,
  anchors: Float32Array,
  image: { readonly width: number; readonly height: number },
  options: { readonly minScore: number; readonly maxResults: number; readonly inputSide: number },
): ScoredBox[] {
  const count = out.scores.length;
  const boxes: Corners[] = [];
  for (let i = 0; i < count; i++) boxes.push(decodeBox(anchors, out.encodings, i));
  const { width, height } = image;
  const scale = options.inputSide / Math.max(width, height);
  const padX = options.inputSide / Math.round(width * scale);
  const padY = options.inputSide / Math.round(height * scale);
  const faces: ScoredBox[] = [];
  for (const i of suppress(boxes, out.scores, options.minScore, options.maxResults)) {
    const [y0, x0, y1, x1] = boxes[i] as Corners;
    const top = Math.max(0, y0) * padY * height;
    const bottom = Math.min(1, y1) * padY * height;
    const left = Math.max(0, x0) * padX * width;
    const right = Math.min(1, x1) * padX * width;
    // A box wholly outside the square clamps to nothing (face-api's Rect would throw on it).
    if (right <= left || bottom <= top) continue;
    faces.push({ score: out.scores[i] ?? 0, x: left, y: top, width: right - left, height: bottom - top });
  }
  return faces;
}
