/**
 * A photo's thumbnail for the page's grid (`GET /api/photos/:id/thumb`): oriented, scaled down,
 * JPEG. It decodes through vision/decode.ts like every other picture (HEIC, the pixel cap, EXIF
 * orientation), asking for the thumb's size so JPEG shrink-on-load does most of the work.
 */
import { decodeImage } from '../vision/decode.js';
import { encodeJpeg } from '../vision/encode.js';

/**
 * Longest side and JPEG quality. 320 px is twice a 160-CSS-px grid cell (sharp on a 2x screen).
 * Measured on the 117 photos of ../shared/data/detection: 14 KB per thumb at quality 75 (q70 13 KB,
 * q80 16 KB; 240 px 9 KB, 400 px 19 KB), so a first page of 100 is ~1.4 MB. Rendering takes 24 ms
 * for a 12 MP JPEG (libjpeg shrink-on-load does most of it), 13 ms for 360x480, 5 ms for 150x150.
 */
export const PHOTO_THUMB_MAX_SIDE = 320;
export const PHOTO_THUMB_QUALITY = 75;

/** What a thumb's bytes depend on besides the photo's: part of the cache key and the ETag. */
export const PHOTO_THUMB_VARIANT = `${PHOTO_THUMB_MAX_SIDE}q${PHOTO_THUMB_QUALITY}`;

/** Throws DecodeError when the file cannot be decoded. */
export async function renderPhotoThumb(file: string, maxPixels: number): Promise<Buffer> {
  const image = await decodeImage(file, { maxPixels, maxSide: PHOTO_THUMB_MAX_SIDE });
  return encodeJpeg(image, PHOTO_THUMB_QUALITY);
}
