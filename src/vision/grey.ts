/**
 * skimage's `rgb2gray` on uint8 RGB: values scaled by 1/255 (img_as_float), then
 * 0.2125 R + 0.7154 G + 0.0721 B in float64, summed left to right. Gamma-encoded values,
 * no linearisation: that is what the cascade was run on in the seed.
 */
const INV = 1 / 255;
const LUT_R = new Float64Array(256);
const LUT_G = new Float64Array(256);
const LUT_B = new Float64Array(256);
for (let v = 0; v < 256; v++) {
  LUT_R[v] = v * INV * 0.2125;
  LUT_G[v] = v * INV * 0.7154;
  LUT_B[v] = v * INV * 0.0721;
}

/**
 * Grey in [0, 1] from interleaved 8-bit pixels with 1 or 3 channels. One channel is treated
 * as skimage's `gray2rgb` followed by `rgb2gray`, so grey JPEGs give the seed's values.
 */
export function rgbToGrey(pixels: Uint8Array, channels: 1 | 3, out?: Float64Array): Float64Array {
  const n = pixels.length / channels;
  const grey = out && out.length >= n ? out : new Float64Array(n);
  if (channels === 3) {
    for (let i = 0, j = 0; i < n; i++, j += 3)
      grey[i] = LUT_R[pixels[j]!]! + LUT_G[pixels[j + 1]!]! + LUT_B[pixels[j + 2]!]!;
  } else {
    for (let i = 0; i < n; i++) {
      const v = pixels[i]!;
      grey[i] = LUT_R[v]! + LUT_G[v]! + LUT_B[v]!;
    }
  }
  return grey;
}

/**
 * Whole grey levels, round(255 * rgb2gray), in place, as OpenCV's grey conversion gives. The
 * production scan sums them exactly in int32, so the cascade's `>=` ties are real ties.
 */
export function greyLevels(grey: Float64Array): Float64Array {
  for (let i = 0; i < grey.length; i++) grey[i] = Math.round(grey[i]! * 255);
  return grey;
}
