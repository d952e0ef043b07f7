/** XMP sidecars: where gallery software reads facetag's faces (spec: ../shared/specs/gallery-interop.md). */
export { assertSidecarPath } from './atomic-write.js';
export { type EmbeddedMetadata, readEmbeddedMetadata } from './embedded/read.js';
export { type FaceArea, faceArea } from './face-area.js';
export { type SidecarFace, type SidecarInput, SidecarInputError, validateSidecarInput } from './input.js';
export { displayedToStored, type NormalizedArea } from './orientation.js';
export { resolveSidecars, type SidecarSkip, type SidecarSkipKind, type SidecarTargets, sidecarPaths } from './paths.js';
export { personNameProblem } from './person-name.js';
export { type PlanOptions, planSidecar, planSidecarDetailed, type SidecarPlan } from './plan.js';
export { type FaceSelection, type FaceSkip, type FaceSkipKind, selectFaces, type WritePolicy } from './policy.js';
export {
  type OpenNotice,
  readSidecarSummary,
  SIDECAR_CASES,
  SIDECAR_NOTICE_CASES,
  SIDECAR_OUTCOME_CASES,
  type SidecarCase,
  type SidecarNotice,
  type SidecarNoticeCase,
  type SidecarOutcomeCase,
  SidecarReport,
  type SidecarSummary,
  sidecarNotices,
} from './report.js';
export {
  SidecarWriteError,
  type WriteSidecarsOptions,
  type WriteSidecarsResult,
  writeSidecars,
} from './write.js';
export { XmpParseError } from './xml-dom.js';
