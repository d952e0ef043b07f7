import type { RotationFrame } from '../../core/rotation.js';
import type { Integral } from '../integral.js';
import type { GreyImage } from '../rotate.js';
import {
  HIT_CAPACITY,
  KERNEL_PRE_STAGES,
  MAX_DECIMATION,
  RANGE_ROWS,
  type RotatedIntegral,
  scanKernel,
} from './kernel/kernel.js';
import type { CascadeModel } from './model.js';
import { type ScaleRange, scaleProgression } from './scales.js';

const F = Math.fround;

export interface ScanParams extends ScaleRange {
  /** Step between windows as a multiple of the scale (skimage's step_ratio). */
  readonly stepRatio: number;
}

/** Raw window hits, 4 ints each (row, col, width, height), in skimage's single-thread order. */
export interface RawHits {
  readonly data: Int32Array;
  readonly count: number;
}

/** Growable hit buffer, reused across scans so the hot loop never allocates. */
export class HitBuffer {
  data = new Int32Array(4096);
  count = 0;
  push(r: number, c: number, w: number, h: number): void {
    let d = this.data;
    if ((this.count + 1) * 4 > d.length) {
      const grown = new Int32Array(d.length * 2);
      grown.set(d);
      this.data = d = grown;
    }
    const i = this.count * 4;
    d[i] = r;
    d[i + 1] = c;
    d[i + 2] = w;
    d[i + 3] = h;
    this.count++;
  }
  view(): RawHits {
    return { data: this.data, count: this.count };
  }
}

/** Round half away from zero in float32, as skimage's `round` does on a float32 product. */
function roundHalfAway(x: number): number {
  return x > 0 ? Math.trunc(F(x + 0.5)) : Math.trunc(F(x - 0.5));
}

/**
 * Per-scale table of the 16 grid-corner offsets of every stump's feature, relative to a window's
 * top-left index in the padded integral. Corner (i, j) of the 4x4 grid is at
 * (fr + i*fh, fc + j*fw).
 */
function cornerOffsets(model: CascadeModel, scale: number, stride: number, out: Int32Array): void {
  const f = model.features;
  for (let t = 0; t < model.stumpFeature.length; t++) {
    const k = model.stumpFeature[t]!;
    const fc = Math.trunc(F(f[k * 4]! * scale));
    const fr = Math.trunc(F(f[k * 4 + 1]! * scale));
    const fw = Math.trunc(F(f[k * 4 + 2]! * scale));
    const fh = Math.trunc(F(f[k * 4 + 3]! * scale));
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) out[t * 16 + i * 4 + j] = (fr + i * fh) * stride + fc + j * fw;
    }
  }
}

function centreInSource(f: RotationFrame, x: number, y: number): boolean {
  const dx = x - f.width / 2;
  const dy = y - f.height / 2;
  const sx = dx * f.cos - dy * f.sin + f.srcWidth / 2;
  const sy = dx * f.sin + dy * f.cos + f.srcHeight / 2;
  return sx >= 0 && sy >= 0 && sx < f.srcWidth && sy < f.srcHeight;
}

/**
 * The windows of row `r` whose centre maps inside the source, as grid indices [first, end)
 * of the columns cStart + k * step, k < count; written to out[at], out[at + 1] as columns.
 * They are one run: each of centreInSource's four comparisons is on an f64 expression
 * monotone in the column (IEEE rounding keeps order), so holds on a prefix or a suffix of
 * the row. The run's ends are guessed from the rotated rectangle and then settled by
 * calling centreInSource itself near them, so the run is exactly the windows it accepts.
 */
