/**
 * A fixed set of worker threads that answer tasks by id: the lifecycle the cascade's angle
 * workers and the neural workers share. A crashed worker fails its own pending tasks and is
 * replaced; the others carry on. Workers that keep dying before answering anything (a broken
 * cascade file, a package that will not load) are not respawned for ever: later calls fail at
 * once with the reason.
 */
import { availableParallelism } from 'node:os';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const MAX_FAILURES_IN_A_ROW = 3;

/** Threads for a configured count: 0 means one per CPU core. */
export function poolSize(threads: number): number {
  return threads > 0 ? threads : availableParallelism();
}

/** Omit over each member of a union (a task union keeps its discriminant). */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface ThreadPool<Task extends { readonly id: number }, Reply extends { readonly id: number }> {
  readonly size: number;
  /** Post `task` to worker `slot` under a fresh id; resolves with that worker's reply. */
  send(slot: number, task: DistributiveOmit<Task, 'id'>): Promise<Reply>;
  /** Tasks sent to worker `slot` and not yet answered. */
  queued(slot: number): number;
  /** Throws when the pool is closed or has given up on its workers. */
  checkUsable(): void;
  /** Ends every worker; pending tasks are rejected. */
  close(): Promise<void>;
}

interface Slot<Reply> {
  worker: Worker;
  pending: Map<number, { resolve(reply: Reply): void; reject(err: Error): void }>;
}

/** `label` names the workers in errors ("detection" → "detection worker exited with code 1"). */
export function threadPool<Task extends { readonly id: number }, Reply extends { readonly id: number }>(options: {
  readonly url: URL;
  readonly size: number;
  readonly label: string;
  readonly workerOptions?: WorkerOptions;
}): ThreadPool<Task, Reply> {
  const { url, size, label, workerOptions } = options;
  let nextId = 1;
  let closed = false;
  /** Failures in a row with no task answered in between: a worker that cannot even start. */
  let failuresInARow = 0;
  let broken: Error | undefined;

  const spawn = (): Slot<Reply> => {
    const slot: Slot<Reply> = { worker: new Worker(url, workerOptions), pending: new Map() };
    let failed = false;
    slot.worker.on('message', (reply: Reply) => {
      failuresInARow = 0;
      slot.pending.get(reply.id)?.resolve(reply);
      slot.pending.delete(reply.id);
    });
    // A crash reports both 'error' and 'exit': act once.
    const fail = (err: Error) => {
      if (failed || closed) return;
      failed = true;
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
      if (++failuresInARow >= MAX_FAILURES_IN_A_ROW) {
        broken = new Error(`${label} workers keep failing; last error: ${err.message}`);
        return;
      }
      const i = slots.indexOf(slot);
      if (i >= 0) slots[i] = spawn();
    };
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => fail(new Error(`${label} worker exited with code ${code}`)));
    return slot;
  };
  const slots: Slot<Reply>[] = Array.from({ length: size }, spawn);

  return {
    size,
    send(i, body) {
      if (closed) return Promise.reject(new Error(`${label} workers are closed`));
      if (broken) return Promise.reject(broken);
      const slot = slots[i];
      if (!slot) return Promise.reject(new Error(`${label} worker ${i} does not exist (pool of ${size})`));
      const task = { ...body, id: nextId++ } as unknown as Task;
      return new Promise((resolve, reject) => {
        slot.pending.set(task.id, { resolve, reject });
        slot.worker.postMessage(task);
      });
    },
    queued: (i) => slots[i]?.pending.size ?? 0,
    checkUsable() {
      if (closed) throw new Error(`${label} workers are closed`);
      if (broken) throw broken;
    },
    async close() {
      closed = true;
      const err = new Error(`${label} workers were closed`);
      for (const slot of slots) {
        for (const p of slot.pending.values()) p.reject(err);
        slot.pending.clear();
      }
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
