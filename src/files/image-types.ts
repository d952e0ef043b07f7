import { extname } from 'node:path';

/**
 * The photo formats facetag decodes. Kept apart from vision/decode.ts so that walking and
 * watching folders does not load sharp (~25 MB of RSS) just for an extension list.
 */
const SUPPORTED_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.heic', '.heif']);

/** Whether a directory walker should hand this path to decodeImage (by extension, any case). */
export function isSupportedImagePath(path: string): boolean {
  return SUPPORTED_EXTENSIONS.has(extname(path).toLowerCase());
}
