import type { SidecarFace } from './input.js';
import { personNameProblem } from './person-name.js';

/** Which faces go into sidecars. */
export interface WritePolicy {
  /** An auto-named face is written only when its decision value is at least this. */
  readonly autoThreshold: number;
}

export interface FaceSelection<F extends SidecarFace> {
  readonly faces: F[];
  readonly skipped: { readonly faceId: number; readonly reason: string }[];
}

/**
 * Confirmed faces always; auto faces only when their decision value reaches the threshold (one
 * without a value never does). A face whose name cannot be written safely is skipped with the
 * reason rather than mangled: the name is the user's, so the naming API should refuse it.
 */
export function selectFaces<F extends SidecarFace>(faces: readonly F[], policy: WritePolicy): FaceSelection<F> {
  if (Number.isNaN(policy.autoThreshold)) throw new RangeError('autoThreshold must be a number');
  const chosen: F[] = [];
  const skipped: { faceId: number; reason: string }[] = [];
  for (const face of faces) {
    const problem = personNameProblem(face.name);
    if (problem) {
      skipped.push({ faceId: face.faceId, reason: problem });
    } else if (face.source === 'confirmed') {
      chosen.push(face);
    } else if (face.value === undefined || !Number.isFinite(face.value)) {
      skipped.push({ faceId: face.faceId, reason: 'auto face without a decision value' });
    } else if (face.value < policy.autoThreshold) {
      skipped.push({
        faceId: face.faceId,
        reason: `auto face below the threshold (${face.value} < ${policy.autoThreshold})`,
      });
    } else {
      chosen.push(face);
    }
  }
  return { faces: chosen, skipped };
}
