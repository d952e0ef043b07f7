/**
 * The neural engine's worker threads. Each worker holds its own tfjs-wasm instance and SSD, the
 * first also the landmark and descriptor nets (single-threaded wasm, so one worker per core is what uses the cores), takes one task at a
 * time, and has a capped JS heap; the photo's pixels go to the workers once, in shared memory.
 * A photo's angles are split across the workers and merged back in order, so the result does
 * not depend on thread timing; its faces are embedded on the first worker. The lifecycle (crash,
 * respawn, give up, close) is workers/thread-pool.ts.
 */
import { inAngleOrder, sweepOnPool } from '../detect/worker-runner.js';
import type { RasterImage } from '../vision/chip.js';
import type { AngleHit } from '../vision/detect-angle.js';
import { boundingBox, iou, scaleRect } from '../vision/geometry.js';
import { rotationFrame } from '../vision/rotate.js';
import { poolSize, threadPool } from '../workers/thread-pool.js';
import { NeuralUnavailableError } from './face-api.js';
import type { NeuralReply, NeuralTask } from './neural-messages.js';
import { byAxis, needsOffAxis } from './on-axis.js';
import { shrinkRaster } from './shrink.js';
import { fitsMosaic } from './ssd-mosaic.js';
import { SSD_INPUT_SIDE } from './ssd-net.js';

/**
 * JS heap cap per worker. tfjs-wasm keeps tensors in wasm memory, outside this heap; a worker's
 * JS heap peaked at 39 MB used (nets loaded, 8 angles, 8 chips). A low cap makes V8 collect
 * sooner: measured 592 → 529 MB peak for the two-worker bench against a 256 MB cap.
 */
const WORKER_HEAP_MB = 96;

export interface NeuralPool {
  readonly threads: number;
  /**
   * SSD at each angle (for a small photo, the off-axis angles only when no quarter turn found a
   * face surely: on-axis.ts needsOffAxis); hits in detection pixels of `image`, in angle order.
   */
  detect(image: RasterImage, angles: readonly number[], minConfidence: number): Promise<AngleHit[]>;
  /** One descriptor per chip (null when no landmarks could be placed), in chip order. */
  embed(chips: readonly RasterImage[], padding: number): Promise<(Float64Array | null)[]>;
  /** Milliseconds spent per stage since the pool started, summed over workers (bench:neural). */
  stageMs?(): Readonly<Record<string, number>>;
  close(): Promise<void>;
}

