/**
 * The annotated photo for `GET /api/photos/:id/annotated`: the photo, oriented and scaled down,
 * with each face's box and name drawn (src/vision/annotate.ts), as a JPEG in memory.
 *
 * It decodes through vision/decode.ts rather than handing the file to sharp as
 * vision/annotate-file.ts does, so HEIC photos (which prebuilt sharp cannot decode) work too
 * and the pixel cap applies; sharp is then only used to composite and encode.
 */
import type { FaceRow } from '../store/faces.js';
import { type Annotation, annotationSvg } from '../vision/annotate.js';
import { decodeImage } from '../vision/decode.js';
import { encodeJpeg } from '../vision/encode.js';
import { scaleRect } from '../vision/geometry.js';

/** Longest side served: plenty for a screen, and bounds the work per request. */
export const ANNOTATED_MAX_SIDE = 2048;

/** What is drawn for a face, by its label; not_a_face marks are not drawn. */
export function faceAnnotation(face: FaceRow, scale: number): Annotation | undefined {
  // A face row carries its rotated box's fields, so it is a RotatedRect as it stands.
  const rect = scaleRect(face, scale);
  switch (face.label_state) {
    case 'confirmed':
      return { rect, label: face.person ?? '', known: true };
    case 'rejected':
      return { rect, label: `not ${face.person ?? ''}`, known: false };
    case 'not_a_face':
      return undefined;
    case 'ignored':
      return { rect, label: 'ignored', known: false };
    case 'auto':
      return face.predicted_person === null
        ? { rect, label: 'unknown', known: false }
        : {
            rect,
            label: `${face.predicted_person}?`,
            ...(face.decision_value === null ? {} : { score: face.decision_value }),
            known: true,
          };
  }
}

/** Grey photos are widened to RGB so the coloured overlay keeps its colours. */
function rgbOf(pixels: Uint8Array, channels: 1 | 3): Buffer {
  if (channels === 3) return Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  const out = Buffer.allocUnsafe(pixels.length * 3);
  for (let i = 0; i < pixels.length; i++) out.fill(pixels[i]!, i * 3, i * 3 + 3);
  return out;
}

/** Throws DecodeError when the file cannot be decoded. */
export async function renderAnnotated(file: string, faces: readonly FaceRow[], maxPixels: number): Promise<Buffer> {
  const image = await decodeImage(file, { maxPixels, maxSide: ANNOTATED_MAX_SIDE });
  // Boxes are stored in the full-resolution oriented frame; the pixels may be smaller.
  const scale = image.width / image.fullWidth;
  const annotations = faces.flatMap((f) => faceAnnotation(f, scale) ?? []);
  const svg = annotationSvg(image.width, image.height, annotations);
  const rgb = {
    width: image.width,
    height: image.height,
    channels: 3 as const,
    pixels: rgbOf(image.pixels, image.channels),
  };
  return encodeJpeg(rgb, 85, svg);
}
