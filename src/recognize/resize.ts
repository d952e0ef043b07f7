/**
 * scikit-image 0.19 `transform.resize(img, (outH, outW))` with its defaults, for a 2-D float64
 * grey image, using scipy 1.10's exact operation order:
 * 1. if any axis shrinks, `ndimage.gaussian_filter` with sigma = max(0, (in/out - 1) / 2) per
 *    axis, rows first, mode 'mirror' (d c b | a b c d | c b a), truncate 4;
 * 2. `ndimage.zoom(order=1, mode='mirror', grid_mode=True)`: bilinear with half-pixel centres,
 *    sampling at (k + 0.5) * in/out - 0.5. scipy keeps 'mirror' here; it does not switch to
 *    'reflect' for grid_mode (checked: zoom([0, 1, 5, 3], 2) starts with 0.25, not 0);
 * 3. clip to the input's [min, max].
 */

function checkSize(what: string, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`resize: ${what} size must be positive integers, got ${width}x${height}`);
  }
}

/** Index into a line of `len` under scipy's 'mirror' extension, any distance out. */
function mirror(i: number, len: number): number {
  if (len === 1) return 0;
  const period = 2 * len - 2;
  let m = i % period;
  if (m < 0) m += period;
  return m < len ? m : period - m;
}

/** NumPy's sum of a short float64 run (pairwise with 8 accumulators), for the kernel's norm. */
function numpySum(a: Float64Array): number {
  const n = a.length;
  if (n < 8) {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i]!;
    return s;
  }
  if (n > 128) {
    let half = Math.floor(n / 2);
    half -= half % 8;
    return numpySum(a.subarray(0, half)) + numpySum(a.subarray(half));
  }
  const r = a.slice(0, 8);
  let i = 8;
  for (const end = n - (n % 8); i < end; i += 8) for (let j = 0; j < 8; j++) r[j]! += a[i + j]!;
  let s = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
  for (; i < n; i++) s += a[i]!;
  return s;
}

/** scipy's `_gaussian_kernel1d(sigma, 0, radius)`; null when the filter is the identity. */
function gaussianKernel(sigma: number): Float64Array | null {
  if (!(sigma > 1e-15)) return null; // gaussian_filter skips such axes
  const radius = Math.trunc(4 * sigma + 0.5);
  if (radius === 0) return null; // the kernel is [1]: x * 1 = x
  const k = -0.5 / (sigma * sigma);
  const w = new Float64Array(2 * radius + 1);
  for (let i = 0; i < w.length; i++) {
    const x = i - radius;
    w[i] = Math.exp(k * (x * x));
  }
  const sum = numpySum(w);
  for (let i = 0; i < w.length; i++) w[i]! /= sum;
  return w;
}

// scipy's correlate1d with a symmetric kernel w (radius r) computes, per output value,
// x[0]*w[r], then adds (x[-j] + x[+j]) * w[r - j] for j = r down to 1. Both passes keep that order.

/** Along rows (axis 1). In place is fine: each row is copied out before it is written. */
function filterHorizontal(src: Float64Array, dst: Float64Array, width: number, height: number, w: Float64Array): void {
  const radius = (w.length - 1) / 2;
  const buf = new Float64Array(width + 2 * radius);
  for (let r = 0; r < height; r++) {
    const row = r * width;
    buf.set(src.subarray(row, row + width), radius);
    for (let i = 1; i <= radius; i++) {
      buf[radius - i] = src[row + mirror(-i, width)]!;
      buf[radius + width - 1 + i] = src[row + mirror(width - 1 + i, width)]!;
    }
    for (let i = 0; i < width; i++) {
      const c = i + radius;
      let acc = buf[c]! * w[radius]!;
      for (let j = radius; j > 0; j--) acc += (buf[c - j]! + buf[c + j]!) * w[radius - j]!;
      dst[row + i] = acc;
    }
  }
}

/** Down columns (axis 0), walking rows so memory is read in order. `dst` must not be `src`. */
function filterVertical(src: Float64Array, dst: Float64Array, width: number, height: number, w: Float64Array): void {
  const radius = (w.length - 1) / 2;
  for (let r = 0; r < height; r++) {
    const out = r * width;
    const mid = w[radius]!;
    for (let c = 0; c < width; c++) dst[out + c] = src[out + c]! * mid;
    for (let j = radius; j > 0; j--) {
      const above = mirror(r - j, height) * width;
      const below = mirror(r + j, height) * width;
      const wj = w[radius - j]!;
      for (let c = 0; c < width; c++) dst[out + c]! += (src[above + c]! + src[below + c]!) * wj;
    }
  }
}

