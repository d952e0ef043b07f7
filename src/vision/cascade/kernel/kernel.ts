/**
 * The WebAssembly window kernel (scan.wat) and its memory: cascade tables, the integral image
 * and a hit buffer live in one linear memory per thread, so a scale's windows are evaluated
 * in a few calls instead of crossing from JS to WASM per window. It can also build a rotated
 * canvas's integral there itself (`rotatedIntegral`).
 */

import { type RotationFrame, rotationFrame } from '../../../core/rotation.js';
import type { Integral } from '../../integral.js';
import type { GreyImage } from '../../rotate.js';
import type { CascadeModel } from '../model.js';
import { SCAN_WASM_BASE64 } from './scan-wasm.js';

/** The parts of the WebAssembly JS API we use (the ES2023 lib and @types/node do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface KernelExports {
  readonly memory: WasmMemory;
  setTables(
    offs: number,
    offsD: number,
    leaves: number,
    bounds: number,
    stages: number,
    nStages: number,
    surv: number,
    offs16: number,
  ): void;
  decimate(src: number, dst: number, stride: number, rows: number, k: number, pstride: number): void;
  decimate16(src: number, dst: number, stride: number, rows: number, k: number, pstride: number): void;
  maxPixel(src: number, stride: number, rows: number): number;
  rotateIntegral(
    src: number,
    sw: number,
    sh: number,
    dst: number,
    width: number,
    height: number,
    cos: number,
    sin: number,
    mode: number,
  ): void;
  scan(
    r0: number,
    r1: number,
    c0: number,
    c1: number,
    step: number,
    winW: number,
    winH: number,
    ii: number,
    stride: number,
    hits: number,
    dec: number,
    pstride: number,
    dec16: number,
    pstride16: number,
    ranges: number,
  ): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

const PAGE = 65536;
/** Hits one `scan` call may write; callers split the rows so a call never exceeds it. */
export const HIT_CAPACITY = 16384;
/** Rows one `scan` call may be given column ranges for. */
export const RANGE_ROWS = 4096;

/** Byte addresses of the kernel's tables for one model (all 8-byte aligned). */
interface KernelLayout {
  readonly stages: number;
  readonly bounds: number;
  readonly offs: number;
  readonly offsD: number;
  readonly offs16: number;
  readonly leaves: number;
  readonly hits: number;
  /** One row's surviving window columns (i32), plus padding to a multiple of four. */
  readonly survivors: number;
  /** Per row of one `scan` call, the window columns [first, end) to scan (i32 pairs). */
  readonly ranges: number;
  readonly integral: number;
}

const align8 = (n: number): number => (n + 7) & ~7;

/**
 * Stages the kernel runs on several windows at once before listing survivors (scan.wat
 * setTables sets the same number). The 16-bit path must check the cells of these stages.
 * 2 measured best: 0..5 gave 252, 212, 186, 183, 177 CPU ms per angle before the 16-bit
 * path and the survivor lists, which made more stages there pay less.
 */
export const KERNEL_PRE_STAGES = 2;

/** Largest step a decimated copy is made for (bounds the copy's padding). */
export const MAX_DECIMATION = 64;

/**
 * Where the element at offset `o` from a window's top-left in an integral of `stride` lies in
 * the copy decimated by `k` (planes of `pstride` x `rows`), from the same window's top-left
 * there, given the window's column is a multiple of `k`.
 */
function decimatedOffset(o: number, stride: number, k: number, pstride: number, rows: number): number {
  const dx = o % stride;
  const dy = (o - dx) / stride;
  return (dx % k) * pstride * rows + dy * pstride + Math.floor(dx / k);
}

function kernelLayout(stumps: number, stages: number): KernelLayout {
  const stagesAt = 0;
  const bounds = align8(stagesAt + stages * 12);
  const offs = align8(bounds + stumps * 8);
  const offsD = align8(offs + stumps * 64);
  const offs16 = align8(offsD + stumps * 64);
  const leaves = align8(offs16 + stumps * 64);
  const hits = align8(leaves + stumps * 1024);
  const survivors = align8(hits + HIT_CAPACITY * 16);
  const ranges = align8(survivors + (HIT_CAPACITY + 4) * 4);
  const integral = align8(ranges + RANGE_ROWS * 8);
  return { stages: stagesAt, bounds, offs, offsD, offs16, leaves, hits, survivors, ranges, integral };
}

/**
 * Per stump, the leaf value for each of the 256 LBP codes: one load in the kernel instead of
 * a bit test and a select. Same float32 values as `stumpLeaf`.
 */
