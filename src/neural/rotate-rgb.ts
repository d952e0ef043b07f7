/**
 * The neural detector's view of a photo at one sweep angle: the image turned counter-clockwise
 * onto an expanded canvas, as 3-channel RGB (the SSD's input). Same frame and pixel convention
 * as the cascade's grey rotation (`vision/rotate.ts`), so hits map back with `canvasToSource`.
 * Quarter turns are exact index transforms. Pure.
 */

import { type RotationFrame, rotationFrame } from '../core/rotation.js';
import type { RasterImage } from '../vision/chip.js';
import type { AxisBox } from '../vision/geometry.js';

export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** Interleaved RGB, 8-bit. */
  readonly pixels: Uint8Array;
}

/**
 * Turn `src` (1 or 3 channels) counter-clockwise by `angle` degrees; outside the photo is black.
 * `buffer`, when large enough, holds the result (a view of it is returned), so a sweep can reuse
 * one canvas instead of allocating one per angle.
 */
export function rotateRgb(
  src: RasterImage,
  angle: number,
  buffer?: Uint8Array,
): { image: RgbImage; frame: RotationFrame } {
  const frame = rotationFrame(src.width, src.height, angle);
  const size = frame.width * frame.height * 3;
  const out = buffer && buffer.length >= size ? buffer.subarray(0, size).fill(0) : new Uint8Array(size);
  return { image: turn(src, frame, { x: 0, y: 0, width: frame.width, height: frame.height }, out), frame };
}

/** A window of the canvas turned by `angle`, computed alone: exactly that crop of rotateRgb's canvas. */
export function rotateRgbWindow(
  src: RasterImage,
  angle: number,
  window: AxisBox,
): { image: RgbImage; frame: RotationFrame } {
  const frame = rotationFrame(src.width, src.height, angle);
  return { image: turn(src, frame, window, new Uint8Array(window.width * window.height * 3)), frame };
}

/** The `window` of `src` turned onto `frame`'s canvas, into `out` (zeroed, window-sized). */
function turn(src: RasterImage, frame: RotationFrame, window: AxisBox, out: Uint8Array): RgbImage {
  const { width, height, cos, sin } = frame;
  const sw = src.width;
  const sh = src.height;
  const ch = src.channels;
  const s = src.pixels;
  const quarter = cos * sin === 0;
  const sample = (x: number, y: number, c: number) =>
    x >= 0 && y >= 0 && x < sw && y < sh ? (s[(y * sw + x) * ch + (ch === 3 ? c : 0)] ?? 0) : 0;
  for (let y = window.y; y < window.y + window.height; y++) {
    const dy = y + 0.5 - height / 2;
    const dx = window.x + 0.5 - width / 2;
    let sx = dx * cos - dy * sin + sw / 2 - 0.5;
    let sy = dx * sin + dy * cos + sh / 2 - 0.5;
    for (let x = window.x; x < window.x + window.width; x++, sx += cos, sy += sin) {
      const o = ((y - window.y) * window.width + x - window.x) * 3;
      if (quarter) {
        const i = (Math.round(sy) * sw + Math.round(sx)) * ch;
        for (let c = 0; c < 3; c++) out[o + c] = s[i + (ch === 3 ? c : 0)] ?? 0;
        continue;
      }
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < -1 || y0 < -1 || x0 >= sw || y0 >= sh) continue;
      const fx = sx - x0;
      const fy = sy - y0;
      for (let c = 0; c < 3; c++) {
        const a = sample(x0, y0, c);
        const b = sample(x0 + 1, y0, c);
        const d = sample(x0, y0 + 1, c);
        const e = sample(x0 + 1, y0 + 1, c);
        out[o + c] = Math.round((a + (b - a) * fx) * (1 - fy) + (d + (e - d) * fx) * fy);
      }
    }
  }
  return { width: window.width, height: window.height, pixels: out };
}

/** A 1- or 3-channel raster as RGB (grey replicated); the same array when already RGB. */
export function toRgb(src: RasterImage): RgbImage {
  if (src.channels === 3) return { width: src.width, height: src.height, pixels: src.pixels };
  const out = new Uint8Array(src.width * src.height * 3);
  for (let i = 0; i < src.width * src.height; i++) {
    const v = src.pixels[i] ?? 0;
    out[3 * i] = v;
    out[3 * i + 1] = v;
    out[3 * i + 2] = v;
  }
  return { width: src.width, height: src.height, pixels: out };
}

/** The margin of the second upright pass, as a share of the photo's longer side on every edge. */
export const UPRIGHT_MARGIN = 0.5;

/** `image` centred on a black canvas with `share` of its longer side added on every edge. Pure. */
export function withMargin(image: RgbImage, share: number): { image: RgbImage; pad: number } {
  const pad = Math.round(Math.max(image.width, image.height) * share);
  const width = image.width + 2 * pad;
  const height = image.height + 2 * pad;
  const pixels = new Uint8Array(width * height * 3);
  const row = image.width * 3;
  for (let y = 0; y < image.height; y++) {
    pixels.set(image.pixels.subarray(y * row, (y + 1) * row), ((y + pad) * width + pad) * 3);
  }
  return { image: { width, height, pixels }, pad };
}
