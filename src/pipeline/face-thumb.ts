/**
 * The colour picture of a face that people look at (issue 14): the stored chip's crop (upright,
 * margin STORED_PADDING), in colour, as a JPEG. The grey PNG chip stays what models read; this one
 * is only shown. Both are cut from the same decoded image, so they show the same region.
 */
import { STORED_PADDING } from '../recognize/stored-chip.js';
import { cutChip, type RasterImage } from '../vision/chip.js';
import { encodeJpeg } from '../vision/encode.js';
import type { RotatedRect } from '../vision/geometry.js';

/**
 * Longest side and JPEG quality. 128 px is the grey chip's own bound (STORED_MAX_SIDE), twice the
 * 64 CSS px the page shows a face at (sharp on a 2x screen). Measured on ../shared/data/library
 * (478 faces in 549 photos): 2.6 KB per face at quality 80 (q70 2.1 KB, q90 3.5 KB; 96 px q80
 * 2.3 KB), against 9.3 KB for the grey PNG chip beside it; 296 faces of the detection set: 2.0 KB.
 */
export const FACE_THUMB_MAX_SIDE = 128;
export const FACE_THUMB_QUALITY = 80;

/** The thumb's size for a face box: the padded box, scaled down (never up) to the longest side. Pure. */
export function faceThumbSize(
  rect: Pick<RotatedRect, 'width' | 'height'>,
  maxSide = FACE_THUMB_MAX_SIDE,
): { width: number; height: number } {
  const grow = 1 + 2 * STORED_PADDING;
  const scale = Math.min(1, maxSide / (Math.max(rect.width, rect.height) * grow));
  return {
    width: Math.max(1, Math.round(rect.width * grow * scale)),
    height: Math.max(1, Math.round(rect.height * grow * scale)),
  };
}

/** The face's pixels, upright, in the image's own channels (RGB for colour photos). `rect` is in `image`'s frame. */
export function faceThumbPixels(image: RasterImage, rect: RotatedRect): RasterImage {
  const { width, height } = faceThumbSize(rect);
  return cutChip(image, rect, { padding: STORED_PADDING, outWidth: width, outHeight: height });
}

/** Encode a face's pixels as the stored thumb (baseline JPEG, no metadata). */
export function encodeFaceThumb(pixels: RasterImage): Promise<Buffer> {
  return encodeJpeg(pixels, FACE_THUMB_QUALITY);
}

/** The stored thumb of a face: `rect` in the frame of `image` (the decode detection cut its chip from). */
export function faceThumb(image: RasterImage, rect: RotatedRect): Promise<Buffer> {
  return encodeFaceThumb(faceThumbPixels(image, rect));
}
