/**
 * Zero-padded summed-area tables: P[(r+1)*(W+1) + (c+1)] = sum of grey[0..r, 0..c].
 * The extra zero row and column make every block sum four loads with no branches.
 *
 * Two kinds:
 * - `float32`: skimage's table (float64 cumulative sums down the columns, then along the rows,
 *   cast to float32), for parity mode;
 * - `exact`: whole grey levels summed in int32. Values wrap past 2^31 on big canvases, but
 *   a block sum is a difference of four of them, which wrapping int32 arithmetic gets exactly
 *   right as long as the block itself sums below 2^31 (any block under 8 megapixels).
 */
export type Integral =
  | {
      readonly kind: 'float32';
      readonly width: number;
      readonly height: number;
      readonly stride: number;
      readonly data: Float64Array;
    }
  | {
      readonly kind: 'exact';
      readonly width: number;
      readonly height: number;
      readonly stride: number;
      readonly data: Int32Array;
    };

/** skimage's integral image: float64 cumsum over axis 0, then axis 1, cast to float32. */
export function float32Integral(grey: Float64Array, width: number, height: number, out?: Float64Array): Integral {
  const stride = width + 1;
  const size = stride * (height + 1);
  const data = out && out.length >= size ? out : new Float64Array(size);
  data.fill(0, 0, stride);
  const colSum = new Float64Array(width);
  for (let r = 0; r < height; r++) {
    const src = r * width;
    const dst = (r + 1) * stride;
    data[dst] = 0;
    let acc = 0;
    for (let c = 0; c < width; c++) {
      const v = colSum[c]! + grey[src + c]!;
      colSum[c] = v;
      acc += v;
      data[dst + c + 1] = Math.fround(acc);
    }
  }
  return { kind: 'float32', width, height, stride, data };
}

/** Exact integral of whole grey levels (0..255), in wrapping int32 arithmetic. */
export function exactIntegral(grey: Float64Array, width: number, height: number, out?: Int32Array): Integral {
  const stride = width + 1;
  const size = stride * (height + 1);
  const data = out && out.length >= size ? out : new Int32Array(size);
  data.fill(0, 0, stride);
  for (let r = 0; r < height; r++) {
    const src = r * width;
    const dst = (r + 1) * stride;
    data[dst] = 0;
    let acc = 0;
    for (let c = 0; c < width; c++) {
      acc = (acc + grey[src + c]!) | 0;
      data[dst + c + 1] = (data[dst - stride + c + 1]! + acc) | 0;
    }
  }
  return { kind: 'exact', width, height, stride, data };
}
