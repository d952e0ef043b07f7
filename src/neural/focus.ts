/**
 * A second, closer look where a photo's faces are (issue 17). The SSD sees each canvas shrunk to
 * its 512 px input, so the faces of a group that fills only part of a canvas (a distant group, or
 * a turned photo's canvas, which is larger than the photo) reach it small, where it misses some.
 * After a large photo's sweep, the canvas where most faces were found is looked at once more,
 * cropped to them with a face and a half around each, from a copy of the photo sharp enough for
 * the crop, when that draws the faces at least MIN_GAIN larger; its faces only add to the sweep's,
 * as the margin pass's do. Measured with `eval detect --engine neural` (2026-12-05, same hour,
 * with the upright pass alone first, before 180° joined it in upright-first.ts): at
 * random angles 379 → 389 of 412 faces, 25 → 26 false, 1.06 → 1.38 s a photo; upright 394 → 394,
 * 26 → 27, 0.69 s either way (an upright group rarely leaves that much of the photo empty; the
 * 12 MP bench photo does not trigger it). Choosing the angle by its sure faces only found nothing
 * more: a turned group's faces are the doubtful ones. Pure.
 */

import { rotationFrame } from '../core/rotation.js';
import type { AngleHit } from '../vision/detect-angle.js';
import { sourceToCanvas } from '../vision/rotate.js';

/** A crop of the canvas turned by `angle`, in that canvas's pixels. */
export interface Focus {
  readonly angle: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** How much larger the crop's faces are drawn than in the canvas's own pass. */
  readonly gain: number;
}

/** The closer look is worth a pass only when it draws the faces at least this much larger. */
export const MIN_GAIN = 1.5;
/** Nor closer than this: a crop around one face would miss the others of its group. */
export const MAX_GAIN = 2.5;

/**
 * The crop around the sure faces of the angle with most of them (the strongest on a tie), in
 * the canvas of a `width`×`height` image; null when there is none or it would not gain MIN_GAIN.
 */
export function focusRegion(hits: readonly AngleHit[], width: number, height: number): Focus | null {
  const byAngle = new Map<number, AngleHit[]>();
  for (const h of hits) byAngle.set(h.rect.angle, [...(byAngle.get(h.rect.angle) ?? []), h]);
  let best: AngleHit[] = [];
  const strongest = (list: readonly AngleHit[]) => Math.max(...list.map((h) => h.strength));
  for (const list of byAngle.values())
    if (list.length > best.length || (list.length === best.length && strongest(list) > strongest(best))) best = list;
  const first = best[0];
  if (!first) return null;
  const frame = rotationFrame(width, height, first.rect.angle);
  let [x0, y0, x1, y1] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 0, 0];
  for (const h of best) {
    const [cx, cy] = sourceToCanvas(frame, h.rect.cx, h.rect.cy);
    const reach = 1.5 * Math.max(h.rect.width, h.rect.height);
    x0 = Math.min(x0, cx - reach);
    y0 = Math.min(y0, cy - reach);
    x1 = Math.max(x1, cx + reach);
    y1 = Math.max(y1, cy + reach);
  }
  // No closer than MAX_GAIN: the crop grows around its centre.
  const side = Math.max(frame.width, frame.height);
  const least = side / MAX_GAIN;
  const grow = (lo: number, hi: number): [number, number] => {
    const extra = Math.max(0, least - (hi - lo)) / 2;
    return [lo - extra, hi + extra];
  };
  [x0, x1] = grow(x0, x1);
  [y0, y1] = grow(y0, y1);
  const x = Math.max(0, Math.floor(x0));
  const y = Math.max(0, Math.floor(y0));
  const w = Math.min(frame.width, Math.ceil(x1)) - x;
  const h = Math.min(frame.height, Math.ceil(y1)) - y;
  const gain = side / Math.max(w, h);
  return w > 0 && h > 0 && gain >= MIN_GAIN ? { angle: first.rect.angle, x, y, width: w, height: h, gain } : null;
}

/** `focus` for the same canvas of the image scaled by `scale`. */
export function scaleFocus(focus: Focus, scale: number): Focus {
  const x = Math.floor(focus.x * scale);
  const y = Math.floor(focus.y * scale);
  return {
    ...focus,
    x,
    y,
    width: Math.ceil((focus.x + focus.width) * scale) - x,
    height: Math.ceil((focus.y + focus.height) * scale) - y,
  };
}