function rowRange(
  f: RotationFrame,
  half: number,
  r: number,
  cStart: number,
  step: number,
  count: number,
  out: Int32Array,
  at: number,
): void {
  const y = r + half;
  const inside = (k: number): boolean => centreInSource(f, cStart + k * step + half, y);
  // Where dx = x - width / 2 puts the centre inside, in real arithmetic.
  const dy = y - f.height / 2;
  let lo = Number.NEGATIVE_INFINITY;
  let hi = Number.POSITIVE_INFINITY;
  if (f.cos !== 0) {
    const a = (dy * f.sin - f.srcWidth / 2) / f.cos;
    const b = (dy * f.sin + f.srcWidth / 2) / f.cos;
    lo = Math.max(lo, Math.min(a, b));
    hi = Math.min(hi, Math.max(a, b));
  }
  if (f.sin !== 0) {
    const a = (-dy * f.cos - f.srcHeight / 2) / f.sin;
    const b = (-dy * f.cos + f.srcHeight / 2) / f.sin;
    lo = Math.max(lo, Math.min(a, b));
    hi = Math.min(hi, Math.max(a, b));
  }
  const toK = (dx: number): number => (dx - half + f.width / 2 - cStart) / step;
  const clampK = (k: number): number => Math.min(count - 1, Math.max(0, Math.round(k)));
  let first = 0;
  let end = 0;
  const mid = lo <= hi ? clampK(toK(Number.isFinite(lo + hi) ? (lo + hi) / 2 : Number.isFinite(lo) ? lo : hi)) : 0;
  if (count > 0 && inside(mid)) {
    first = firstTrue(inside, 0, mid, clampK(toK(lo)));
    end = firstTrue((k) => k >= count || !inside(k), mid + 1, count, clampK(toK(hi)) + 1);
  } else {
    // The guess missed (a row that barely touches the source): test every window.
    let k = 0;
    while (k < count && !inside(k)) k++;
    first = k;
    while (k < count && inside(k)) k++;
    end = k;
  }
  out[at] = cStart + first * step;
  out[at + 1] = cStart + end * step;
}

/**
 * The first k in [lo, hi] where `pred` holds, for a `pred` false then true on that range and
 * true at hi; searched outward from `guess` (exact for any guess, fast for a good one).
 */
function firstTrue(pred: (k: number) => boolean, lo: number, hi: number, guess: number): number {
  const g = Math.min(hi, Math.max(lo, guess));
  let no: number; // pred false here (or lo - 1)
  let yes: number; // pred true here
  if (pred(g)) {
    yes = g;
    let d = 1;
    no = g - d;
    while (no >= lo && pred(no)) {
      yes = no;
      d *= 2;
      no = yes - d;
    }
    if (no < lo) no = lo - 1;
  } else {
    no = g;
    let d = 1;
    yes = g + d;
    while (yes < hi && !pred(yes)) {
      no = yes;
      d *= 2;
      yes = no + d;
    }
    if (yes > hi) yes = hi;
  }
  while (yes - no > 1) {
    const m = (no + yes) >> 1;
    if (pred(m)) yes = m;
    else no = m;
  }
  return yes;
}

/**
 * For each stump t, a value below which the running stage sum after t can no longer reach
 * the stage threshold: threshold minus the best leaves of the stumps still to come, with a
 * margin far above float32 rounding. A window that exits early fails its stage, so the exit
 * never changes a result.
 */
const boundsCache = new WeakMap<CascadeModel, Float64Array>();

function rejectionBounds(model: CascadeModel): Float64Array {
  const cached = boundsCache.get(model);
  if (cached) return cached;
  const bound = new Float64Array(model.stumpFeature.length);
  for (let s = 0; s < model.stageCount.length; s++) {
    let best = 0;
    const start = model.stageStart[s]!;
    for (let t = start + model.stageCount[s]! - 1; t >= start; t--) {
      bound[t] = model.stageThreshold[s]! - best - 1e-3;
      best += Math.max(model.stumpLeaf[t * 2]!, model.stumpLeaf[t * 2 + 1]!);
    }
  }
  boundsCache.set(model, bound);
  return bound;
}

/**
 * Which window evaluator runs an exact integral: the WebAssembly kernel (kernel/scan.wat) or
 * the TypeScript loop below. Both give the same hits in the same order; the TypeScript one is
 * kept as the readable specification the kernel is tested against. Float32 (parity) integrals
 * always use TypeScript.
 */
