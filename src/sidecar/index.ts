/** XMP sidecars: where gallery software reads facetag's faces (spec: ../shared/specs/gallery-interop.md). */
export { assertSidecarPath } from './atomic-write.js';
export { type EmbeddedMetadata, readEmbeddedMetadata } from './embedded/read.js';
export { type FaceArea, faceArea } from './face-area.js';
export { type SidecarFace, type SidecarInput, SidecarInputError, validateSidecarInput } from './input.js';
export { displayedToStored, type NormalizedArea } from './orientation.js';
export { resolveSidecars, type SidecarTargets, sidecarPaths } from './paths.js';
export { personNameProblem } from './person-name.js';
export { type PlanOptions, planSidecar, planSidecarDetailed, type SidecarPlan } from './plan.js';
export { type FaceSelection, selectFaces, type WritePolicy } from './policy.js';
export {
  type FaceSkip,
  SidecarWriteError,
  type WriteSidecarsOptions,
  type WriteSidecarsResult,
  writeSidecars,
} from './write.js';
export { XmpParseError } from './xml-dom.js';
