/**
 * The neural engine's worker threads: one by default, running each net on every core (onnxruntime's
 * threads), which measured faster per megabyte than a worker per core (config `neural.workers`).
 * Each worker holds its own nets, the first also the landmark and descriptor nets, takes one task
 * at a time, and has a capped JS heap; the photo's pixels go to the workers once, in shared memory.
 * A photo's angles are split across the workers and merged back in order, so the result does
 * not depend on thread timing; its faces are embedded on the first worker. The lifecycle (crash,
 * respawn, give up, close) is workers/thread-pool.ts.
 */
import { availableParallelism } from 'node:os';
import { inAngleOrder, sweepOnPool } from '../detect/worker-runner.js';
import type { RasterImage } from '../vision/chip.js';
import type { AngleHit } from '../vision/detect-angle.js';
import { scaleRect } from '../vision/geometry.js';
import { rotationFrame } from '../vision/rotate.js';
import { poolSize, threadPool } from '../workers/thread-pool.js';
import { NeuralUnavailableError } from './face-api.js';
import { focusRegion, scaleFocus } from './focus.js';
import type { NeuralBackend, NeuralReply, NeuralTask, NeuralWorkerData } from './neural-messages.js';
import { byAxis, needsOffAxis } from './on-axis.js';
import { shrinkRaster } from './shrink.js';
import { unseen } from './ssd-hits.js';
import { fitsMosaic } from './ssd-mosaic.js';
import { SSD_INPUT_SIDE } from './ssd-net.js';
import { halfSizeKept, settlesUpright } from './upright-first.js';

/**
 * JS heap cap per worker. The nets keep their tensors outside this heap (onnxruntime's or wasm memory); a worker's
 * JS heap peaked at 39 MB used (nets loaded, 8 angles, 8 chips). A low cap makes V8 collect
 * sooner: measured 592 → 529 MB peak for the two-worker bench against a 256 MB cap.
 */
const WORKER_HEAP_MB = 96;

export interface NeuralPool {
  readonly threads: number;
  /**
   * SSD at the sweep's angles; hits in detection pixels of `image`, in angle order. A small photo
   * looks at its off-axis angles only when no quarter turn found a face surely (on-axis.ts
   * needsOffAxis); a large one looks at its angles other than 0° and 180° at half size once most
   * sure faces of its upright pass `looksUpright` (upright-first.ts; `() => false`: always full
   * size), then once more, closer, where its faces are (focus.ts).
   */
  detect(
    image: RasterImage,
    angles: readonly number[],
    minConfidence: number,
    looksUpright: (hit: AngleHit) => boolean,
  ): Promise<AngleHit[]>;
  /** One descriptor per chip (null when no landmarks could be placed), in chip order. */
  embed(chips: readonly RasterImage[], padding: number): Promise<(Float64Array | null)[]>;
  /** Milliseconds spent per stage since the pool started, summed over workers (bench:neural). */
  stageMs?(): Readonly<Record<string, number>>;
  close(): Promise<void>;
}

/**
 * `workers` threads (0: one per core), each running its nets on `netThreads` cores (0: the cores
 * shared among the workers), on `backend`.
 */
export function neuralPool(workers = 1, netThreads = 0, backend: NeuralBackend = 'onnxruntime'): NeuralPool {
  const size = poolSize(workers);
  const threads = netThreads > 0 ? netThreads : Math.max(1, Math.floor(availableParallelism() / size));
  const data: NeuralWorkerData = { threads, backend };
  const pool = threadPool<NeuralTask, NeuralReply>({
    url: new URL(`./neural-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
    size,
    label: 'neural',
    workerOptions: { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB }, workerData: data },
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
    async detect(full, angles, minConfidence, looksUpright) {
      pool.checkUsable();
      const s = performance.now();
      // The SSD sees a 512 square whatever it is given: shrinking first (area average) loses
      // nothing it would see and keeps the workers' tensors small.
      const { image, scale } = shrinkRaster(full, SSD_INPUT_SIDE);
      count('detect', { shrink: performance.now() - s });
      const task = {
        kind: 'detect',
        minConfidence,
        mosaic: false,
        marginPass: false,
        focus: null,
        ...sharedImage(image),
      } as const;
      const detected = (reply: NeuralReply) => {
        const r = check(reply);
        if (r.kind !== 'detect') throw new Error('neural worker answered a detect task with embeddings');
        return r;
      };
      const hitsOf = (reply: NeuralReply): AngleHit[] => detected(reply).hits;
      const toPhoto = (h: AngleHit): AngleHit => (scale === 1 ? h : { ...h, rect: scaleRect(h.rect, 1 / scale) });

      /** Every angle at full size, split across the workers; the margin pass with the upright canvas. */
      const fullSize = (share: readonly number[]): Promise<Swept> =>
        sweepOnPool(
          pool.size,
          share,
          image.width,
          image.height,
          (i, part) => pool.send(i, { ...task, angles: part, marginPass: part.includes(0) }),
          hitsOf,
        );
      /**
       * Canvases four to a pass (ssd-mosaic.ts), on the worker with the fewest tasks waiting, the
       * last on a tie (the first also embeds): with the job runner's two photos in flight, both
       * workers stay busy.
       */
      const mosaicOnOne = async (share: readonly number[]): Promise<Swept> => {
        let slot = pool.size - 1;
        for (let i = slot - 1; i >= 0; i--) if (pool.queued(i) < pool.queued(slot)) slot = i;
        const reply = await pool.send(slot, { ...task, angles: share, mosaic: true });
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
        const parts = split(share, pool.size);
        const replies = await Promise.all(parts.map((part, i) => pool.send(i, { ...halfTask, angles: part })));
        const hits = replies.flatMap(hitsOf).map((h) => ({ ...h, rect: scaleRect(h.rect, 1 / halfScale) }));
        return { hits: inAngleOrder(share, hits), replies };
      };

      /** One more pass, closer, where the sure faces are (focus.ts), on a sharper copy of the photo. */
      const closerLook = async (hits: readonly AngleHit[]): Promise<AngleHit[]> => {
        const focus = focusRegion(hits, image.width, image.height);
        if (!focus) return [];
        const { image: detail, scale: detailScale } = shrinkRaster(full, Math.round(SSD_INPUT_SIDE * focus.gain));
        const rescale = detailScale / scale;
        const reply = await pool.send(0, {
          ...task,
          ...sharedImage(detail),
          angles: [],
          focus: scaleFocus(focus, rescale),
        });
        return detected(reply).extraHits.map((h) => ({ ...h, rect: scaleRect(h.rect, 1 / rescale) }));
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
