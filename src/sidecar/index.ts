/** XMP sidecars: where gallery software reads facetag's faces (spec: ../shared/specs/gallery-interop.md). */

export { personNameProblem } from '../names/person-name.js';
export { type EmbeddedMetadata, readEmbeddedMetadata } from './embedded.js';
export {
  type PlanOptions,
  planSidecar,
  planSidecarDetailed,
  SidecarInputError,
  type SidecarPlan,
  validateSidecarInput,
} from './plan.js';
export { displayedToStored, type FaceArea, faceArea } from './regions.js';
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
export type { FaceSkip, FaceSkipKind, KeywordField, NormalizedArea, SidecarFace, SidecarInput } from './types.js';
export {
  assertSidecarPath,
  type FaceSelection,
  resolveSidecars,
  type SidecarSkip,
  type SidecarSkipKind,
  type SidecarTargets,
  SidecarWriteError,
  selectFaces,
  sidecarPaths,
  type WritePolicy,
  type WriteSidecarsOptions,
  type WriteSidecarsResult,
  writeSidecars,
} from './write.js';
export { XmpParseError } from './xmp-document.js';
