/**
 * scikit-image 0.19 `feature.hog` for one grey channel (`transform_sqrt=False`,
 * `feature_vector=True`), reproducing the reference numbers, not just the method:
 * - cells sum magnitudes in a C `float`, as `_hoghistogram.pyx` does, so every sum is float32;
 * - magnitudes use glibc's `hypot`, and near-diagonal orientations use NumPy 1.24's AVX-512 SVML
 *   `arctan2` (what made the fixtures), because a 1-ulp difference there moves a pixel across the
 *   45° or 135° bin edge;
 * - block sums are NumPy's pairwise sums.
 * Values are used at the scale given (0..255 or 0..1), as skimage does.
 */

import { hypot, orientation, pairwiseSum } from './numpy-math.js';

export type BlockNorm = 'L1' | 'L1-sqrt' | 'L2' | 'L2-Hys';

export interface HogParams {
  orientations: number;
  /** [rows, cols] */
  pixelsPerCell: [number, number];
  /** [rows, cols] */
  cellsPerBlock: [number, number];
  blockNorm: BlockNorm;
}

const EPS = 1e-5;
const EPS_SQUARED = EPS * EPS; // Python's `eps ** 2` is this double, 1.0000000000000002e-10
const NORMS: readonly string[] = ['L1', 'L1-sqrt', 'L2', 'L2-Hys'];

interface Grid {
  cellsRow: number;
  cellsCol: number;
  blocksRow: number;
  blocksCol: number;
  blockLength: number;
}

function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`HOG ${name} must be a positive integer, got ${v}`);
}

function grid(height: number, width: number, p: HogParams): Grid {
  positiveInt('height', height);
  positiveInt('width', width);
  positiveInt('orientations', p.orientations);
  positiveInt('pixelsPerCell[0]', p.pixelsPerCell[0]);
  positiveInt('pixelsPerCell[1]', p.pixelsPerCell[1]);
  positiveInt('cellsPerBlock[0]', p.cellsPerBlock[0]);
  positiveInt('cellsPerBlock[1]', p.cellsPerBlock[1]);
  if (!NORMS.includes(p.blockNorm)) throw new RangeError(`HOG blockNorm must be one of ${NORMS.join(', ')}`);
  const cellsRow = Math.floor(height / p.pixelsPerCell[0]);
  const cellsCol = Math.floor(width / p.pixelsPerCell[1]);
  const blocksRow = cellsRow - p.cellsPerBlock[0] + 1;
  const blocksCol = cellsCol - p.cellsPerBlock[1] + 1;
  if (blocksRow < 1 || blocksCol < 1) {
    const minH = p.pixelsPerCell[0] * p.cellsPerBlock[0];
    const minW = p.pixelsPerCell[1] * p.cellsPerBlock[1];
    throw new RangeError(`HOG image ${width}x${height} is smaller than one block (${minW}x${minH})`);
  }
  const blockLength = p.cellsPerBlock[0] * p.cellsPerBlock[1] * p.orientations;
  return { cellsRow, cellsCol, blocksRow, blocksCol, blockLength };
}

/** Length of the feature vector of a `height` x `width` image. */
export function hogLength(height: number, width: number, params: HogParams): number {
  const g = grid(height, width, params);
  return g.blocksRow * g.blocksCol * g.blockLength;
}

/** The n bins [w*i, w*(i+1)), w = 180/n, as the doubles skimage compares against, plus helpers. */
interface Bins {
  n: number;
  edges: Float64Array;
  perDegree: number;
  /** Unit vectors along each edge, for the cross-product test. */
  cos: Float64Array;
  sin: Float64Array;
  /** Bins of the directions that sit exactly on 90° or 45°/135° edges: gx = 0, |gx| = |gy|. */
  vertical: Int32Array;
  diagonal: Int32Array;
}