export type ScanEngine = 'wasm' | 'js';

/**
 * Slide the cascade over every scale and position, exactly as skimage's
 * `detect_multi_scale` does with one OpenMP thread: scales ascending, rows then columns,
 * strict `<` bounds. Hits are appended to `hits`.
 *
 * With a rotation `frame`, windows whose centre falls outside the source image are skipped:
 * they lie mostly on the black corners of the expanded canvas and cannot hold a face.
 */
export function scanCascade(
  model: CascadeModel,
  ii: Integral,
  params: ScanParams,
  hits: HitBuffer,
  frame?: RotationFrame,
  engine: ScanEngine = 'wasm',
): void {
  const stepRatio = F(params.stepRatio);
  const scratch = new Int32Array(model.stumpFeature.length * 16);
  for (const scale of scaleProgression(params, model.windowWidth)) {
    const step = roundHalfAway(F(scale * stepRatio));
    scanScale(model, ii, { scale, step, r0: 0, c0: 0, r1: ii.height, c1: ii.width }, hits, frame, scratch, engine);
  }
}

/** One scale of the scan over the window origins in [r0, r1) x [c0, c1), clipped to the image. */
export interface ScaleScan {
  readonly scale: number;
  readonly step: number;
  readonly r0: number;
  readonly c0: number;
  readonly r1: number;
  readonly c1: number;
}

/**
 * One scale of the scan over the window origins in `at`. The window loop is written twice,
 * once per integral kind, so each copy stays monomorphic for V8: one loop over both array
 * types ran markedly slower. Only the block-sum arithmetic differs between them.
 */
export function scanScale(
  model: CascadeModel,
  ii: Integral,
  at: ScaleScan,
  hits: HitBuffer,
  frame?: RotationFrame,
  offsets = new Int32Array(model.stumpFeature.length * 16),
  engine: ScanEngine = 'wasm',
): void {
  if (ii.kind === 'float32') scanFloat32(model, ii, at, hits, frame, offsets);
  else if (engine === 'wasm') scanExactWasm(model, ii, at, hits, frame, offsets);
  else scanExact(model, ii, at, hits, frame, offsets);
}

/**
 * A step gets a decimated copy of the integral when its windows times this reach the
 * integral's size: a copy is one cheap pass (about 1.5 ms at 1600 x 1200), and it makes
 * every corner load of the first stages one vector load. 16, 64, 256 and 1024 measured
 * 147, 143, 151 and 168 CPU ms per angle on the 12 MP bench photo; 64 it is.
 */
const DECIMATE_RATIO = 64;

/**
 * The exact integral of `grey` (whole levels) turned by `angle` as detectAtAngle builds it
 * (rotateGrey with rounding, then exactIntegral), computed in the WebAssembly kernel's memory:
 * bit for bit the same table, in about half the time (22 against 41 CPU ms per angle at
 * 1600 x 1200), and already where the scan reads it, so it is not copied. Valid until the
 * next call on this thread that loads another integral.
 */
export function rotatedExactIntegral(model: CascadeModel, grey: GreyImage, angle: number): RotatedIntegral {
  return scanKernel().rotatedIntegral(model, rejectionBounds(model), grey, angle);
}

/** The largest cell (in pixels) of stumps [0, stumps) at `scale`. */
function maxCellArea(model: CascadeModel, scale: number, stumps: number): number {
  let max = 0;
  for (let t = 0; t < stumps; t++) {
    const k = model.stumpFeature[t]!;
    const fw = Math.trunc(F(model.features[k * 4 + 2]! * scale));
    const fh = Math.trunc(F(model.features[k * 4 + 3]! * scale));
    max = Math.max(max, fw * fh);
  }
  return max;
}