function leafTable(model: CascadeModel): Float32Array {
  const n = model.stumpFeature.length;
  const out = new Float32Array(n * 256);
  for (let t = 0; t < n; t++) {
    for (let code = 0; code < 256; code++) {
      const bit = (model.stumpLut[t * 8 + (code >> 5)]! >>> (code & 31)) & 1;
      out[t * 256 + code] = model.stumpLeaf[t * 2 + (bit === 1 ? 0 : 1)]!;
    }
  }
  return out;
}

export interface RotatedIntegral {
  readonly integral: Integral;
  /** Undefined at 0°, as detectAtAngle has it. */
  readonly frame: RotationFrame | undefined;
}

/** One thread's kernel instance, holding one model's tables and one integral image at a time. */
export class ScanKernel {
  private readonly exports: KernelExports;
  private model: CascadeModel | undefined;
  private layout: KernelLayout = kernelLayout(0, 0);
  /** The integral whose data is in memory; Integral objects are never mutated once built. */
  private uploaded: object | undefined;
  private integralBytes = 0;
  /** Where the integral is: `layout.integral`, or after the grey levels `rotatedIntegral` keeps. */
  private integralAt = 0;
  /** The grey image whose levels (u8) are at `layout.integral`, for `rotatedIntegral`. */
  private greyKey: object | undefined;
  /** Its largest level. */
  private greyMax = 255;
  /** The steps of the decimated copies of the uploaded integral (i32 and i16), 0 for none. */
  private decimatedStep = 0;
  private decimated16Step = 0;
  /** The uploaded image's largest pixel (or a bound on it), once known; -1 before. */
  private maxPixelValue = -1;

  constructor() {
    const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const module = new api.Module(Buffer.from(SCAN_WASM_BASE64, 'base64'));
    this.exports = new api.Instance(module, {}).exports as KernelExports;
  }

  get memory(): ArrayBuffer {
    return this.exports.memory.buffer;
  }

  private ensureBytes(bytes: number): void {
    const have = this.exports.memory.buffer.byteLength;
    if (bytes > have) this.exports.memory.grow(Math.ceil((bytes - have) / PAGE));
  }

  /** Load `model`'s stage, bound and leaf tables, unless they are already loaded. */
  useModel(model: CascadeModel, bounds: Float64Array): KernelLayout {
    if (this.model === model) return this.layout;
    const stumps = model.stumpFeature.length;
    const stages = model.stageCount.length;
    const layout = kernelLayout(stumps, stages);
    this.ensureBytes(layout.integral);
    const buf = this.memory;
    const st = new Int32Array(buf, layout.stages, stages * 3);
    const thr = new Float32Array(buf, layout.stages, stages * 3);
    for (let s = 0; s < stages; s++) {
      st[s * 3] = model.stageStart[s]!;
      st[s * 3 + 1] = model.stageStart[s]! + model.stageCount[s]!;
      thr[s * 3 + 2] = model.stageThreshold[s]!;
    }
    new Float64Array(buf, layout.bounds, stumps).set(bounds);
    new Float32Array(buf, layout.leaves, stumps * 256).set(leafTable(model));
    this.exports.setTables(
      layout.offs,
      layout.offsD,
      layout.leaves,
      layout.bounds,
      layout.stages,
      stages,
      layout.survivors,
      layout.offs16,
    );
    this.model = model;
    this.layout = layout;
    this.uploaded = undefined;
    this.greyKey = undefined;
    return layout;
  }

  /** Copy an exact integral into memory (once per Integral object). */
  useIntegral(key: object, data: Int32Array): void {
    if (this.uploaded === key) return;
    // A view of this memory (a `rotatedIntegral`) would be detached by growing it.
    const src = data.buffer === this.memory ? data.slice() : data;
    this.ensureBytes(this.layout.integral + src.byteLength);
    new Int32Array(this.memory, this.layout.integral, src.length).set(src);
    this.integralAt = this.layout.integral;
    this.greyKey = undefined;
    this.uploaded = key;
    this.integralBytes = src.byteLength;
    this.decimatedStep = 0;
    this.decimated16Step = 0;
    this.maxPixelValue = -1;
  }

  /** Byte address of the integral in memory. */
  get integralAddress(): number {
    return this.integralAt;
  }

