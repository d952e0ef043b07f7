/**
 * The landmark and recognition nets' input, as face-api's toBatchTensor builds it with tf ops: the
 * face padded with black to a square, centred (the odd pixel before), then scaled bilinearly to
 * `side`, as 0..255 (ssd-input.ts drawSquare). Pure.
 */
import type { RgbImage } from './rotate-rgb.js';
import { drawSquare } from './ssd-input.js';

/** Writes face `index`'s input into `out` (side × side × 3 per face) and returns `out`. */
export function centredSquare(image: RgbImage, side: number, out: Float32Array, index = 0): Float32Array {
  const { width, height } = image;
  const diff = Math.abs(width - height);
  // face-api appends round(diff / 2) and prepends the rest.
  const before = diff - Math.round(diff / 2);
  drawSquare(
    image,
    out.subarray(index * side * side * 3),
    side,
    { x: 0, y: 0, side },
    {
      left: width < height ? before : 0,
      top: height < width ? before : 0,
      divide: 1,
      subtract: 0,
    },
  );
  return out;
}

/** Several faces' inputs in one batch (faces × side × side × 3). */
export function centredSquares(faces: readonly RgbImage[], side: number): Float32Array {
  const out = new Float32Array(faces.length * side * side * 3);
  for (const [i, f] of faces.entries()) centredSquare(f, side, out, i);
  return out;
}
