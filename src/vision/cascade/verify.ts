import type { Integral } from '../integral.js';
import type { RotationFrame } from '../rotate.js';
import type { Detection } from './group.js';
import type { CascadeModel } from './model.js';
import { HitBuffer, scanScale } from './scan.js';

const F = Math.fround;

/** Scales around a detection's own, as multiples of it (never below the cascade's own window). */
const SCALE_STEPS = [1 / 1.1, 1, 1.1];
/** Window origins within this fraction of the detection's size around its origin. */
const REACH = 0.25;
/** Step between origins as a fraction of the scale (half a cascade pixel). */
const STEP = 0.5;

export interface Verification {
  /** Share of the dense windows the cascade accepts. */
  readonly density: number;
  /** Mean share of the cascade's stages the dense windows pass. */
  readonly depth: number;
}

/**
 * A second, dense look around a detection: windows at half-pixel steps of the cascade's own
 * grid, at three nearby scales. A real face lights up most of its neighbourhood, and windows
 * near it pass most stages; a chance texture that passed the coarse scan does neither. The
 * cost is a few thousand windows per candidate, a small fraction of the full scan.
 */
export function verifyDetection(
  model: CascadeModel,
  ii: Integral,
  d: Detection,
  frame?: RotationFrame,
  hits = new HitBuffer(),
): Verification {
  let tried = 0;
  let depth = 0;
  hits.count = 0;
  const base = d.width / model.windowWidth;
  const reach = Math.round(d.width * REACH);
  for (const k of SCALE_STEPS) {
    const scale = F(Math.max(1, base * k));
    const step = Math.max(1, Math.round(scale * STEP));
    const scan = { scale, step, r0: d.r - reach, c0: d.c - reach, r1: d.r + reach + 1, c1: d.c + reach + 1 };
    depth += scanScale(model, ii, scan, hits, frame);
    const side = Math.ceil((2 * reach + 1) / step);
    tried += side * side;
  }
  if (tried === 0) return { density: 0, depth: 0 };
  return { density: hits.count / tried, depth: depth / (tried * model.stageCount.length) };
}