  /**
   * `rotateGrey(grey, angle, out, true)` then `exactIntegral`, computed in the kernel's memory
   * (scan.wat rotateIntegral: same f64 operations, so the same table) and made the uploaded
   * integral. `grey` must hold whole levels 0..255. The returned integral's data is a view of
   * the kernel's memory: valid until the next call that loads an integral on this thread.
   */
  rotatedIntegral(model: CascadeModel, bounds: Float64Array, grey: GreyImage, angle: number): RotatedIntegral {
    const layout = this.useModel(model, bounds);
    const upright = angle % 360 === 0;
    const frame = upright ? undefined : rotationFrame(grey.width, grey.height, angle);
    const width = frame ? frame.width : grey.width;
    const height = frame ? frame.height : grey.height;
    const stride = width + 1;
    const rows = height + 1;
    const greyBytes = grey.width * grey.height;
    const at = align8(layout.integral + greyBytes);
    const bytes = stride * rows * 4;
    // Room for the decimated copies too, so no later growth detaches the returned view.
    const at32 = align8(at + bytes);
    this.ensureBytes(at32 + align8((stride + MAX_DECIMATION) * rows * 4) + (stride + MAX_DECIMATION) * rows * 2);
    if (this.greyKey !== grey.data) {
      const levels = new Uint8Array(this.memory, layout.integral, greyBytes);
      const src = grey.data;
      let max = 0;
      for (let i = 0; i < greyBytes; i++) {
        // In range: a GreyImage's data holds width * height levels.
        const v = src[i]!;
        if (!(v >= 0 && v <= 255 && v === Math.floor(v))) throw new RangeError(`grey level ${v} is not a whole 0..255`);
        levels[i] = v;
        if (v > max) max = v;
      }
      this.greyKey = grey.data;
      this.greyMax = max;
    }
    const quarter = frame ? frame.cos * frame.sin === 0 : false;
    this.exports.rotateIntegral(
      layout.integral,
      grey.width,
      grey.height,
      at,
      width,
      height,
      frame ? frame.cos : 1,
      frame ? frame.sin : 0,
      frame ? (quarter ? 1 : 2) : 0,
    );
    const integral: Integral = {
      kind: 'exact',
      width,
      height,
      stride,
      data: new Int32Array(this.memory, at, stride * rows),
    };
    this.uploaded = integral;
    this.integralAt = at;
    this.integralBytes = bytes;
    this.decimatedStep = 0;
    this.decimated16Step = 0;
    // No canvas pixel exceeds the source's largest level (rounded bilinear weights of levels
    // <= max stay <= max), so that bound spares the kernel's pass over the integral.
    this.maxPixelValue = this.greyMax;
    return { integral, frame };
  }

  /** The largest pixel of the uploaded integral's image (one pass, once per integral), or rotatedIntegral's bound. */
  maxPixel(stride: number, rows: number): number {
    if (this.maxPixelValue < 0) this.maxPixelValue = this.exports.maxPixel(this.integralAt, stride, rows) >>> 0;
    return this.maxPixelValue;
  }

  /**
   * A column-decimated copy of the uploaded integral for window step `k` (see scan.wat
   * `decimate`), in i32 or, with `low16`, only the low 16 bits. Built once per integral,
   * step and kind; returns its address and plane stride (elements). `k` is at most MAX_DECIMATION.
   */
  decimated(
    k: number,
    stride: number,
    rows: number,
    low16: boolean,
  ): { readonly address: number; readonly pstride: number } {
    if (!(k >= 1 && k <= MAX_DECIMATION)) throw new RangeError(`decimation step ${k} out of range`);
    const at32 = align8(this.integralAt + this.integralBytes);
    const at16 = at32 + align8((stride + MAX_DECIMATION) * rows * 4);
    const pstride = Math.ceil(stride / k);
    if (low16 && this.decimated16Step !== k) {
      this.ensureBytes(at16 + k * pstride * rows * 2);
      this.exports.decimate16(this.integralAt, at16, stride, rows, k, pstride);
      this.decimated16Step = k;
    } else if (!low16 && this.decimatedStep !== k) {
      this.ensureBytes(at32 + k * pstride * rows * 4);
      this.exports.decimate(this.integralAt, at32, stride, rows, k, pstride);
      this.decimatedStep = k;
    }
    return { address: low16 ? at16 : at32, pstride };
  }

  /**
   * The stump corner offsets for the next scans, given as element offsets from a window's
   * top-left in an integral of `stride`; also as offsets into copies decimated by `k` with
   * `pstride` and `rows` (k = 1: the integral itself), for i32 and i16 elements.
   */
  setOffsets(offsets: Int32Array, stride: number, k: number, pstride: number, rows: number): void {
    const view = new Int32Array(this.memory, this.layout.offs, offsets.length);
    const dec = new Int32Array(this.memory, this.layout.offsD, offsets.length);
    const dec16 = new Int32Array(this.memory, this.layout.offs16, offsets.length);
    for (let i = 0; i < offsets.length; i++) {
      const o = offsets[i]!;
      const e = decimatedOffset(o, stride, k, pstride, rows);
      view[i] = o * 4;
      dec[i] = e * 4;
      dec16[i] = e * 2;
    }
  }

  get scan(): KernelExports['scan'] {
    return this.exports.scan;
  }
}

let shared: ScanKernel | undefined;

/** This thread's kernel, compiled on first use. */
export function scanKernel(): ScanKernel {
  shared ??= new ScanKernel();
  return shared;
}
