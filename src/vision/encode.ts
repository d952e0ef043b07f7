/**
 * Writing images: with vision/decode.ts, the only module that uses sharp (issue 16 §5). Raw pixels
 * to PNG or JPEG (optionally under an SVG overlay), a file annotated in its displayed orientation,
 * and a file turned by any angle (the evaluations' rotated samples).
 */
import sharp, { type Sharp } from 'sharp';
import type { RasterImage } from './chip.js';

function rawOf(image: RasterImage): Sharp {
  const { width, height, channels, pixels } = image;
  if (pixels.length !== width * height * channels) {
    throw new RangeError(`pixel buffer holds ${pixels.length} bytes, expected ${width * height * channels}`);
  }
  const raw = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  return sharp(raw, { raw: { width, height, channels } });
}

/** Grey or RGB pixels as a PNG of the same channels. */
export function encodePng(image: RasterImage): Promise<Buffer> {
  const s = rawOf(image);
  // Without an explicit colourspace sharp widens one-band raw input to an RGB PNG.
  return (image.channels === 1 ? s.toColourspace('b-w') : s).png().toBuffer();
}

/** Pixels as a baseline JPEG without metadata; an `overlay` SVG of the same size is drawn on top. */
export function encodeJpeg(image: RasterImage, quality: number, overlay?: string): Promise<Buffer> {
  const s = rawOf(image);
  const drawn =
    overlay === undefined ? s : s.composite([{ input: Buffer.from(overlay), top: 0, left: 0 }]).removeAlpha();
  return drawn.jpeg({ quality, mozjpeg: false }).toBuffer();
}

/**
 * The file `input` in its displayed orientation with the SVG `overlayFor(width, height)` drawn on
 * top, encoded as JPEG (quality 90) or PNG. An opaque photo stays opaque.
 */
export async function annotateFile(
  input: string,
  format: 'jpeg' | 'png',
  overlayFor: (width: number, height: number) => string,
): Promise<Buffer> {
  const meta = await sharp(input).metadata();
  const { width, height } = meta.autoOrient;
  let pipeline = sharp(input)
    .autoOrient()
    .composite([{ input: Buffer.from(overlayFor(width, height)), top: 0, left: 0 }]);
  // The overlay is RGBA; keep an opaque photo opaque rather than gaining an alpha band.
  if (!meta.hasAlpha) pipeline = pipeline.removeAlpha();
  return (format === 'jpeg' ? pipeline.jpeg({ quality: 90 }) : pipeline.png()).toBuffer();
}

/**
 * The file `input`, oriented, turned clockwise by `angle` (the canvas grows, black outside),
 * written to `output` as PNG. Returns the sizes before and after the turn.
 */
export async function writeTurnedPng(
  input: string,
  output: string,
  angle: number,
): Promise<{ readonly before: { width: number; height: number }; readonly after: { width: number; height: number } }> {
  const upright = await sharp(input, { failOn: 'truncated' }).autoOrient().png().toBuffer({ resolveWithObject: true });
  const info = await sharp(upright.data).rotate(angle, { background: '#000000' }).png().toFile(output);
  return {
    before: { width: upright.info.width, height: upright.info.height },
    after: { width: info.width, height: info.height },
  };
}
