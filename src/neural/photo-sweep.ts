/**
 * One photo's sweep on the neural workers: which canvases go to which worker, in what order, and
 * at what size (a small photo's mosaic, a large photo upright first, the closer look), and how their
 * hits come back together. The workers are injected (neural-pool.ts gives the real ones), so the
 * plan is tested without threads (test/unit/photo-sweep.test.ts).
 */

import { rotationFrame } from '../core/rotation.js';
import { inAngleOrder, sweepOnPool } from '../detect/worker-runner.js';
import type { RasterImage } from '../vision/chip.js';
import type { AngleHit } from '../vision/detect-angle.js';
import { scaleRect } from '../vision/geometry.js';
import type { DistributiveOmit } from '../workers/thread-pool.js';
import { focusRegion, scaleFocus } from './focus.js';
import type { NeuralReply, NeuralTask, StageMs } from './neural-messages.js';
import { byAxis, needsOffAxis } from './on-axis.js';
import { shrinkRaster } from './shrink.js';
import { unseen } from './ssd-hits.js';
import { fitsMosaic } from './ssd-mosaic.js';
import { SSD_INPUT_SIDE } from './ssd-net.js';
import { halfSizeKept, settlesUpright } from './upright-first.js';

export type DetectTask = DistributiveOmit<Extract<NeuralTask, { kind: 'detect' }>, 'id'>;
export type DetectReply = Extract<NeuralReply, { ok: true; kind: 'detect' }>;

/** What a sweep needs of the worker pool. */
export interface SweepWorkers {
  readonly size: number;
  send(slot: number, task: DetectTask): Promise<NeuralReply>;
  /** Tasks waiting at worker `slot`. */
  queued(slot: number): number;
  /** A reply to a detect task, checked (a failed or mistaken reply throws). */
  detected(reply: NeuralReply): DetectReply;
  /** Main-thread stage times, for bench:neural. */
  count(stages: StageMs): void;
}

/**
 * SSD at the sweep's angles; hits in pixels of `full`, in angle order. A small photo looks at its
 * off-axis angles only when no quarter turn found a face surely (on-axis.ts needsOffAxis); a large
 * one looks at its angles other than 0° and 180° at half size once most sure faces of its upright
 * pass `looksUpright` (upright-first.ts; `() => false`: always full size), then once more, closer,
 * where its faces are (focus.ts).
 */
