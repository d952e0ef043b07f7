/**
 * Pause, don't crash, when the disk cannot take writes (issue 15 §2). The daemon's loops report
 * their errors here; a storage fault (full disk or database, I/O error, read-only) pauses the
 * work, is said once in the log, and shows in STATUS=, /readyz and `facetag status`. The job
 * runner asks `resumeIfWritable` before each round while paused: a probe write that succeeds
 * ends the pause. Nothing is lost meanwhile: a job whose write failed keeps its queue row (its
 * lease expires and it runs again), and a watcher event that could not be stored is found by the
 * reconcile that follows the pause.
 */

import type { Logger } from '../core/logger.js';
import { storageFaultCode, storageFaultText } from '../files/storage-fault.js';

export interface Pause {
  readonly code: string;
  /** What the code means, in words. */
  readonly text: string;
  /** Where it was met first ("claiming jobs", a photo's path...). */
  readonly where: string;
  readonly since: number;
}

export interface StorageHealth {
  /** Note an error: true when it was a storage fault (the daemon is now paused). */
  fault(err: unknown, where: string): boolean;
  /** The current pause, or undefined while writes work. */
  paused(): Pause | undefined;
  /** While paused: probe a write; when it works, end the pause (and tell onResume). True when running. */
  resumeIfWritable(): boolean;
  /** How long a paused loop waits before probing again: doubles from 2 s to 60 s. */
  retryMs(): number;
}

export interface StorageHealthOptions {
  readonly log: Logger;
  readonly now: () => number;
  /** A write that throws while the disk still cannot take it (store/storage-probe.ts). */
  readonly probe: () => void;
  /** The pause ended: catch up on what was missed (a reconcile). */
  readonly onResume?: (pause: Pause) => void;
}

const FIRST_RETRY_MS = 2000;
const MAX_RETRY_MS = 60_000;

export function createStorageHealth(options: StorageHealthOptions): StorageHealth {
  const { log, now } = options;
  let pause: Pause | undefined;
  let retry = FIRST_RETRY_MS;

  return {
    fault(err, where) {
      const code = storageFaultCode(err);
      if (code === undefined) return false;
      if (!pause) {
        pause = { code, text: storageFaultText(code), where, since: now() };
        retry = FIRST_RETRY_MS;
        log.error('paused: cannot write', {
          code,
          reason: pause.text,
          where,
          err,
          hint: 'facetag resumes by itself once it can write again; nothing is lost',
        });
      }
      return true;
    },
    paused: () => pause,
    resumeIfWritable() {
      if (!pause) return true;
      try {
        options.probe();
      } catch (err) {
        if (storageFaultCode(err) === undefined) throw err;
        retry = Math.min(retry * 2, MAX_RETRY_MS);
        return false;
      }
      const ended = pause;
      pause = undefined;
      log.info('resumed: writes work again', { code: ended.code, pausedMs: now() - ended.since });
      options.onResume?.(ended);
      return true;
    },
    retryMs: () => retry,
  };
}

/** The pause in one line, for STATUS= and /readyz. */
export const pauseText = (p: Pause): string =>
  `paused since ${new Date(p.since).toISOString()}: ${p.text} (${p.code}); resumes by itself when writes work again`;
