/**
 * Area-average downscaling of an 8-bit raster (1 or 3 channels). The SSD looks at a 512×512
 * input whatever it is given, so shrinking photos to that first costs nothing in what it sees,
 * and keeps the tensors (and so the wasm memory of every worker) small. Pure.
 */
import type { RasterImage } from '../vision/chip.js';

/** Source spans and weights of each output sample along one axis (area coverage). */
function spans(src: number, dst: number): { start: number; weights: Float64Array }[] {
  const r = src / dst;
  const out: { start: number; weights: Float64Array }[] = [];
  for (let i = 0; i < dst; i++) {
    const a = i * r;
    const b = Math.min(src, (i + 1) * r);
    const start = Math.floor(a);
    const end = Math.min(src, Math.ceil(b));
    const weights = new Float64Array(end - start);
    for (let k = start; k < end; k++) weights[k - start] = (Math.min(b, k + 1) - Math.max(a, k)) / r;
    out.push({ start, weights });
  }
  return out;
}

/** Shrink so the longest side is at most `maxSide`; returns the image itself when already small. */
export function shrinkRaster(src: RasterImage, maxSide: number): { image: RasterImage; scale: number } {
  const longest = Math.max(src.width, src.height);
  if (longest <= maxSide) return { image: src, scale: 1 };
  const scale = maxSide / longest;
  const width = Math.max(1, Math.round(src.width * scale));
  const height = Math.max(1, Math.round(src.height * scale));
  const ch = src.channels;
  const xs = spans(src.width, width);
  const ys = spans(src.height, height);
  // Rows first into a float buffer, then columns.
  const tmp = new Float64Array(width * src.height * ch);
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < width; x++) {
      const { start, weights } = xs[x] as (typeof xs)[number];
      for (let c = 0; c < ch; c++) {
        let v = 0;
        for (let k = 0; k < weights.length; k++)
          v += (weights[k] ?? 0) * (src.pixels[(y * src.width + start + k) * ch + c] ?? 0);
        tmp[(y * width + x) * ch + c] = v;
      }
    }
  }
  const pixels = new Uint8Array(width * height * ch);
  for (let y = 0; y < height; y++) {
    const { start, weights } = ys[y] as (typeof ys)[number];
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < ch; c++) {
        let v = 0;
        for (let k = 0; k < weights.length; k++)
          v += (weights[k] ?? 0) * (tmp[((start + k) * width + x) * ch + c] ?? 0);
        pixels[(y * width + x) * ch + c] = Math.min(255, Math.round(v));
      }
    }
  }
  // The scale actually applied (rounding), as one factor so rotated rects stay rects.
  return { image: { width, height, channels: ch, pixels }, scale: width / src.width };
}
