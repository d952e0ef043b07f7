import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type AngleHit, emptyStageTimes, type StageTimes } from '../vision/detect-angle.js';
import { rotationFrame } from '../vision/rotate.js';
import type { AngleTask, AngleTaskReply } from './angle-messages.js';
import type { AngleRunner, AngleRunResult } from './sweep.js';

const MAX_FAILURES_IN_A_ROW = 3;

interface Pending {
  resolve(reply: AngleTaskReply): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * Runs the sweep's angles in parallel on worker threads. The grey image goes to the workers
 * once, in shared memory; each worker takes a balanced share of the angles.
 */
export function workerRunner(cascadePath: string, threads = 0): AngleRunner {
  const size = threads > 0 ? threads : availableParallelism();
  const workerUrl = new URL(`./angle-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  let nextId = 1;
  let closed = false;
  /** Failures in a row with no task completed in between: a worker that cannot even start. */
  let failuresInARow = 0;
  let broken: Error | undefined;

  const spawn = (): Slot => {
    const slot: Slot = { worker: new Worker(workerUrl, { workerData: { cascadePath } }), pending: new Map() };
    let failed = false;
    slot.worker.on('message', (reply: AngleTaskReply) => {
      failuresInARow = 0;
      slot.pending.get(reply.id)?.resolve(reply);
      slot.pending.delete(reply.id);
    });
    // A crashed worker fails its own tasks and is replaced; the other slots carry on. A crash
    // reports both 'error' and 'exit', so act once. Workers that keep dying before finishing
    // anything (e.g. an unreadable cascade file) are not respawned for ever.
    const fail = (err: Error) => {
      if (failed || closed) return;
      failed = true;
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
      failuresInARow++;
      if (failuresInARow >= MAX_FAILURES_IN_A_ROW) {
        broken = new Error(`detection workers keep failing; last error: ${err.message}`);
        return;
      }
      const i = slots.indexOf(slot);
      if (i >= 0) slots[i] = spawn();
    };
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => fail(new Error(`detection worker exited with code ${code}`)));
    return slot;
  };
  const slots: Slot[] = Array.from({ length: size }, spawn);

  const send = (slot: Slot, task: AngleTask): Promise<AngleTaskReply> =>
    new Promise((resolve, reject) => {
      slot.pending.set(task.id, { resolve, reject });
      slot.worker.postMessage(task);
    });

  return {
    async run(grey, angles, settings): Promise<AngleRunResult> {
      if (closed) throw new Error('detection workers are closed');
      if (broken) throw broken;
      const shared = new SharedArrayBuffer(grey.data.length * 8);
      new Float64Array(shared).set(grey.data);
      const shares = balance(angles, grey.width, grey.height, slots.length);
      const replies = await Promise.all(
        shares.map((share, i) =>
          share.length === 0
            ? null
            : send(slots[i] as Slot, {
                id: nextId++,
                grey: shared,
                width: grey.width,
                height: grey.height,
                angles: share,
                settings,
              }),
        ),
      );
      const byAngle = new Map<number, AngleHit[]>();
      const times: StageTimes = emptyStageTimes();
      for (const reply of replies) {
        if (!reply) continue;
        if (!reply.ok) throw new Error(`detection worker failed: ${reply.error}`);
        for (const hit of reply.hits) {
          const list = byAngle.get(hit.rect.angle) ?? [];
          list.push(hit);
          byAngle.set(hit.rect.angle, list);
        }
        for (const k of Object.keys(times) as (keyof StageTimes)[]) times[k] += reply.times[k];
      }
      // Same order as the local runner, so results do not depend on thread timing.
      return { hits: angles.flatMap((a) => byAngle.get(a) ?? []), times };
    },
    async close() {
      closed = true;
      const err = new Error('detection workers were closed');
      for (const slot of slots) {
        for (const p of slot.pending.values()) p.reject(err);
        slot.pending.clear();
      }
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

/** Split angles into `n` shares of similar work (canvas area), largest first. */
export function balance(angles: readonly number[], width: number, height: number, n: number): number[][] {
  const shares: number[][] = Array.from({ length: n }, () => []);
  const load = new Array<number>(n).fill(0);
  const area = (a: number) => {
    const f = rotationFrame(width, height, a);
    return f.width * f.height;
  };
  for (const a of [...angles].sort((x, y) => area(y) - area(x))) {
    const i = load.indexOf(Math.min(...load));
    shares[i]?.push(a);
    load[i] = (load[i] ?? 0) + area(a);
  }
  return shares;
}
