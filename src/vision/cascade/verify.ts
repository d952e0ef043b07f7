import type { RotationFrame } from '../../core/rotation.js';
import type { Integral } from '../integral.js';
import type { Detection } from './group.js';
import type { CascadeModel } from './model.js';
import { HitBuffer, scanScale } from './scan.js';

const F = Math.fround;

/** The detection's own scale and the next two up: never below the cascade's 24 px window. */
const SCALE_STEPS = [1, 1.1, 1.21];
/** Window origins within this fraction of the detection's size around its origin. */
const REACH = 0.25;
/** Step between origins as a fraction of the scale (half a cascade pixel). */
const STEP = 0.5;

/**
 * A second, dense look around a detection: the share of windows, at half-pixel steps of the
 * cascade's own grid and three nearby scales, that the cascade accepts. A real face lights up
 * a good part of its neighbourhood; a chance texture that passed the coarse scan does not.
 * It costs a few thousand windows per candidate, a small fraction of the full scan.
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
  const reach = Math.round(d.width * REACH);
  for (const k of SCALE_STEPS) {
    const scale = F(base * k);
    const step = Math.max(1, Math.round(scale * STEP));
    const scan = { scale, step, r0: d.r - reach, c0: d.c - reach, r1: d.r + reach + 1, c1: d.c + reach + 1 };
    scanScale(model, ii, scan, hits, frame);
    // The whole neighbourhood counts, even where it falls off the photo: a face cut by the
    // border has less evidence. Counting only the windows that exist kept the same recall on
    // the detection set and let more border textures through (precision 0.877 -> 0.859).
    const side = Math.ceil((2 * reach + 1) / step);
    tried += side * side;
  }
  return tried > 0 ? hits.count / tried : 0;
}
