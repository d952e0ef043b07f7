import type { Integral } from '../integral.js';
import type { RotationFrame } from '../rotate.js';
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
    const k = model.stumpFeature[t];
    const fc = Math.trunc(F(f[k * 4] * scale));
    const fr = Math.trunc(F(f[k * 4 + 1] * scale));
    const fw = Math.trunc(F(f[k * 4 + 2] * scale));
    const fh = Math.trunc(F(f[k * 4 + 3] * scale));
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
    const start = model.stageStart[s];
    for (let t = start + model.stageCount[s] - 1; t >= start; t--) {
      bound[t] = model.stageThreshold[s] - best - 1e-3;
      best += Math.max(model.stumpLeaf[t * 2], model.stumpLeaf[t * 2 + 1]);
    }
  }
  boundsCache.set(model, bound);
  return bound;
}

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
): void {
  const stepRatio = F(params.stepRatio);
  const scratch = new Int32Array(model.stumpFeature.length * 16);
  for (const scale of scaleProgression(params, model.windowWidth)) {
    const step = roundHalfAway(F(scale * stepRatio));
    scanScale(model, ii, { scale, step, r0: 0, c0: 0, r1: ii.height, c1: ii.width }, hits, frame, scratch);
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
): void {
  if (ii.kind === 'exact') scanExact(model, ii, at, hits, frame, offsets);
  else scanFloat32(model, ii, at, hits, frame, offsets);
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
        const end = stageStart[s] + stageLen[s];
        for (let t = stageStart[s]; t < end; t++) {
          const o = t * 16;
          // The 16 corners of the 3x3 cell grid.
          const p00 = P[base + offsets[o]];
          const p01 = P[base + offsets[o + 1]];
          const p02 = P[base + offsets[o + 2]];
          const p03 = P[base + offsets[o + 3]];
          const p10 = P[base + offsets[o + 4]];
          const p11 = P[base + offsets[o + 5]];
          const p12 = P[base + offsets[o + 6]];
          const p13 = P[base + offsets[o + 7]];
          const p20 = P[base + offsets[o + 8]];
          const p21 = P[base + offsets[o + 9]];
          const p22 = P[base + offsets[o + 10]];
          const p23 = P[base + offsets[o + 11]];
          const p30 = P[base + offsets[o + 12]];
          const p31 = P[base + offsets[o + 13]];
          const p32 = P[base + offsets[o + 14]];
          const p33 = P[base + offsets[o + 15]];
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
          const bit = (stumpLut[t * 8 + (code >> 5)] >>> (code & 31)) & 1;
          points = F(points + stumpLeaf[t * 2 + (bit === 1 ? 0 : 1)]);
          // Early exit: even the best leaves of the remaining stumps cannot reach the threshold.
          if (points < bound[t]) {
            points = Number.NEGATIVE_INFINITY;
            break;
          }
        }
        if (points < stageThreshold[s]) {
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
        const end = stageStart[s] + stageLen[s];
        for (let t = stageStart[s]; t < end; t++) {
          const o = t * 16;
          // The 16 corners of the 3x3 cell grid.
          const p00 = P[base + offsets[o]];
          const p01 = P[base + offsets[o + 1]];
          const p02 = P[base + offsets[o + 2]];
          const p03 = P[base + offsets[o + 3]];
          const p10 = P[base + offsets[o + 4]];
          const p11 = P[base + offsets[o + 5]];
          const p12 = P[base + offsets[o + 6]];
          const p13 = P[base + offsets[o + 7]];
          const p20 = P[base + offsets[o + 8]];
          const p21 = P[base + offsets[o + 9]];
          const p22 = P[base + offsets[o + 10]];
          const p23 = P[base + offsets[o + 11]];
          const p30 = P[base + offsets[o + 12]];
          const p31 = P[base + offsets[o + 13]];
          const p32 = P[base + offsets[o + 14]];
          const p33 = P[base + offsets[o + 15]];
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
          const bit = (stumpLut[t * 8 + (code >> 5)] >>> (code & 31)) & 1;
          points = F(points + stumpLeaf[t * 2 + (bit === 1 ? 0 : 1)]);
          // Early exit: even the best leaves of the remaining stumps cannot reach the threshold.
          if (points < bound[t]) {
            points = Number.NEGATIVE_INFINITY;
            break;
          }
        }
        if (points < stageThreshold[s]) {
          pass = false;
          break;
        }
      }
      if (pass) hits.push(r, c, winW, winH);
    }
  }
}
