import sharp from 'sharp';
import type { RasterImage } from './chip.js';

/** Encode a chip (raw interleaved 8-bit grey or RGB) as a PNG. */
export async function encodeChipPng(chip: RasterImage): Promise<Buffer> {
  const { width, height, channels, pixels } = chip;
  if (pixels.length !== width * height * channels) {
    throw new RangeError(
      `encodeChipPng: pixel buffer holds ${pixels.length} bytes, expected ${width * height * channels}`,
    );
  }
  const raw = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  const image = sharp(raw, { raw: { width, height, channels } });
  // Without an explicit colourspace sharp widens one-band raw input to an RGB PNG.
  return (channels === 1 ? image.toColourspace('b-w') : image).png().toBuffer();
}

/** Decode a stored grey chip PNG back to raw 8-bit pixels (one channel). */
export async function decodeChipPng(png: Uint8Array): Promise<RasterImage> {
  const { data, info } = await sharp(png, { failOn: 'error' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`chip PNG decoded to ${info.channels} channels, expected 1`);
  return {
    width: info.width,
    height: info.height,
    channels: 1,
    pixels: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}