/** scanExact on the WebAssembly kernel: same windows, same order, same arithmetic. */
function scanExactWasm(
  model: CascadeModel,
  ii: Extract<Integral, { kind: 'exact' }>,
  at: ScaleScan,
  hits: HitBuffer,
  frame: RotationFrame | undefined,
  offsets: Int32Array,
): void {
  const { width: W, height: H, stride } = ii;
  const { scale, step } = at;
  const winW = Math.trunc(F(model.windowWidth * scale));
  const winH = Math.trunc(F(model.windowHeight * scale));
  if (H - winH <= 0 || W - winW <= 0 || step < 1) return;
  const rStart = Math.max(0, at.r0);
  const cStart = Math.max(0, at.c0);
  const rEnd = Math.min(at.r1, H - winH);
  const cEnd = Math.min(at.c1, W - winW);
  if (rStart >= rEnd || cStart >= cEnd) return;
  const kernel = scanKernel();
  const layout = kernel.useModel(model, rejectionBounds(model));
  kernel.useIntegral(ii, ii.data.subarray(0, stride * (H + 1)));
  cornerOffsets(model, scale, stride, offsets);
  // The first stages run on neighbouring windows together; their corners are adjacent in
  // memory at step 1, and in a column-decimated copy of the integral at larger steps. A copy
  // costs one pass over the integral, so it is made only for steps with many windows. Where
  // no cell of those stages can sum past 65535, the copy keeps only the low 16 bits of each
  // value, and eight windows go together (exact: see scan.wat $group8).
  const cols = Math.ceil((cEnd - cStart) / step);
  const windows = cols * Math.ceil((rEnd - rStart) / step);
  let dec = 0;
  let pstride = stride;
  let dec16 = 0;
  if (step === 1) dec = kernel.integralAddress;
  else if (cStart === 0 && step <= MAX_DECIMATION && windows * DECIMATE_RATIO >= stride * (H + 1)) {
    const low16 =
      model.stageCount.length > KERNEL_PRE_STAGES &&
      maxCellArea(model, scale, model.stageStart[KERNEL_PRE_STAGES]!) * kernel.maxPixel(stride, H + 1) <= 65535;
    const copy = kernel.decimated(step, stride, H + 1, low16);
    pstride = copy.pstride;
    if (low16) dec16 = copy.address;
    else dec = copy.address;
  }
  kernel.setOffsets(offsets, stride, dec === kernel.integralAddress ? 1 : step, pstride, H + 1);
  // Calls are sized so their hits fit the kernel's buffer even if every window passes.
  const colsPerCall = Math.min(cols, HIT_CAPACITY);
  const rowsPerCall = Math.min(RANGE_ROWS, Math.max(1, Math.floor(HIT_CAPACITY / colsPerCall)));
  const scan = kernel.scan;
  // On a rotated canvas each row is scanned only over its windows whose centre is inside the
  // source (rowRange), rather than testing every window's centre in the kernel.
  const ranges = frame ? new Int32Array(kernel.memory, layout.ranges, rowsPerCall * 2) : undefined;
  const half = winW / 2;
  for (let r = rStart; r < rEnd; r += rowsPerCall * step) {
    const r1 = Math.min(rEnd, r + rowsPerCall * step);
    if (frame && ranges) {
      for (let rr = r, i = 0; rr < r1; rr += step, i += 2) rowRange(frame, half, rr, cStart, step, cols, ranges, i);
    }
    for (let c = cStart; c < cEnd; c += colsPerCall * step) {
      const c1 = Math.min(cEnd, c + colsPerCall * step);
      const n = scan(
        r,
        r1,
        c,
        c1,
        step,
        winW,
        winH,
        kernel.integralAddress,
        stride,
        layout.hits,
        dec,
        pstride,
        dec16,
        pstride,
        ranges ? layout.ranges : 0,
      );
      if (n === 0) continue;
      const out = new Int32Array(kernel.memory, layout.hits, n * 4);
      for (let i = 0; i < n * 4; i += 4) hits.push(out[i]!, out[i + 1]!, out[i + 2]!, out[i + 3]!);
    }
  }
}

