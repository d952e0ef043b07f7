/**
 * A large photo's sweep, upright first (issue 17). Most photos of a family library are upright
 * once their EXIF orientation is applied, and their turned canvases then only add a face that
 * lies or leans far (a baby asleep, a child upside down on a sofa), which is near enough to be
 * big. So the photo is looked at upright first (with the margin pass beside it, on the other
 * worker); when that pass finds a sure face the orientation model sees upright, the turned
 * canvases are looked at at half size, four to an SSD pass (ssd-mosaic.ts), and give only sure
 * faces. Otherwise every angle is looked at at full size, as before.
 *
 * Measured with `eval detect --engine neural` on the dev set (2026-12-05, same hour, 2 cores):
 * upright photos 1.18 → 0.58 s a photo, precision / recall 0.936 / 0.954 → 0.940 / 0.959 (393 → 395
 * faces, 27 → 25 false); turned at random 1.30 → 1.06 s, 0.936 / 0.917 → 0.938 / 0.920 (378 → 379,
 * 26 → 25). Settling on a face the orientation model saw within ±67° (classes 7, 0, 1) instead of
 * upright lost 6 faces of photos turned 24°-65°, whose other faces only the full-size 45° canvases
 * find; keeping every half-size face, sure or not, added 9 false ones. Keeping only the sure ones
 * that the upright pass had not found (395 found, 25 false) kept a face lying beside an upright
 * group at 0°, sideways, where the upright pass had also found it. Pure.
 */
import type { AngleHit } from '../vision/detect-angle.js';
import { SURE_SCORE } from './on-axis.js';

/** Whether the upright pass settles that the photo is upright: a sure face that looks upright. */
export function settlesUpright(uprightHits: readonly AngleHit[], looksUpright: (hit: AngleHit) => boolean): boolean {
  return uprightHits.some((h) => h.strength >= SURE_SCORE && looksUpright(h));
}

/**
 * The hits an upright photo's half-size turned canvases give: only sure ones. They join the
 * de-duplication like any other, so a face lying down, also found sideways by the upright pass,
 * is kept the way up it looks (most-upright.ts).
 */
export function halfSizeKept(halfSizeHits: readonly AngleHit[]): AngleHit[] {
  return halfSizeHits.filter((h) => h.strength >= SURE_SCORE);
}
