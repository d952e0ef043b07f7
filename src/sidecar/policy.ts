import type { SidecarFace } from './input.js';
import { personNameProblem } from './person-name.js';

/** Which faces go into sidecars. */
export interface WritePolicy {
  /** An auto-named face is written only when its decision value is at least this. */
  readonly autoThreshold: number;
}

/** Why a face has no region of ours in a sidecar. */
export type FaceSkipKind =
  /** The write policy: an auto name below the threshold, or without a decision value. */
  | 'policy'
  /** A name the name rule refuses (only a name stored before the rule can be one). */
  | 'name'
  | 'outside'
  /** Another tool's region covers the face under another name: that name stands. */
  | 'foreign-region'
  /** Another tool's region covers the face under the same name: the keywords are still ours. */
  | 'tagged-elsewhere';

export interface FaceSkip {
  readonly faceId: number;
  readonly kind: FaceSkipKind;
  readonly reason: string;
}

export interface FaceSelection<F extends SidecarFace> {
  readonly faces: F[];
  readonly skipped: FaceSkip[];
}

/**
 * Confirmed faces always; auto faces only when their decision value reaches the threshold (one
 * without a value never does). Names follow the one name rule, as where they entered; a name it
 * refuses can only be one stored before the rule, and is skipped with the reason, not mangled.
 */
export function selectFaces<F extends SidecarFace>(faces: readonly F[], policy: WritePolicy): FaceSelection<F> {
  if (Number.isNaN(policy.autoThreshold)) throw new RangeError('autoThreshold must be a number');
  const chosen: F[] = [];
  const skipped: FaceSkip[] = [];
  for (const face of faces) {
    const problem = personNameProblem(face.name);
    if (problem) {
      skipped.push({ faceId: face.faceId, kind: 'name', reason: problem });
    } else if (face.source === 'confirmed') {
      chosen.push(face);
    } else if (face.value === undefined || !Number.isFinite(face.value)) {
      skipped.push({ faceId: face.faceId, kind: 'policy', reason: 'auto face without a decision value' });
    } else if (face.value < policy.autoThreshold) {
      skipped.push({
        faceId: face.faceId,
        kind: 'policy',
        reason: `auto face below the threshold (${face.value} < ${policy.autoThreshold})`,
      });
    } else {
      chosen.push(face);
    }
  }
  return { faces: chosen, skipped };
}
