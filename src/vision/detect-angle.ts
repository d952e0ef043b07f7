import { type RotationFrame, rotationFrame } from '../core/rotation.js';
import { type GroupParams, groupDetections } from './cascade/group.js';
import type { CascadeModel } from './cascade/model.js';
import { HitBuffer, rotatedExactIntegral, type ScanParams, scanCascade } from './cascade/scan.js';
import { hitDensity } from './cascade/verify.js';
import type { RotatedRect } from './geometry.js';
import { float32Integral, type Integral } from './integral.js';
import { canvasToSource, type GreyImage, rotateGrey } from './rotate.js';

export interface ScanSettings {
  readonly scan: ScanParams;
  readonly group: GroupParams;
  /**
   * Parity mode: grey in [0, 1] with skimage's float32 integral image and arithmetic.
   * Otherwise grey holds whole levels 0..255 and every block sum is exact, so LBP ties are
   * decided as in OpenCV, where the cascade was trained on integer images.
   */
  readonly float32: boolean;
  /** Measure each detection's local hit density (a second look that separates faces from chance). */
  readonly verify: boolean;
}

/** One grouped cascade detection, mapped back to the source grey image. */
export interface AngleHit {
  readonly rect: RotatedRect;
  /** How many raw windows the cascade grouped into this detection. */
  readonly strength: number;
  /** Share of a dense local scan the cascade accepts (see hitDensity); 0 when not measured. */
  readonly density: number;
}

/** Buffers one thread reuses from angle to angle, so a sweep allocates them once. */
export class ScanScratch {
  /** Parity mode's canvas and float32 table; the exact path keeps both in the kernel's memory. */
  rotated = new Float64Array(0);
  integral = new Float64Array(0);
  readonly hits = new HitBuffer();
}

export interface StageTimes {
  rotate: number;
  integral: number;
  scan: number;
  group: number;
  verify: number;
}

export function emptyStageTimes(): StageTimes {
  return { rotate: 0, integral: 0, scan: 0, group: 0, verify: 0 };
}

/**
 * Detect faces in `grey` turned counter-clockwise by `angle` degrees on an expanded canvas,
 * and map each hit back to `grey`'s frame as a rotated rect (the face is turned clockwise by
 * `angle` there). At 0° this is exactly skimage's `detect_multi_scale` on `grey`.
 */
export function detectAtAngle(
  model: CascadeModel,
  grey: GreyImage,
  angle: number,
  settings: ScanSettings,
  scratch: ScanScratch = new ScanScratch(),
  times: StageTimes = emptyStageTimes(),
): AngleHit[] {
  let t = performance.now();
  let frame: RotationFrame | undefined;
  let ii: Integral;
  if (settings.float32) {
    frame = angle % 360 === 0 ? undefined : rotationFrame(grey.width, grey.height, angle);
    if (frame && scratch.rotated.length < frame.width * frame.height) {
      scratch.rotated = new Float64Array(frame.width * frame.height);
    }
    const image = frame ? rotateGrey(grey, angle, scratch.rotated, false).image : grey;
    t = lap(times, 'rotate', t);
    const needed = (image.width + 1) * (image.height + 1);
    if (scratch.integral.length < needed) scratch.integral = new Float64Array(needed);
    ii = float32Integral(image.data, image.width, image.height, scratch.integral);
  } else {
    // Rotation and integral in one pass, straight into the scan kernel's memory (the same
    // table as rotateGrey with rounding then exactIntegral; no canvas or table buffers here).
    // Timed as 'integral'; 'rotate' stays 0 on this path.
    ({ integral: ii, frame } = rotatedExactIntegral(model, grey, angle));
  }
  t = lap(times, 'integral', t);

  scratch.hits.count = 0;
  scanCascade(model, ii, settings.scan, scratch.hits, frame);
  t = lap(times, 'scan', t);

  const groups = groupDetections(scratch.hits.view(), settings.group);
  t = lap(times, 'group', t);
  const out = groups.map((d): AngleHit => {
    const cx = d.c + d.width / 2;
    const cy = d.r + d.height / 2;
    const [x, y] = frame ? canvasToSource(frame, cx, cy) : [cx, cy];
    const density = settings.verify ? hitDensity(model, ii, d, frame, scratch.hits) : 0;
    return { rect: { cx: x, cy: y, width: d.width, height: d.height, angle }, strength: d.neighbours, density };
  });
  lap(times, 'verify', t);
  return out;
}

function lap(times: StageTimes, stage: keyof StageTimes, since: number): number {
  const now = performance.now();
  times[stage] += now - since;
  return now;
}

/** Every angle in turn on this thread, with one scratch; hits in angle order. */
export function detectAngles(
  model: CascadeModel,
  grey: GreyImage,
  angles: readonly number[],
  settings: ScanSettings,
  scratch: ScanScratch,
): { hits: AngleHit[]; times: StageTimes } {
  const times = emptyStageTimes();
  const hits: AngleHit[] = [];
  for (const angle of angles) hits.push(...detectAtAngle(model, grey, angle, settings, scratch, times));
  return { hits, times };
}
