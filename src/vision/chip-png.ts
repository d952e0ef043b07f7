/** Stored chips as PNG: grey or RGB pixels in, the same back (encoding in encode.ts, decoding in decode.ts). */
import type { RasterImage } from './chip.js';
import { decodeGreyPng } from './decode.js';
import { encodePng } from './encode.js';

/** Encode a chip (raw interleaved 8-bit grey or RGB) as a PNG. */
export function encodeChipPng(chip: RasterImage): Promise<Buffer> {
  return encodePng(chip);
}

/** Decode a stored grey chip PNG back to raw 8-bit pixels (one channel). */
export async function decodeChipPng(png: Uint8Array): Promise<RasterImage> {
  return { ...(await decodeGreyPng(png)), channels: 1 };
}