export function neuralPool(threads = 0): NeuralPool {
  const pool = threadPool<NeuralTask, NeuralReply>({
    url: new URL(`./neural-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
    size: poolSize(threads),
    label: 'neural',
    workerOptions: { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } },
  });

  const totals: Record<string, number> = {};
  const count = (prefix: string, stages: Readonly<Record<string, number>>): void => {
    for (const [k, ms] of Object.entries(stages)) totals[`${prefix}.${k}`] = (totals[`${prefix}.${k}`] ?? 0) + ms;
  };
  const check = (reply: NeuralReply): Extract<NeuralReply, { ok: true }> => {
    if (reply.ok) {
      count(reply.kind, reply.stages);
      return reply;
    }
    if (reply.unavailable) throw new NeuralUnavailableError(reply.error);
    throw new Error(`neural worker failed: ${reply.error}`);
  };

  return {
    threads: pool.size,
    async detect(full, angles, minConfidence) {
      pool.checkUsable();
      const s = performance.now();
      // The SSD sees a 512 square whatever it is given: shrinking first (area average) loses
      // nothing it would see and keeps the workers' tensors small.
      const { image, scale } = shrinkRaster(full, SSD_INPUT_SIDE);
      const shared = new SharedArrayBuffer(image.pixels.length);
      new Uint8Array(shared).set(image.pixels);
      count('detect', { shrink: performance.now() - s });
      const task = {
        kind: 'detect',
        pixels: shared,
        width: image.width,
        height: image.height,
        channels: image.channels,
        minConfidence,
      } as const;
      const hitsOf = (reply: NeuralReply): AngleHit[] => {
        const r = check(reply);
        if (r.kind !== 'detect') throw new Error('neural worker answered a detect task with embeddings');
        return r.hits;
      };
      // A small photo's canvases all go to one worker, four to a pass (ssd-mosaic.ts), to the worker
      // with the fewest tasks waiting, the last on a tie (the first also embeds): with the job
      // runner's two photos in flight, both workers stay busy.
      const mosaic = fitsMosaic(
        angles.map((a) => rotationFrame(image.width, image.height, a)),
        SSD_INPUT_SIDE,
      );
      const mosaicOnOne = async (share: readonly number[]) => {
        let slot = pool.size - 1;
        for (let i = slot - 1; i >= 0; i--) if (pool.queued(i) < pool.queued(slot)) slot = i;
        const reply = await pool.send(slot, { ...task, angles: share, mosaic: true });
        return { hits: hitsOf(reply), replies: [reply] };
      };
      const sweep = (share: readonly number[]) =>
        mosaic
          ? mosaicOnOne(share)
          : sweepOnPool(
              pool.size,
              share,
              image.width,
              image.height,
              (i, part) => pool.send(i, { ...task, angles: part, mosaic: false }),
              hitsOf,
            );
      // A small photo: the quarter turns first, the other angles only when no quarter turn found
      // a face surely. A large photo sweeps every angle: where a photo is turned by some random
      // angle, one of its faces can be sure on axis while the others are found only off axis
      // (eval detect --rotate random, 2026-12-05: 378 → 366 of 412 faces with the same rule).
      // A single quarter turn (a step that does not divide 90) would fill a pass on its own, drawn
      // at ~3.4× with no margin pass: that photo sweeps every angle at once, as before.
      const axes = byAxis(angles);
      const { onAxis, offAxis } = mosaic && axes.onAxis.length >= 2 ? axes : { onAxis: angles, offAxis: [] };
      const first = await sweep(onAxis);
      const more = offAxis.length > 0 && needsOffAxis(first.hits) ? await sweep(offAxis) : { hits: [], replies: [] };
      const swept = inAngleOrder(angles, [...first.hits, ...more.hits]);
      const replies = [...first.replies, ...more.replies];
      // The margin pass sees faces upside down or sideways too, sometimes more strongly than the
      // pass at their own angle: it only adds faces that no pass found.
      const margin = replies.flatMap((r) => (r.ok && r.kind === 'detect' ? r.marginHits : []));
      const hits = [...swept, ...unseen(margin, swept)];
      return scale === 1 ? hits : hits.map((h) => ({ ...h, rect: scaleRect(h.rect, 1 / scale) }));
    },
    async embed(chips, padding) {
      pool.checkUsable();
      if (chips.length === 0) return [];
      // All on the first worker: the landmark and descriptor nets then live in one worker's wasm
      // heap only, which keeps a two-worker pool inside the memory budget; embedding is a small
      // share of a photo's time.
      const r = check(await pool.send(0, { kind: 'embed', chips, padding }));
      if (r.kind !== 'embed') throw new Error('neural worker answered an embed task with detections');
      return r.embeddings.map((e) => (e ? Float64Array.from(e) : null));
    },
    stageMs: () => ({ ...totals }),
    close: () => pool.close(),
  };
}

/** Hits of `extra` that overlap none of `found` (IoU of their upright bounding boxes under 0.2). Pure. */
export function unseen(extra: readonly AngleHit[], found: readonly AngleHit[]): AngleHit[] {
  const boxes = found.map((h) => boundingBox(h.rect));
  return extra.filter((h) => {
    const b = boundingBox(h.rect);
    return boxes.every((f) => iou(f, b) < 0.2);
  });
}
