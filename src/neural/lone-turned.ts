/**
 * Faces of one photo agree on which way up they are (issue 17 §3). A "face" the SSD found at a
 * single sweep angle, not surely (score under SURE), turned a quarter or more from the photo's
 * surest face (found at two or more angles with a score of SURE or more), is dropped: on the dev
 * detection set these were textures far more often than faces. Measured with `eval detect`
 * (2026-12-05): upright 43 → 28 false faces, 395 → 393 found (one lost face was a baby asleep on
 * its side, the other a face the sweep kept upside down); at random angles 36 → 26 false faces,
 * none lost. A photo whose other faces are not sure, or a lone face, is left as it is. Pure.
 */
import { signedAngle } from '../vision/geometry.js';
import { SURE_SCORE as SURE } from './on-axis.js';

/** Turned this far (degrees) from the photo's surest face, a doubtful face is dropped. */
const MIN_TURN = 90;

interface FoundFace {
  readonly strength: number;
  /** The sweep angles the face was found at. */
  readonly angles: readonly number[];
  /** The angle it is kept at. */
  readonly rect: { readonly angle: number };
}

const isSure = (f: FoundFace): boolean => f.strength >= SURE && f.angles.length >= 2;

/** `faces` without the doubtful ones turned against the photo's surest face. */
export function dropLoneTurned<T extends FoundFace>(faces: readonly T[]): T[] {
  // A sure face is never doubtful itself, so one surest face serves every doubtful one.
  let surest: T | undefined;
  for (const f of faces) if (isSure(f) && (!surest || f.strength > surest.strength)) surest = f;
  if (!surest) return [...faces];
  const sure = surest;
  const doubtful = (f: T): boolean => f.angles.length === 1 && f.strength < SURE;
  return faces.filter((f) => !doubtful(f) || Math.abs(signedAngle(f.rect.angle - sure.rect.angle)) < MIN_TURN);
}
