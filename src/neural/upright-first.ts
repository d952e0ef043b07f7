/**
 * A large photo's sweep, upright and upside down first (issue 17). Most photos of a family library
 * are upright once their EXIF orientation is applied, and their other turned canvases then only add
 * a face that lies or leans far (a baby asleep), which is near enough to be big. So the photo is
 * looked at at 0° and 180° first, at full size, with the margin pass; when most sure faces of the
 * upright pass look upright to the orientation model, its other canvases are looked at at half
 * size, four to an SSD pass (ssd-mosaic.ts), and give only sure faces. Otherwise every angle is
 * looked at at full size, as before. 5 SSD passes instead of 9.
 *
 * Measured with `eval detect --engine neural` on the dev set (2026-12-05, 2 cores, with the closer
 * look of focus.ts): upright 1.22 → 0.82 s a photo, 393 → 390 faces found, 27 → 26 false; at random
 * angles 378 → 389, 26 → 26; photos turned 180° 390 → 390, 22 → 23. With the upright pass alone
 * first (4 passes), upright found 394 in 0.69 s, but photos turned 180° lost 9 faces: the model
 * sees some upside-down faces, found surely at 0°, as upright, and such a photo was settled
 * upright. Settling on any sure face at 0° lost 11 faces at random angles, and on a face seen
 * within ±67° lost 6; keeping half-size faces that are not sure added 9 false ones. Pure.
 */
import type { AngleHit } from '../vision/detect-angle.js';
import { SURE_SCORE } from './on-axis.js';

/**
 * Whether the upright pass settles that the photo is upright: most of its sure faces look upright.
 * One is not enough: in a group photo stored upside down, the model can see one of 18 faces
 * upright, and the rest were then kept upside down (test/integration/upright-faces).
 */
export function settlesUpright(uprightHits: readonly AngleHit[], looksUpright: (hit: AngleHit) => boolean): boolean {
  const sure = uprightHits.filter((h) => h.strength >= SURE_SCORE);
  return sure.filter(looksUpright).length * 2 > sure.length;
}

/**
 * The hits an upright photo's half-size turned canvases give: only sure ones. They join the
 * de-duplication like any other, so a face lying down, also found sideways by the upright pass,
 * is kept the way up it looks (most-upright.ts).
 */
export function halfSizeKept(halfSizeHits: readonly AngleHit[]): AngleHit[] {
  return halfSizeHits.filter((h) => h.strength >= SURE_SCORE);
}