/** The bin of an orientation in degrees; n when it is in none (skimage drops it). */
function binOf(ori: number, bins: Bins): number {
  const { n, edges } = bins;
  let k = (ori * bins.perDegree) | 0;
  if (k >= n) k = n - 1;
  if (ori < edges[k]!) k--;
  else if (ori >= edges[k + 1]!) k++;
  return k;
}

function makeBins(n: number): Bins {
  const edges = new Float64Array(n + 1);
  const cos = new Float64Array(n + 1);
  const sin = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) {
    const edge = (180 / n) * i;
    edges[i] = edge;
    cos[i] = Math.cos((edge * Math.PI) / 180);
    sin[i] = Math.sin((edge * Math.PI) / 180);
  }
  const bins: Bins = {
    n,
    edges,
    perDegree: n / 180,
    cos,
    sin,
    vertical: new Int32Array(2),
    diagonal: new Int32Array(4),
  };
  bins.vertical[0] = binOf(orientation(1, 0), bins);
  bins.vertical[1] = binOf(orientation(-1, 0), bins);
  for (let q = 0; q < 4; q++) bins.diagonal[q] = binOf(orientation(q & 2 ? -1 : 1, q & 1 ? -1 : 1), bins);
  return bins;
}

/** A cross product this small (relative) could be either side of an edge after atan2's rounding. */
const GUARD = 1e-9;

/**
 * The bin without atan2: guess from a rough arctangent, then confirm with the sign of
 * cross(edge, gradient) for the bin's two edges. Returns -1 when the gradient is within
 * GUARD of an edge, where only the exact orientation decides.
 */
function fastBin(gy: number, gx: number, bins: Bins): number {
  const { n, cos, sin } = bins;
  // Unsigned orientation = the angle of (u, v), folded into the upper half-plane.
  const u = gy > 0 ? gx : -gx;
  const v = gy > 0 ? gy : -gy;
  const au = Math.abs(u);
  const t = au < v ? au / v : v / au;
  const a = t * (45 + 15.64 * (1 - t)); // atan(t) in degrees within 0.25°
  const deg = u < 0 ? (au < v ? 90 + a : 180 - a) : au < v ? 90 - a : a;
  let k = (deg * bins.perDegree) | 0;
  if (k >= n) k = n - 1;
  const tol = GUARD * (au + v);
  for (;;) {
    const lo = cos[k]! * v - sin[k]! * u; // >= 0 iff the orientation is >= edges[k]
    if (lo > -tol && lo < tol) return -1;
    if (lo < 0) {
      k--; // never below 0: at edge 0 lo = v, positive or within the guard
      continue;
    }
    if (k === n) return n;
    const hi = cos[k + 1]! * v - sin[k + 1]! * u;
    if (hi > -tol && hi < tol) return -1;
    if (hi < 0) return k;
    k++;
  }
}

// Scratch reused across calls; a chip's HOG then allocates only its result.
let sums = new Float32Array(0);
let cells = new Float64Array(0);
let work = new Float64Array(0);
let binsCache: Bins | undefined;

