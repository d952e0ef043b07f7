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
  // Each source row is shrunk across, then added into the output rows it covers. Rows are
  // kept one at a time (a photo-sized float buffer here was ~15 MB per photo), and the sums run
  // in the same order as a full two-pass shrink.
  const rowLength = width * ch;
  const across = (y: number, into: Float64Array) => {
    for (let x = 0; x < width; x++) {
      const { start, weights } = xs[x] as (typeof xs)[number];
      for (let c = 0; c < ch; c++) {
        let v = 0;
        for (let k = 0; k < weights.length; k++)
          v += (weights[k] ?? 0) * (src.pixels[(y * src.width + start + k) * ch + c] ?? 0);
        into[x * ch + c] = v;
      }
    }
  };
  // A source row on a boundary feeds two output rows; it is shrunk once.
  let row = new Float64Array(rowLength);
  let kept = new Float64Array(rowLength);
  let keptRow = -1;
  const acc = new Float64Array(rowLength);
  const pixels = new Uint8Array(width * height * ch);
  for (let y = 0; y < height; y++) {
    const { start, weights } = ys[y] as (typeof ys)[number];
    acc.fill(0);
    for (let k = 0; k < weights.length; k++) {
      const sy = start + k;
      if (sy !== keptRow) {
        across(sy, row);
        [row, kept] = [kept, row];
        keptRow = sy;
      }
      const w = weights[k] ?? 0;
      for (let i = 0; i < rowLength; i++) acc[i] = (acc[i] ?? 0) + w * (kept[i] ?? 0);
    }
    for (let i = 0; i < rowLength; i++) pixels[y * rowLength + i] = Math.min(255, Math.round(acc[i] ?? 0));
  }
  // The scale actually applied (rounding), as one factor so rotated rects stay rects.
  return { image: { width, height, channels: ch, pixels }, scale: width / src.width };
}