/** Source taps and weights of each output index along one axis (scipy `NI_ZoomShift`, order 1). */
function zoomTaps(
  inLen: number,
  outLen: number,
): { i0: Int32Array; i1: Int32Array; w0: Float64Array; w1: Float64Array } {
  const zoom = inLen / outLen;
  const i0 = new Int32Array(outLen);
  const i1 = new Int32Array(outLen);
  const w0 = new Float64Array(outLen);
  const w1 = new Float64Array(outLen);
  for (let k = 0; k < outLen; k++) {
    let cc = (k + 0.5) * zoom - 0.5;
    // map_coordinate, mode mirror
    if (inLen <= 1) cc = 0;
    else if (cc < 0) {
      const period = 2 * inLen - 2;
      cc = period * Math.trunc(-cc / period) + cc;
      cc = cc <= 1 - inLen ? cc + period : -cc;
    } else if (cc > inLen - 1) {
      const period = 2 * inLen - 2;
      cc -= period * Math.trunc(cc / period);
      if (cc >= inLen) cc = period - cc;
    }
    const start = Math.floor(cc);
    i0[k] = mirror(start, inLen);
    i1[k] = mirror(start + 1, inLen);
    w0[k] = 1 - (cc - start); // get_spline_interpolation_weights: w1 = 1 - w0, not the fraction
    w1[k] = 1 - w0[k]!;
  }
  return { i0, i1, w0, w1 };
}

/**
 * skimage `resize(src, (outHeight, outWidth))` of a row-major float64 grey image (scale it to
 * [0, 1] first, as skimage's img_as_float does, if it came from uint8: `v * (1 / 255)`).
 */
export function resizeGrey(
  src: Float64Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): Float64Array {
  checkSize('input', width, height);
  checkSize('output', outWidth, outHeight);
  if (src.length !== width * height) {
    throw new RangeError(`resize: ${width}x${height} needs ${width * height} values, got ${src.length}`);
  }
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }

  let img = src;
  if (outWidth < width || outHeight < height) {
    const vertical = gaussianKernel(Math.max(0, (height / outHeight - 1) / 2));
    const horizontal = gaussianKernel(Math.max(0, (width / outWidth - 1) / 2));
    if (vertical || horizontal) {
      // gaussian_filter runs axis 0 (down the columns) first, then axis 1.
      img = new Float64Array(src.length);
      if (vertical) filterVertical(src, img, width, height, vertical);
      else img.set(src);
      if (horizontal) filterHorizontal(img, img, width, height, horizontal);
    }
  }

  const rows = zoomTaps(height, outHeight);
  const cols = zoomTaps(width, outWidth);
  const out = new Float64Array(outWidth * outHeight);
  for (let r = 0, o = 0; r < outHeight; r++) {
    const a = rows.i0[r]! * width;
    const b = rows.i1[r]! * width;
    const wa = rows.w0[r]!;
    const wb = rows.w1[r]!;
    for (let c = 0; c < outWidth; c++, o++) {
      const c0 = cols.i0[c]!;
      const c1 = cols.i1[c]!;
      const u = cols.w0[c]!;
      const v = cols.w1[c]!;
      // scipy's order: ((value * row weight) * column weight), summed tap by tap.
      const t = img[a + c0]! * wa * u + img[a + c1]! * wa * v + img[b + c0]! * wb * u + img[b + c1]! * wb * v;
      out[o] = Math.min(Math.max(t, lo), hi); // np.clip; NaN stays NaN
    }
  }
  return out;
}

/** skimage `img_as_ubyte` of a float image: rint(x * 255), ties to even, clamped to 0..255. */
export function toUbyte(x: Float64Array): Uint8Array {
  // A Uint8ClampedArray store is exactly that: clamp, round half to even, NaN to 0.
  const out = new Uint8ClampedArray(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! * 255;
  return new Uint8Array(out.buffer);
}

const INV_255 = 1 / 255;

/** `img_as_ubyte(resize(img_as_float(src), ...))` for a uint8 grey image. */
export function resizeUint8Grey(
  src: Uint8Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): Uint8Array {
  const f = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) f[i] = src[i]! * INV_255; // img_as_float multiplies by 1/255
  return toUbyte(resizeGrey(f, width, height, outWidth, outHeight));
}