/** skimage parity: float32 table and arithmetic. */
function scanFloat32(
  model: CascadeModel,
  ii: Extract<Integral, { kind: 'float32' }>,
  at: ScaleScan,
  hits: HitBuffer,
  frame: RotationFrame | undefined,
  offsets: Int32Array,
): void {
  const { width: W, height: H, stride, data: P } = ii;
  const stageCount = model.stageCount.length;
  const { stageStart, stageCount: stageLen, stageThreshold, stumpLut, stumpLeaf } = model;
  const bound = rejectionBounds(model);
  const { scale, step } = at;
  const winW = Math.trunc(F(model.windowWidth * scale));
  const winH = Math.trunc(F(model.windowHeight * scale));
  if (H - winH <= 0 || W - winW <= 0 || step < 1) return;
  cornerOffsets(model, scale, stride, offsets);
  const half = winW / 2;
  const rEnd = Math.min(at.r1, H - winH);
  const cEnd = Math.min(at.c1, W - winW);
  for (let r = Math.max(0, at.r0); r < rEnd; r += step) {
    for (let c = Math.max(0, at.c0); c < cEnd; c += step) {
      if (frame && !centreInSource(frame, c + half, r + half)) continue;
      const base = r * stride + c;
      let pass = true;
      for (let s = 0; s < stageCount; s++) {
        let points = 0;
        const end = stageStart[s]! + stageLen[s]!;
        for (let t = stageStart[s]!; t < end; t++) {
          const o = t * 16;
          // The 16 corners of the 3x3 cell grid.
          const p00 = P[base + offsets[o]!]!;
          const p01 = P[base + offsets[o + 1]!]!;
          const p02 = P[base + offsets[o + 2]!]!;
          const p03 = P[base + offsets[o + 3]!]!;
          const p10 = P[base + offsets[o + 4]!]!;
          const p11 = P[base + offsets[o + 5]!]!;
          const p12 = P[base + offsets[o + 6]!]!;
          const p13 = P[base + offsets[o + 7]!]!;
          const p20 = P[base + offsets[o + 8]!]!;
          const p21 = P[base + offsets[o + 9]!]!;
          const p22 = P[base + offsets[o + 10]!]!;
          const p23 = P[base + offsets[o + 11]!]!;
          const p30 = P[base + offsets[o + 12]!]!;
          const p31 = P[base + offsets[o + 13]!]!;
          const p32 = P[base + offsets[o + 14]!]!;
          const p33 = P[base + offsets[o + 15]!]!;
          // skimage's order and float32 rounding: (br + tl) - tr - bl.
          const ctr = F(F(F(p22 + p11) - p12) - p21);
          const code =
            ((F(F(F(p11 + p00) - p01) - p10) >= ctr ? 1 : 0) << 7) |
            ((F(F(F(p12 + p01) - p02) - p11) >= ctr ? 1 : 0) << 6) |
            ((F(F(F(p13 + p02) - p03) - p12) >= ctr ? 1 : 0) << 5) |
            ((F(F(F(p23 + p12) - p13) - p22) >= ctr ? 1 : 0) << 4) |
            ((F(F(F(p33 + p22) - p23) - p32) >= ctr ? 1 : 0) << 3) |
            ((F(F(F(p32 + p21) - p22) - p31) >= ctr ? 1 : 0) << 2) |
            ((F(F(F(p31 + p20) - p21) - p30) >= ctr ? 1 : 0) << 1) |
            (F(F(F(p21 + p10) - p11) - p20) >= ctr ? 1 : 0);
          const bit = (stumpLut[t * 8 + (code >> 5)]! >>> (code & 31)) & 1;
          points = F(points + stumpLeaf[t * 2 + (bit === 1 ? 0 : 1)]!);
          // Early exit: even the best leaves of the remaining stumps cannot reach the threshold.
          if (points < bound[t]!) {
            points = Number.NEGATIVE_INFINITY;
            break;
          }
        }
        if (points < stageThreshold[s]!) {
          pass = false;
          break;
        }
      }
      if (pass) hits.push(r, c, winW, winH);
    }
  }
}