/** Cell histograms: mean magnitude per orientation bin, summed in float32 like the Cython. */
function histograms(pixels: ArrayLike<number>, width: number, height: number, p: HogParams, g: Grid): Float64Array {
  const n = p.orientations;
  const [cellH, cellW] = p.pixelsPerCell;
  const size = g.cellsRow * g.cellsCol * n;
  if (sums.length < size) sums = new Float32Array(size);
  else sums.fill(0, 0, size);
  if (binsCache?.n !== n) binsCache = makeBins(n);
  const bins = binsCache;
  for (let cr = 0; cr < g.cellsRow; cr++) {
    for (let r = cr * cellH, rEnd = r + cellH; r < rEnd; r++) {
      const rowInside = r > 0 && r < height - 1;
      for (let cc = 0; cc < g.cellsCol; cc++) {
        const base = (cr * g.cellsCol + cc) * n;
        for (let c = cc * cellW, cEnd = c + cellW; c < cEnd; c++) {
          const i = r * width + c;
          const gy = rowInside ? pixels[i + width]! - pixels[i - width]! : 0;
          const gx = c > 0 && c < width - 1 ? pixels[i + 1]! - pixels[i - 1]! : 0;
          if (gx === 0 && gy === 0) continue; // adds 0 to a float32 sum: no change
          // Exact edge cases first (atan2 of gy = 0 is 0 or pi: orientation 0), then the fast test.
          let b: number;
          if (gy === 0) b = 0;
          else if (gx === 0) b = bins.vertical[gy > 0 ? 0 : 1]!;
          else if (gx === gy || gx === -gy) b = bins.diagonal[(gy < 0 ? 2 : 0) + (gx < 0 ? 1 : 0)]!;
          else {
            b = fastBin(gy, gx, bins);
            if (b < 0) b = binOf(orientation(gy, gx), bins);
          }
          // Float32Array storage rounds (float)(sum + m) exactly as the C float accumulator does.
          if (b < n) sums[base + b]! += hypot(gx, gy);
        }
      }
    }
  }
  if (cells.length < size) cells = new Float64Array(size);
  const area = Math.fround(cellH * cellW);
  for (let k = 0; k < size; k++) cells[k] = Math.fround(sums[k]! / area);
  return cells;
}

/** `_hog_normalize_block` on work[0, len), the block's values; writes to out[at, at + len). */
function normalize(norm: BlockNorm, len: number, out: Float64Array, at: number): void {
  const sq = len; // squares (or |v|) go in work[len, 2 len) for the pairwise sum
  if (norm === 'L1' || norm === 'L1-sqrt') {
    for (let i = 0; i < len; i++) work[sq + i] = Math.abs(work[i]!);
    const d = pairwiseSum(work, sq, len) + EPS;
    if (norm === 'L1') for (let i = 0; i < len; i++) out[at + i] = work[i]! / d;
    else for (let i = 0; i < len; i++) out[at + i] = Math.sqrt(work[i]! / d);
    return;
  }
  for (let i = 0; i < len; i++) work[sq + i] = work[i]! * work[i]!;
  const d = Math.sqrt(pairwiseSum(work, sq, len) + EPS_SQUARED);
  if (norm === 'L2') {
    for (let i = 0; i < len; i++) out[at + i] = work[i]! / d;
    return;
  }
  for (let i = 0; i < len; i++) {
    const v = Math.min(work[i]! / d, 0.2);
    work[i] = v;
    work[sq + i] = v * v;
  }
  const d2 = Math.sqrt(pairwiseSum(work, sq, len) + EPS_SQUARED);
  for (let i = 0; i < len; i++) out[at + i] = work[i]! / d2;
}

/**
 * HOG of a grey image, row-major. The result is laid out (block row, block col, cell row,
 * cell col, orientation), skimage's ravel order. `out`, if given, must be `hogLength` long.
 */
export function hog(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  params: HogParams,
  out?: Float64Array,
): Float64Array {
  const g = grid(height, width, params);
  const length = g.blocksRow * g.blocksCol * g.blockLength;
  if (pixels.length !== width * height) {
    throw new RangeError(`HOG needs ${width * height} pixels for ${width}x${height}, got ${pixels.length}`);
  }
  if (out && out.length !== length) throw new RangeError(`HOG out has length ${out.length}, needs ${length}`);
  const result = out ?? new Float64Array(length);
  const hist = histograms(pixels, width, height, params, g);
  const n = params.orientations;
  const [bh, bw] = params.cellsPerBlock;
  if (work.length < 2 * g.blockLength) work = new Float64Array(2 * g.blockLength);
  let at = 0;
  for (let br = 0; br < g.blocksRow; br++) {
    for (let bc = 0; bc < g.blocksCol; bc++) {
      let k = 0;
      for (let r = br; r < br + bh; r++) {
        const from = (r * g.cellsCol + bc) * n;
        for (let i = 0; i < bw * n; i++) work[k++] = hist[from + i]!;
      }
      normalize(params.blockNorm, g.blockLength, result, at);
      at += g.blockLength;
    }
  }
  return result;
}
