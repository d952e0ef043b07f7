/**
 * The SSD's input, as face-api builds it with tf ops: the RGB canvas padded with black on the
 * right and bottom to a square, scaled bilinearly to `side` (tf.image.resizeBilinear without
 * aligned corners or half-pixel centres), then mapped to -1..1. Built here in one pass so every
 * canvas, whatever its size, reaches the net as the same single 512×512 input (on tfjs-wasm, tf
 * ops left a different pattern of temporaries for each canvas size, and the heap kept growing). Pure.
 */
import type { RgbImage } from './rotate-rgb.js';

/** Writes the input into `out` (length side × side × 3) and returns it. */
export function ssdInput(image: RgbImage, side: number, out = new Float32Array(side * side * 3)): Float32Array {
  writeSsdCell(image, out, side, { x: 0, y: 0, side });
  return out;
}

/**
 * Draws `image` as above into the `cell.side` square at (`cell.x`, `cell.y`) of an input
 * `stride` pixels wide: the whole input for one canvas, or one cell of a mosaic (ssd-mosaic.ts).
 */
export function writeSsdCell(
  image: RgbImage,
  out: Float32Array,
  stride: number,
  cell: { readonly x: number; readonly y: number; readonly side: number },
): void {
  drawSquare(image, out, stride, cell, { left: 0, top: 0, divide: 127.5, subtract: 1 });
}

/**
 * `image` placed at (`left`, `top`) in a black square of its larger side, scaled bilinearly to
 * `cell.side` as tf.image.resizeBilinear does (no aligned corners, no half-pixel centres), each
 * value written as value / `divide` − `subtract`. The SSD's input, and the landmark and
 * recognition nets' (centred-square.ts).
 */
export function drawSquare(
  image: RgbImage,
  out: Float32Array,
  stride: number,
  cell: { readonly x: number; readonly y: number; readonly side: number },
  place: { readonly left: number; readonly top: number; readonly divide: number; readonly subtract: number },
): void {
  const { width, height, pixels } = image;
  const { side } = cell;
  const { left, top, divide, subtract } = place;
  const square = Math.max(width, height);
  const scale = square / side;
  const at = (x: number, y: number, c: number) => {
    const px = x - left;
    const py = y - top;
    return px >= 0 && py >= 0 && px < width && py < height ? (pixels[(py * width + px) * 3 + c] ?? 0) : 0;
  };
  for (let r = 0; r < side; r++) {
    const fy = r * scale;
    const y0 = Math.floor(fy);
    const y1 = Math.min(square - 1, Math.ceil(fy));
    const dy = fy - y0;
    for (let col = 0; col < side; col++) {
      const fx = col * scale;
      const x0 = Math.floor(fx);
      const x1 = Math.min(square - 1, Math.ceil(fx));
      const dx = fx - x0;
      const o = ((cell.y + r) * stride + cell.x + col) * 3;
      for (let c = 0; c < 3; c++) {
        const upper = at(x0, y0, c) + (at(x1, y0, c) - at(x0, y0, c)) * dx;
        const lower = at(x0, y1, c) + (at(x1, y1, c) - at(x0, y1, c)) * dx;
        out[o + c] = (upper + (lower - upper) * dy) / divide - subtract;
      }
    }
  }
}
