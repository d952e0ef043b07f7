/**
 * Which way up a face is kept (issue 14 §5). The SSD finds a face at most of the sweep's angles
 * and its scores do not say which way up it is: on the detection set, 47 of 363 upright faces
 * were kept turned (by 45° to 270°), so their chips were stored, shown and named turned. Keeping
 * upright whenever possible is no answer: photos turned 180° then kept 219 of 359 faces wrong.
 * So among the angles a face was found at, the one kept is where its chip looks most upright to
 * the orientation model (recognize/face-orientation.ts), when clearly more upright than the
 * strongest detection's (MARGIN). Offline on the detection set's hits (faces within ±30° of
 * their true angle, without the margin): upright photos 317 → 342 of 363, photos turned 180° 313 →
 * 336 of 359, turned at random 271 → 321 of 347; through the detector with the margin, upright
 * photos: 349 of 367 (test/integration/upright-faces.test.ts). Pure.
 */

import { faceTurn, type OrientationModel } from '../recognize/face-orientation.js';
import type { RasterImage } from '../vision/chip.js';
import type { Deduplicated } from '../vision/dedup.js';
import type { AngleHit } from '../vision/detect-angle.js';

/** How much more upright another angle must look than the strongest detection's to replace it. */
const MARGIN = 0.25;

/** How upright the face of `hit` looks in its own chip (the model's "not turned" probability). */
const uprightness = (model: OrientationModel, image: RasterImage, hit: AngleHit): number =>
  faceTurn(model, image, hit.rect)[0] ?? 0;

/** `groups` with each face's kept detection chosen by how upright its chip looks (`image`: detection pixels). */
export function keepMostUpright(
  groups: readonly Deduplicated<AngleHit>[],
  image: RasterImage,
  model: OrientationModel,
): Deduplicated<AngleHit>[] {
  return groups.map((g) => {
    // The strongest detection at each angle speaks for that angle.
    const byAngle = new Map<number, AngleHit>();
    for (const m of g.members) {
      const a = ((m.rect.angle % 360) + 360) % 360;
      const seen = byAngle.get(a);
      if (!seen || m.strength > seen.strength) byAngle.set(a, m);
    }
    if (byAngle.size < 2) return g;
    const strongest = uprightness(model, image, g.kept);
    let kept = g.kept;
    let best = strongest;
    for (const hit of byAngle.values()) {
      if (hit === g.kept) continue;
      const u = uprightness(model, image, hit);
      if (u > best) {
        best = u;
        kept = hit;
      }
    }
    // The SSD's own choice stands unless another angle looks clearly more upright.
    return { kept: best >= strongest + MARGIN ? kept : g.kept, members: g.members };
  });
}