/** Production: exact sums of whole grey levels. */
function scanExact(
  model: CascadeModel,
  ii: Extract<Integral, { kind: 'exact' }>,
  at: ScaleScan,
  hits: HitBuffer,
  frame: RotationFrame | undefined,
  offsets: Int32Array,
): void {
  const { width: W, height: H, stride, data: P } = ii;
  const stageCount = model.stageCount.length;
  const { stageStart, stageCount: stageLen, stageThreshold, stumpLut, stumpLeaf } = model;
  const bound = rejectionBounds(model);
  const { scale, step } = at;
  const winW = Math.trunc(F(model.windowWidth * scale));
  const winH = Math.trunc(F(model.windowHeight * scale));
  if (H - winH <= 0 || W - winW <= 0 || step < 1) return;
  cornerOffsets(model, scale, stride, offsets);
  const half = winW / 2;
  const rEnd = Math.min(at.r1, H - winH);
  const cEnd = Math.min(at.c1, W - winW);
  for (let r = Math.max(0, at.r0); r < rEnd; r += step) {
    for (let c = Math.max(0, at.c0); c < cEnd; c += step) {
      if (frame && !centreInSource(frame, c + half, r + half)) continue;
      const base = r * stride + c;
      let pass = true;
      for (let s = 0; s < stageCount; s++) {
        let points = 0;
        const end = stageStart[s]! + stageLen[s]!;
        for (let t = stageStart[s]!; t < end; t++) {
          const o = t * 16;
          // The 16 corners of the 3x3 cell grid.
          const p00 = P[base + offsets[o]!]!;
          const p01 = P[base + offsets[o + 1]!]!;
          const p02 = P[base + offsets[o + 2]!]!;
          const p03 = P[base + offsets[o + 3]!]!;
          const p10 = P[base + offsets[o + 4]!]!;
          const p11 = P[base + offsets[o + 5]!]!;
          const p12 = P[base + offsets[o + 6]!]!;
          const p13 = P[base + offsets[o + 7]!]!;
          const p20 = P[base + offsets[o + 8]!]!;
          const p21 = P[base + offsets[o + 9]!]!;
          const p22 = P[base + offsets[o + 10]!]!;
          const p23 = P[base + offsets[o + 11]!]!;
          const p30 = P[base + offsets[o + 12]!]!;
          const p31 = P[base + offsets[o + 13]!]!;
          const p32 = P[base + offsets[o + 14]!]!;
          const p33 = P[base + offsets[o + 15]!]!;
          // Whole numbers in wrapping int32: ties are real ties, as in OpenCV's training.
          const ctr = (p22 + p11 - p12 - p21) | 0;
          const code =
            (((p11 + p00 - p01 - p10) | 0) >= ctr ? 128 : 0) |
            (((p12 + p01 - p02 - p11) | 0) >= ctr ? 64 : 0) |
            (((p13 + p02 - p03 - p12) | 0) >= ctr ? 32 : 0) |
            (((p23 + p12 - p13 - p22) | 0) >= ctr ? 16 : 0) |
            (((p33 + p22 - p23 - p32) | 0) >= ctr ? 8 : 0) |
            (((p32 + p21 - p22 - p31) | 0) >= ctr ? 4 : 0) |
            (((p31 + p20 - p21 - p30) | 0) >= ctr ? 2 : 0) |
            (((p21 + p10 - p11 - p20) | 0) >= ctr ? 1 : 0);
          const bit = (stumpLut[t * 8 + (code >> 5)]! >>> (code & 31)) & 1;
          points = F(points + stumpLeaf[t * 2 + (bit === 1 ? 0 : 1)]!);
          // Early exit: even the best leaves of the remaining stumps cannot reach the threshold.
          if (points < bound[t]!) {
            points = Number.NEGATIVE_INFINITY;
            break;
          }
        }
        if (points < stageThreshold[s]!) {
          pass = false;
          break;
        }
      }
      if (pass) hits.push(r, c, winW, winH);
    }
  }
}
