/**
 * The neural engine's worker threads: one by default, running each net on every core (onnxruntime's
 * threads), which measured faster per megabyte than a worker per core (config `neural.workers`).
 * Each worker holds its own nets, the first also the landmark and descriptor nets, takes one task
 * at a time, and has a capped JS heap; the photo's pixels go to the workers once, in shared memory.
 * Which canvases a photo's sweep sends where is photo-sweep.ts; its faces are embedded on the
 * first worker. The lifecycle (crash, respawn, give up, close) is workers/thread-pool.ts.
 */
import { availableParallelism } from 'node:os';
import type { RasterImage } from '../vision/chip.js';
import type { AngleHit } from '../vision/detect-angle.js';
import { poolSize, threadPool } from '../workers/thread-pool.js';
import { NeuralUnavailableError } from './face-api.js';
import type { NeuralBackend, NeuralReply, NeuralTask, NeuralWorkerData } from './neural-messages.js';
import { disableOrtTelemetry } from './onnxruntime.js';
import { type SweepWorkers, sweepPhoto } from './photo-sweep.js';

/**
 * JS heap cap per worker. The nets keep their tensors outside this heap (onnxruntime's or wasm memory); a worker's
 * JS heap peaked at 39 MB used (nets loaded, 8 angles, 8 chips). A low cap makes V8 collect
 * sooner: measured 592 → 529 MB peak for the two-worker bench against a 256 MB cap.
 */
const WORKER_HEAP_MB = 96;

export interface NeuralPool {
  /** Worker threads (each runs its nets on `neural.threads` cores). */
  readonly workers: number;
  /** SSD at the sweep's angles; hits in detection pixels of `image`, in angle order (photo-sweep.ts sweepPhoto). */
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
  /** What ran the SSD and the embedding nets in the latest replies (none before the first). */
  backends?(): { readonly detect?: NeuralBackend; readonly embed?: NeuralBackend };
  close(): Promise<void>;
}

/**
 * `workers` threads (0: one per core), each running its nets on `netThreads` cores (0: the cores
 * shared among the workers), on `backend`.
 */
export function neuralPool(workers = 1, netThreads = 0, backend: NeuralBackend = 'onnxruntime'): NeuralPool {
  // Before the workers load onnxruntime: only this thread's environment reaches its native code.
  disableOrtTelemetry();
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
  const backends: { detect?: NeuralBackend; embed?: NeuralBackend } = {};
  const check = (reply: NeuralReply): Extract<NeuralReply, { ok: true }> => {
    if (reply.ok) {
      count(reply.kind, reply.stages);
      backends[reply.kind] = reply.backend;
      return reply;
    }
    if (reply.unavailable) throw new NeuralUnavailableError(reply.error);
    throw new Error(`neural worker failed: ${reply.error}`);
  };

  return {
    workers: pool.size,
    async detect(full, angles, minConfidence, looksUpright) {
      pool.checkUsable();
      const workers: SweepWorkers = {
        size: pool.size,
        send: (slot, task) => pool.send(slot, task),
        queued: (slot) => pool.queued(slot),
        detected: (reply) => {
          const r = check(reply);
          if (r.kind !== 'detect') throw new Error('neural worker answered a detect task with embeddings');
          return r;
        },
        count: (stages) => count('detect', stages),
      };
      return sweepPhoto(workers, full, angles, minConfidence, looksUpright);
    },
    async embed(chips, padding) {
      pool.checkUsable();
      if (chips.length === 0) return [];
      // All on the first worker: the landmark and descriptor nets then live in one worker only,
      // which keeps a two-worker pool inside the memory budget; embedding is a small share of a
      // photo's time.
      const r = check(await pool.send(0, { kind: 'embed', chips, padding }));
      if (r.kind !== 'embed') throw new Error('neural worker answered an embed task with detections');
      return r.embeddings.map((e) => (e ? Float64Array.from(e) : null));
    },
    stageMs: () => ({ ...totals }),
    backends: () => ({ ...backends }),
    close: () => pool.close(),
  };
}
