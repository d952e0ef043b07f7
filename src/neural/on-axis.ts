/**
 * How the neural sweep weighs its off-axis angles (those that are not quarter turns). Turning
 * the photo by 45° shows the SSD textures it never saw upright, and it then finds an upright
 * face a second time with a box that fits worse. Measured on the detection set: off-axis hits
 * need a higher score, and a face found both on and off axis keeps the on-axis box unless the
 * off-axis one is clearly stronger. Pure.
 */
import { type Preference, type SweepCandidate, strongestDetection } from '../vision/dedup.js';

/** Distance of `angle` from the nearest quarter turn, as a fraction of 45° (0 on axis, 1 at 45°). */
export function offAxis(angle: number): number {
  const m = ((angle % 90) + 90) % 90;
  return Math.min(m, 90 - m) / 45;
}

/** Whether a hit at `angle` with `score` passes: off-axis angles use their own threshold. */
export function passes(score: number, angle: number, onAxisMin: number, offAxisMin: number): boolean {
  return score >= (offAxis(angle) > 0 ? offAxisMin : onAxisMin);
}

/** Strongest first after lowering each score by `penalty` × offAxis; then the detector's own order. */
export function preferOnAxis(penalty: number): Preference<SweepCandidate> {
  const key = (c: SweepCandidate) => c.strength - penalty * offAxis(c.rect.angle);
  return (a, b) => key(b) - key(a) || strongestDetection(a, b);
}
