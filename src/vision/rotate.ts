/**
 * Rotation of the detection-scale grey image onto an expanded canvas, so no corner is lost
 * (the seed's fixed-shape warp cut them off). Quarter turns are exact index transforms;
 * other angles use bilinear sampling with black outside, as skimage's `warp` does.
 */
import { type RotationFrame, rotationFrame } from '../core/rotation.js';

export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly data: Float64Array;
}

/** Canvas point (continuous coordinates, y down) to source point. */
export function canvasToSource(f: RotationFrame, x: number, y: number): [number, number] {
  const dx = x - f.width / 2;
  const dy = y - f.height / 2;
  return [dx * f.cos - dy * f.sin + f.srcWidth / 2, dx * f.sin + dy * f.cos + f.srcHeight / 2];
}

/** Source point (continuous coordinates) to canvas point: canvasToSource undone. */
export function sourceToCanvas(f: RotationFrame, x: number, y: number): [number, number] {
  const dx = x - f.srcWidth / 2;
  const dy = y - f.srcHeight / 2;
  return [dx * f.cos + dy * f.sin + f.width / 2, -dx * f.sin + dy * f.cos + f.height / 2];
}

/**
 * Turn `src` counter-clockwise by `angle` degrees onto an expanded canvas. `out` may be a
 * reused buffer of at least width*height values. With `integer`, interpolated values are
 * rounded, so an image of whole grey levels stays one.
 */
export function rotateGrey(
  src: GreyImage,
  angle: number,
  out?: Float64Array,
  integer = false,
): { image: GreyImage; frame: RotationFrame } {
  const frame = rotationFrame(src.width, src.height, angle);
  const { width, height, cos, sin } = frame;
  const n = width * height;
  const data = out && out.length >= n ? out.subarray(0, n) : new Float64Array(n);
  const sw = src.width;
  const sh = src.height;
  const s = src.data;
  const quarter = cos * sin === 0;
  for (let y = 0; y < height; y++) {
    // Source position of the canvas pixel centre (x + 0.5, y + 0.5), then to index space (-0.5).
    const dy = y + 0.5 - height / 2;
    let sx = (0.5 - width / 2) * cos - dy * sin + sw / 2 - 0.5;
    let sy = (0.5 - width / 2) * sin + dy * cos + sh / 2 - 0.5;
    const row = y * width;
    for (let x = 0; x < width; x++, sx += cos, sy += sin) {
      if (quarter) {
        data[row + x] = s[Math.round(sy) * sw + Math.round(sx)]!;
        continue;
      }
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < -1 || y0 < -1 || x0 >= sw || y0 >= sh) {
        data[row + x] = 0;
        continue;
      }
      const fx = sx - x0;
      const fy = sy - y0;
      const i = y0 * sw + x0;
      const inX0 = x0 >= 0;
      const inX1 = x0 + 1 < sw;
      const inY0 = y0 >= 0;
      const inY1 = y0 + 1 < sh;
      const a = inY0 && inX0 ? s[i]! : 0;
      const b = inY0 && inX1 ? s[i + 1]! : 0;
      const c = inY1 && inX0 ? s[i + sw]! : 0;
      const d = inY1 && inX1 ? s[i + sw + 1]! : 0;
      const v = (a + (b - a) * fx) * (1 - fy) + (c + (d - c) * fx) * fy;
      data[row + x] = integer ? Math.round(v) : v;
    }
  }
  return { image: { width, height, data }, frame };
}
