import { boundingBox } from '../vision/geometry.js';
import type { SidecarFace } from './input.js';
import { displayedSize, displayedToStored, type NormalizedArea } from './orientation.js';

/** One face's region as written: MWG centre-based area and the MP top-left rectangle, same numbers. */
export interface FaceArea {
  /** MWG `stArea` x, y (centre), w, h: fractions of the stored raster. */
  readonly mwg: NormalizedArea;
  /** MP `Rectangle` x, y (top-left), w, h: the same box. */
  readonly mp: NormalizedArea;
}

/**
 * The stored-frame region of a face. The rotated rect's axis-aligned bounding box is clipped to
 * the displayed image and snapped to whole pixels, then turned into the stored frame. Whole pixels
 * because digiKam stores faces as integer rectangles and only collapses an MWG and an MP copy of a
 * face into one when they round to the same pixels (spec §1.4 and §8): both come from this box.
 *
 * Returns undefined when nothing of the face lies inside the image.
 */
export function faceArea(
  face: Pick<SidecarFace, 'rect'>,
  imageWidth: number,
  imageHeight: number,
  orientation: number,
): FaceArea | undefined {
  const shown = displayedSize(imageWidth, imageHeight, orientation);
  const box = boundingBox(face.rect);
  const left = clamp(Math.round(box.x), 0, shown.width);
  const top = clamp(Math.round(box.y), 0, shown.height);
  const right = clamp(Math.round(box.x + box.width), 0, shown.width);
  const bottom = clamp(Math.round(box.y + box.height), 0, shown.height);
  if (right <= left || bottom <= top) return undefined;
  const displayed: NormalizedArea = {
    x: (left + right) / 2 / shown.width,
    y: (top + bottom) / 2 / shown.height,
    w: (right - left) / shown.width,
    h: (bottom - top) / shown.height,
  };
  const mwg = displayedToStored(orientation, displayed);
  return { mwg, mp: { x: mwg.x - mwg.w / 2, y: mwg.y - mwg.h / 2, w: mwg.w, h: mwg.h } };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/**
 * An XMP real: fixed-point, at most 10 decimals, no exponent (not every reader parses `1e-7`),
 * no trailing zeros. 10 decimals keep a 1,000,000 px side exact to 1e-4 px.
 */
export function formatReal(v: number): string {
  const s = (Math.abs(v) < 5e-11 ? 0 : v).toFixed(10);
  return s.replace(/\.?0+$/, '');
}
