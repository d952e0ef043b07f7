/**
 * Zero-padded summed-area tables: P[(r+1)*(W+1) + (c+1)] = sum of grey[0..r, 0..c].
 * The extra zero row and column make every block sum four loads with no branches.
 */
export interface Integral {
  readonly width: number; // of the source image
  readonly height: number;
  readonly stride: number; // width + 1
  readonly data: Float64Array;
  /** True when values were cast to float32 as skimage does (parity mode). */
  readonly float32: boolean;
}

/**
 * Integral of a grey image. With `float32`, the float64 cumulative sums are cast to float32,
 * exactly as skimage's `integral_image(...).astype(float32)`; otherwise they stay float64.
 * `out` lets a caller reuse one buffer across angles.
 */
export function integralImage(
  grey: Float64Array | Float32Array,
  width: number,
  height: number,
  float32: boolean,
  out?: Float64Array,
): Integral {
  const stride = width + 1;
  const size = stride * (height + 1);
  const data = out && out.length >= size ? out : new Float64Array(size);
  data.fill(0, 0, stride);
  // skimage sums along rows first (axis 0), then along columns; in float64 both orders
  // give identical results only up to rounding, so keep skimage's order.
  const colSum = new Float64Array(width);
  for (let r = 0; r < height; r++) {
    const src = r * width;
    const dst = (r + 1) * stride;
    data[dst] = 0;
    let acc = 0;
    for (let c = 0; c < width; c++) {
      const v = colSum[c] + grey[src + c];
      colSum[c] = v;
      acc += v;
      data[dst + c + 1] = float32 ? Math.fround(acc) : acc;
    }
  }
  return { width, height, stride, data, float32 };
}
