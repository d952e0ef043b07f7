/**
 * Which way up a face is kept (issue 14 §5). The SSD finds a face at most of the sweep's angles
 * and its scores do not say which way up it is: on the detection set, 47 of 363 upright faces
 * were kept turned (by 45° to 270°), so their chips were stored, shown and named turned. Keeping
 * upright whenever possible is no answer: photos turned 180° then kept 219 of 359 faces wrong.
 * So among the angles a face was found at, the one kept is where its chip looks most upright to
 * the orientation model (recognize/face-orientation.ts), when clearly more upright than the
 * strongest detection's (MARGIN) and found nearly as surely (WEAKER). Measured through the detector
 * (test/integration/upright-faces): upright photos 353 of 367 faces within ±30° of their angle, the
 * same photos turned 180° 348 of 364 (354 of 366 and 348 of 363 without WEAKER). A margin of 0.1, or a vote of every angle's chip, kept 350 and 351 of the upright ones. Pure.
 */

import {
  faceTurn,
  ORIENTATION_CLASSES,
  ORIENTATION_STEP,
  type OrientationModel,
} from '../recognize/face-orientation.js';
import type { RasterImage } from '../vision/chip.js';
import type { Deduplicated } from '../vision/dedup.js';
import type { AngleHit } from '../vision/detect-angle.js';

/** How much more upright another angle must look than the strongest detection's to replace it. */
const MARGIN = 0.25;
/**
 * Nor unless the SSD found it there nearly as surely (at most this much weaker): a clear upright
 * face of 2008_002079 (detection set), found at 0° with 0.99 and at 180° with 0.73, looked
 * upside down to the network in every chip, and was kept at 180° without this guard.
 */
const WEAKER = 0.2;
/** How sure the orientation model must be that a face is not turned (looksUpright). */
const UPRIGHT = 0.5;
/** How sure the kept chip must be that the face leans to a neighbouring angle to look there. */
const LEAN = 0.1;

/**
 * Whether the face of `hit` looks upright in its chip: the orientation model's "not turned" class
 * at least UPRIGHT. What settles a large photo as upright (upright-first.ts).
 */
export function looksUpright(model: OrientationModel, image: RasterImage, hit: AngleHit): boolean {
  return (faceTurn(model, image, hit.rect)[0] ?? 0) >= UPRIGHT;
}

/** An angle folded into [0, 360), the key of a face's detections by angle. */
const angleKey = (angle: number): number => ((angle % 360) + 360) % 360;

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
      const seen = byAngle.get(angleKey(m.rect.angle));
      if (!seen || m.strength > seen.strength) byAngle.set(angleKey(m.rect.angle), m);
    }
    if (byAngle.size < 2) return g;
    // Each chip is scored once: the choice and the neighbour's look share the scores.
    const scores = new Map<AngleHit, number[]>();
    const turnOf = (hit: AngleHit): number[] => {
      const seen = scores.get(hit);
      if (seen) return seen;
      const p = faceTurn(model, image, hit.rect);
      scores.set(hit, p);
      return p;
    };
    /** How upright the face looks in the hit's own chip (the model's "not turned" probability). */
    const uprightness = (hit: AngleHit): number => turnOf(hit)[0] ?? 0;
    const strongest = uprightness(g.kept);
    let kept = g.kept;
    let best = strongest;
    for (const hit of byAngle.values()) {
      if (hit === g.kept || hit.strength < g.kept.strength - WEAKER) continue;
      const u = uprightness(hit);
      if (u > best) {
        best = u;
        kept = hit;
      }
    }
    // The SSD's own choice stands unless another angle, found nearly as surely, looks clearly more upright.
    const chosen = best >= strongest + MARGIN ? kept : g.kept;
    return { kept: nearerNeighbour(chosen, byAngle, turnOf), members: g.members };
  });
}

/**
 * `chosen`, or its neighbouring angle's detection when `chosen`'s chip shows the face leaning
 * that way (class 1: the face is at the angle 45° below, class 7: 45° above; at least LEAN) and the
 * neighbour's chip looks more upright. A face tilted 10° can be found at 0° and at 315°; this
 * keeps it at 0° (measured before WEAKER: upright photos 353 → 354 of 366 within ±30°, turned
 * 180° 347 → 348 of 363).
 */
function nearerNeighbour(
  chosen: AngleHit,
  byAngle: ReadonlyMap<number, AngleHit>,
  turnOf: (hit: AngleHit) => number[],
): AngleHit {
  const p = turnOf(chosen);
  const [up, lower, higher] = [p[0] ?? 0, p[1] ?? 0, p[ORIENTATION_CLASSES - 1] ?? 0];
  if (Math.max(lower, higher) < LEAN) return chosen;
  const neighbour = byAngle.get(angleKey(chosen.rect.angle + (higher > lower ? ORIENTATION_STEP : -ORIENTATION_STEP)));
  return neighbour && (turnOf(neighbour)[0] ?? 0) > up ? neighbour : chosen;
}
