/**
 * XMP sidecars: where gallery software reads facetag's faces (spec: ../shared/specs/gallery-interop.md).
 * What the rest of facetag uses of them: the xmp plugin writes, `facetag status` reads the summary.
 */

export { SidecarInputError } from './plan.js';
export {
  type OpenNotice,
  readSidecarSummary,
  SidecarReport,
  type SidecarSummary,
  sidecarNotices,
} from './report.js';
export type { FaceSkip, SidecarFace } from './types.js';
export { SidecarWriteError, type WriteSidecarsResult, writeSidecars } from './write.js';
