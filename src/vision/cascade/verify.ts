import type { Integral } from '../integral.js';
import type { RotationFrame } from '../rotate.js';
import type { Detection } from './group.js';
import type { CascadeModel } from './model.js';
import { HitBuffer, scanScale } from './scan.js';

const F = Math.fround;

/** Scales around a detection's own, as multiples of it. */
const SCALE_STEPS = [1 / 1.1, 1, 1.1];
/** Window origins within this fraction of the detection's size around its origin. */
const REACH = 0.25;
/** Step between origins as a fraction of the scale (0.5 px per cascade pixel). */
const STEP = 0.5;

/**
 * Hit density around a detection: the share of windows in a dense local scan (half-pixel
 * steps of the cascade's own grid, three nearby scales) that the cascade accepts. A real face
 * lights up most of its neighbourhood; a chance texture that passed the coarse scan does not.
 * The cost is a few thousand windows per candidate, a small fraction of the full scan.
 */
export function hitDensity(
  model: CascadeModel,
  ii: Integral,
  d: Detection,
  frame?: RotationFrame,
  hits = new HitBuffer(),
): number {
  let tried = 0;
  hits.count = 0;
  const base = d.width / model.windowWidth;
  for (const k of SCALE_STEPS) {
    const scale = F(base * k);
    const step = Math.max(1, Math.round(scale * STEP));
    const reach = Math.round(d.width * REACH);
    const r0 = d.r - reach;
    const c0 = d.c - reach;
    const before = hits.count;
    scanScale(model, ii, { scale, step, r0, c0, r1: d.r + reach + 1, c1: d.c + reach + 1 }, hits, frame);
    const side = Math.ceil((2 * reach + 1) / step);
    tried += side * side;
    if (hits.count < before) throw new Error('hit buffer shrank');
  }
  return tried > 0 ? hits.count / tried : 0;
}