export async function sweepPhoto(
  workers: SweepWorkers,
  full: RasterImage,
  angles: readonly number[],
  minConfidence: number,
  looksUpright: (hit: AngleHit) => boolean,
): Promise<AngleHit[]> {
  const s = performance.now();
  // The SSD sees a 512 square whatever it is given: shrinking first (area average) loses
  // nothing it would see and keeps the workers' tensors small.
  const { image, scale } = shrinkRaster(full, SSD_INPUT_SIDE);
  workers.count({ shrink: performance.now() - s });
  const task = {
    kind: 'detect',
    minConfidence,
    mosaic: false,
    marginPass: false,
    focus: null,
    ...sharedImage(image),
  } as const;
  const hitsOf = (reply: NeuralReply): AngleHit[] => workers.detected(reply).hits;
  const toPhoto = (h: AngleHit): AngleHit => (scale === 1 ? h : { ...h, rect: scaleRect(h.rect, 1 / scale) });

  /** Every angle at full size, split across the workers; the margin pass with the upright canvas. */
  const fullSize = (share: readonly number[]): Promise<Swept> =>
    sweepOnPool(
      workers.size,
      share,
      image.width,
      image.height,
      (i, part) => workers.send(i, { ...task, angles: part, marginPass: part.includes(0) }),
      hitsOf,
    );
  /**
   * Canvases four to a pass (ssd-mosaic.ts), on the worker with the fewest tasks waiting, the
   * last on a tie (the first also embeds): with the job runner's two photos in flight, both
   * workers stay busy.
   */
  const mosaicOnOne = async (share: readonly number[]): Promise<Swept> => {
    let slot = workers.size - 1;
    for (let i = slot - 1; i >= 0; i--) if (workers.queued(i) < workers.queued(slot)) slot = i;
    const reply = await workers.send(slot, { ...task, angles: share, mosaic: true });
    return { hits: hitsOf(reply), replies: [reply] };
  };
  /**
   * A small photo: the quarter turns first, the other angles only when no quarter turn found a
   * face surely (on-axis.ts needsOffAxis). A single quarter turn (a step that does not divide
   * 90) would fill a pass on its own, drawn at ~3.4× with no margin pass: that photo sweeps
   * every angle at once.
   */
  const smallPhoto = async (): Promise<Swept> => {
    const axes = byAxis(angles);
    if (axes.onAxis.length < 2) return mosaicOnOne(angles);
    const first = await mosaicOnOne(axes.onAxis);
    const more = needsOffAxis(first.hits) ? await mosaicOnOne(axes.offAxis) : NOTHING;
    return both(first, more);
  };
  /**
   * A large photo: upright and upside down first (upright-first.ts), with the margin pass; the
   * other angles at half size once the upright pass settles the photo upright.
   */
  const uprightFirst = async (settled: (hit: AngleHit) => boolean): Promise<Swept> => {
    const first: number[] = angles.filter((a) => a === 0 || a === 180);
    const upright = await fullSize(first);
    const turned = angles.filter((a) => !first.includes(a));
    const atZero = upright.hits.filter((h) => h.rect.angle === 0).map(toPhoto);
    if (!settlesUpright(atZero, settled)) return both(upright, await fullSize(turned));
    const half = await halfSize(turned);
    return both(upright, { hits: halfSizeKept(half.hits), replies: half.replies });
  };
  /** The turned canvases of the photo shrunk to half the SSD's side, four to a pass, split across the workers. */
  const halfSize = async (share: readonly number[]): Promise<Swept> => {
    const { image: half, scale: halfScale } = shrinkRaster(image, SSD_INPUT_SIDE / 2);
    const halfTask = { ...task, ...sharedImage(half), mosaic: true };
    const parts = split(share, workers.size);
    const replies = await Promise.all(parts.map((part, i) => workers.send(i, { ...halfTask, angles: part })));
    const hits = replies.flatMap(hitsOf).map((h) => ({ ...h, rect: scaleRect(h.rect, 1 / halfScale) }));
    return { hits: inAngleOrder(share, hits), replies };
  };

  /** One more pass, closer, where the sure faces are (focus.ts), on a sharper copy of the photo. */
  const closerLook = async (hits: readonly AngleHit[]): Promise<AngleHit[]> => {
    const focus = focusRegion(hits, image.width, image.height);
    if (!focus) return [];
    const { image: detail, scale: detailScale } = shrinkRaster(full, Math.round(SSD_INPUT_SIDE * focus.gain));
    const rescale = detailScale / scale;
    const reply = await workers.send(0, {
      ...task,
      ...sharedImage(detail),
      angles: [],
      focus: scaleFocus(focus, rescale),
    });
    return workers.detected(reply).extraHits.map((h) => ({ ...h, rect: scaleRect(h.rect, 1 / rescale) }));
  };

  const small = fitsMosaic(
    angles.map((a) => rotationFrame(image.width, image.height, a)),
    SSD_INPUT_SIDE,
  );
  const { hits: found, replies } = small
    ? await smallPhoto()
    : angles.includes(0) && angles.length > 1
      ? await uprightFirst(looksUpright)
      : await fullSize(angles);
  const swept = inAngleOrder(angles, found);
  const closer = small ? [] : await closerLook(swept);
  // The margin pass sees faces upside down or sideways too, sometimes more strongly than the
  // pass at their own angle, and the closer look places faces it already found worse: they
  // only add faces that no pass found.
  const extra = [...replies.flatMap((r) => (r.ok && r.kind === 'detect' ? r.extraHits : [])), ...closer];
  return [...swept, ...unseen(extra, swept)].map(toPhoto);
}

/** Hits found by one or more SSD tasks, and the replies (their margin hits and stage times). */
interface Swept {
  readonly hits: AngleHit[];
  readonly replies: NeuralReply[];
}

const NOTHING: Swept = { hits: [], replies: [] };

const both = (a: Swept, b: Swept): Swept => ({ hits: [...a.hits, ...b.hits], replies: [...a.replies, ...b.replies] });

/** An image's pixels in shared memory: they go to the workers once, whichever takes them. */
function sharedImage(image: RasterImage) {
  const pixels = new SharedArrayBuffer(image.pixels.length);
  new Uint8Array(pixels).set(image.pixels);
  return { pixels, width: image.width, height: image.height, channels: image.channels };
}

/** `items` in at most `n` runs of near-equal length, in order, none empty. Pure. */
export function split<T>(items: readonly T[], n: number): T[][] {
  const size = Math.ceil(items.length / Math.max(1, n));
  const runs: T[][] = [];
  for (let i = 0; i < items.length; i += size) runs.push(items.slice(i, i + size));
  return runs;
}
