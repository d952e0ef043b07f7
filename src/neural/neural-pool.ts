/**
 * The neural engine's worker threads. Each worker holds its own tfjs-wasm instance and nets
 * (single-threaded wasm, so one worker per core is what uses the cores), takes one task at a
 * time, and has a capped JS heap; the photo's pixels go to the workers once, in shared memory.
 * A photo's angles (or chips) are split across the workers and merged back in order, so the
 * result does not depend on thread timing.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { balance } from '../detect/worker-runner.js';
import type { RasterImage } from '../vision/chip.js';
import type { AngleHit } from '../vision/detect-angle.js';
import { scaleRect } from '../vision/geometry.js';
import { NeuralUnavailableError } from './face-api.js';
import type { NeuralReply, NeuralTask } from './neural-messages.js';
import { shrinkRaster } from './shrink.js';
import { SSD_INPUT_SIDE } from './ssd-net.js';

const MAX_FAILURES_IN_A_ROW = 3;

/**
 * JS heap cap per worker. tfjs-wasm keeps tensors in wasm memory, outside this heap; a worker's
 * JS heap peaked at 39 MB used (nets loaded, 8 angles, 8 chips). A low cap makes V8 collect
 * sooner: measured 592 → 529 MB peak for the two-worker bench against a 256 MB cap.
 */
const WORKER_HEAP_MB = 96;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type TaskBody = DistributiveOmit<NeuralTask, 'id'>;

export interface NeuralPool {
  readonly threads: number;
  /** SSD at each angle; hits in detection pixels of `image`, in angle order. */
  detect(image: RasterImage, angles: readonly number[], minConfidence: number): Promise<AngleHit[]>;
  /** One descriptor per chip (null when no landmarks could be placed), in chip order. */
  embed(chips: readonly RasterImage[], padding: number): Promise<(Float64Array | null)[]>;
  close(): Promise<void>;
}

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve(r: NeuralReply): void; reject(e: Error): void }>;
}

export function neuralPool(threads = 0): NeuralPool {
  const size = threads > 0 ? threads : availableParallelism();
  const workerUrl = new URL(`./neural-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  let nextId = 1;
  let closed = false;
  let failuresInARow = 0;
  let broken: Error | undefined;

  const spawn = (): Slot => {
    const slot: Slot = {
      worker: new Worker(workerUrl, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } }),
      pending: new Map(),
    };
    let failed = false;
    slot.worker.on('message', (reply: NeuralReply) => {
      failuresInARow = 0;
      slot.pending.get(reply.id)?.resolve(reply);
      slot.pending.delete(reply.id);
    });
    const fail = (err: Error) => {
      if (failed || closed) return;
      failed = true;
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
      if (++failuresInARow >= MAX_FAILURES_IN_A_ROW) {
        broken = new Error(`neural workers keep failing; last error: ${err.message}`);
        return;
      }
      const i = slots.indexOf(slot);
      if (i >= 0) slots[i] = spawn();
    };
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => fail(new Error(`neural worker exited with code ${code}`)));
    return slot;
  };
  const slots: Slot[] = Array.from({ length: size }, spawn);

  const send = (slot: Slot, body: TaskBody): Promise<NeuralReply> => {
    const task = { ...body, id: nextId++ } as NeuralTask;
    return new Promise((resolve, reject) => {
      slot.pending.set(task.id, { resolve, reject });
      slot.worker.postMessage(task);
    });
  };

  const check = (reply: NeuralReply): Extract<NeuralReply, { ok: true }> => {
    if (reply.ok) return reply;
    if (reply.unavailable) throw new NeuralUnavailableError(reply.error);
    throw new Error(`neural worker failed: ${reply.error}`);
  };

  const ready = () => {
    if (closed) throw new Error('neural workers are closed');
    if (broken) throw broken;
  };

  return {
    threads: size,
    async detect(full, angles, minConfidence) {
      ready();
      // The SSD sees a 512 square whatever it is given: shrinking first (area average) loses
      // nothing it would see and keeps the workers' tensors small.
      const { image, scale } = shrinkRaster(full, SSD_INPUT_SIDE);
      const shared = new SharedArrayBuffer(image.pixels.length);
      new Uint8Array(shared).set(image.pixels);
      const shares = balance(angles, image.width, image.height, slots.length);
      const replies = await Promise.all(
        shares.map((share, i) =>
          share.length === 0
            ? null
            : send(slots[i] as Slot, {
                kind: 'detect',
                pixels: shared,
                width: image.width,
                height: image.height,
                channels: image.channels,
                angles: share,
                minConfidence,
              }),
        ),
      );
      const byAngle = new Map<number, AngleHit[]>();
      for (const reply of replies) {
        if (!reply) continue;
        const r = check(reply);
        if (r.kind !== 'detect') throw new Error('neural worker answered a detect task with embeddings');
        for (const hit of r.hits) byAngle.set(hit.rect.angle, [...(byAngle.get(hit.rect.angle) ?? []), hit]);
      }
      const hits = angles.flatMap((a) => byAngle.get(a) ?? []);
      return scale === 1 ? hits : hits.map((h) => ({ ...h, rect: scaleRect(h.rect, 1 / scale) }));
    },
    async embed(chips, padding) {
      ready();
      if (chips.length === 0) return [];
      // All on the first worker: the landmark and descriptor nets then live in one worker's wasm
      // heap only, which keeps a two-worker pool inside the memory budget; embedding is a small
      // share of a photo's time.
      const r = check(await send(slots[0] as Slot, { kind: 'embed', chips, padding }));
      if (r.kind !== 'embed') throw new Error('neural worker answered an embed task with detections');
      return r.embeddings.map((e) => (e ? Float64Array.from(e) : null));
    },
    async close() {
      closed = true;
      const err = new Error('neural workers were closed');
      for (const slot of slots) {
        for (const p of slot.pending.values()) p.reject(err);
        slot.pending.clear();
      }
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
