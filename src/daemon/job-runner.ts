/**
 * Works through the SQLite job queue with up to `concurrency` photos in flight. Claims only as
 * many jobs as it has free slots (bounded memory whatever the queue's length), sleeps when nothing
 * is due, and wakes early when the watcher queues something.
 */

import { systemTimers, type Timers } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { type ClaimedJob, claimJobs, releaseJob } from '../store/jobs.js';
import { type AnalyseJobContext, type JobResult, LEASE_MS, processAnalyseJob } from './backfill.js';
import type { StorageHealth } from './storage-health.js';

export interface JobRunnerOptions {
  readonly ctx: AnalyseJobContext;
  readonly concurrency: number;
  readonly log: Logger;
  readonly onResult?: (result: JobResult) => void;
  /** Longest sleep when idle: jobs backing off become due without a wake-up (default 5 s). */
  readonly idlePollMs?: number;
  /** Where storage faults pause the work (and the probe that resumes it). */
  readonly health?: StorageHealth;
  /** Its idle sleeps (tests drive them with a fake clock). */
  readonly timers?: Timers;
}

export interface JobRunner {
  /** Look for work now (new jobs were queued). */
  wake(): void;
  /** Photos being analysed right now. */
  inFlight(): number;
  /** Stop claiming, let in-flight photos finish, then resolve. */
  stop(): Promise<void>;
}

export function startJobRunner(options: JobRunnerOptions): JobRunner {
  const { ctx, concurrency, log } = options;
  const idlePollMs = options.idlePollMs ?? 5000;
  const timers = options.timers ?? systemTimers;
  const running = new Set<Promise<void>>();
  let stopping = false;
  let cancel: (() => void) | undefined;
  let wakeUp: (() => void) | undefined;

  // The runner is the daemon's work: its sleep keeps the process alive until it is stopped.
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wakeUp = resolve;
      cancel = timers.after(ms, resolve, { keepAlive: true });
    }).finally(() => {
      cancel?.();
      wakeUp = undefined;
    });

  /** Put a job back; if even that cannot be written, its lease expires and it comes back anyway. */
  const release = (job: ClaimedJob, delayMs: number) => {
    try {
      releaseJob(ctx.db, job, ctx.now(), delayMs);
    } catch (err) {
      if (!options.health?.fault(err, `releasing ${job.key}`))
        log.error('could not release a job', { path: job.key, err });
    }
  };

  const loop = async (): Promise<void> => {
    while (!stopping) {
      const health = options.health;
      if (health?.paused()) {
        await sleep(health.retryMs());
        if (stopping || !health.resumeIfWritable()) continue;
      }
      const free = concurrency - running.size;
      let jobs: ClaimedJob[] = [];
      try {
        if (free > 0) jobs = claimJobs(ctx.db, { limit: free, leaseMs: LEASE_MS, now: ctx.now(), kinds: ['analyse'] });
      } catch (err) {
        if (!health?.fault(err, 'claiming jobs')) throw err;
        continue;
      }
      for (const job of jobs) {
        const p = processAnalyseJob(job, ctx)
          .then((result) => options.onResult?.(result))
          .catch((err: unknown) => {
            // A full disk pauses the daemon; this job waits in the queue. Anything else is a bug or
            // a store error: the job goes back to the queue with a delay, the daemon goes on.
            if (health?.fault(err, job.key)) return release(job, 0);
            log.error('analysis failed unexpectedly', { path: job.key, err });
            release(job, 60_000);
          })
          .finally(() => {
            running.delete(p);
            wakeUp?.();
          });
        running.add(p);
      }
      if (jobs.length === 0 || running.size >= concurrency) await sleep(idlePollMs);
    }
  };
  const done = loop();

  return {
    wake: () => wakeUp?.(),
    inFlight: () => running.size,
    async stop() {
      stopping = true;
      wakeUp?.();
      await done;
      await Promise.all(running);
    },
  };
}
