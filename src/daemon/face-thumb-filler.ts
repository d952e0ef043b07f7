/**
 * Makes the colour pictures (faces.thumb) of faces analysed before schema v6, in the background:
 * one content at a time, only while no analysis is due or running, with a pause after each, so it
 * never holds up tagging. The store is the state (faces whose thumb is NULL), so a restart simply
 * carries on where the last run stopped. A content whose file cannot be decoded is passed over for
 * this run (the next start tries it once more); faces analysed since v6 get theirs with the analysis.
 */

import { systemTimers, type Timers } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { DetectionConfig } from '../detect/settings.js';
import { decodeForDetection } from '../engine/detector.js';
import { faceThumb } from '../pipeline/face-thumb.js';
import type { Db } from '../store/db.js';
import { countThumblessFaces, nextThumblessContent, storeFaceThumbs } from '../store/face-thumbs.js';
import { DecodeError } from '../vision/decode.js';
import { scaleRect } from '../vision/geometry.js';

export interface FaceThumbFillerOptions {
  readonly db: Db;
  readonly log: Logger;
  /** Decode as the analysis did (its detection size), so the crop is cut from the same pixels. */
  readonly decode: { readonly detection: DetectionConfig; readonly maxPixels: number };
  /** True while analysis has work due or running: the filler waits. */
  readonly busy: () => boolean;
  /** Pause after each content (default 100 ms): the filler takes at most a share of one core. */
  readonly pauseMs?: number;
  /** How long to wait before looking again while analysis is busy (default 5 s). */
  readonly busyWaitMs?: number;
  /** Called after each content is done (tests stop the filler half-way with it). */
  readonly onContent?: (contentId: number) => void;
  /** Its pauses and waits (tests drive them with a fake clock). */
  readonly timers?: Timers;
}

export interface FaceThumbFillerReport {
  /** Faces given a thumb. */
  readonly filled: number;
  /** Contents passed over: file unreadable, undecodable, or not the bytes analysed. */
  readonly skipped: number;
  /** False when stopped before the end of the pass. */
  readonly complete: boolean;
}

export interface FaceThumbFiller {
  /** Resolves when the pass has ended (all faces done, or stopped). */
  readonly finished: Promise<FaceThumbFillerReport>;
  stop(): Promise<void>;
}

export function startFaceThumbFiller(options: FaceThumbFillerOptions): FaceThumbFiller {
  const { db, log, busy } = options;
  const timers = options.timers ?? systemTimers;
  const pauseMs = options.pauseMs ?? 100;
  const busyWaitMs = options.busyWaitMs ?? 5000;
  let stopped = false;
  let wakeSleeper: (() => void) | undefined;

  /** Wait `ms`, or less if stopped meanwhile (a pass under way keeps the process alive). */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const cancel = timers.after(ms, done, { keepAlive: true });
      function done() {
        cancel();
        wakeSleeper = undefined;
        resolve();
      }
      wakeSleeper = done;
    });

  const run = async (): Promise<FaceThumbFillerReport> => {
    let filled = 0;
    let skipped = 0;
    let after = 0;
    const total = countThumblessFaces(db);
    if (total === 0) return { filled, skipped, complete: true };
    log.info('making colour pictures of faces analysed before them', { faces: total });
    // Yield once before the first decode: start-up work goes first (a turn of the event loop, not time).
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (!stopped) {
      if (busy()) {
        await sleep(busyWaitMs);
        continue;
      }
      const next = nextThumblessContent(db, after);
      if (!next) break;
      after = next.contentId;
      try {
        const image = await decodeForDetection(next.path, options.decode);
        if (next.width !== null && (image.fullWidth !== next.width || image.fullHeight !== next.height)) {
          // The file changed since it was analysed: its re-analysis will bring the thumbs.
          skipped++;
        } else {
          const scale = image.width / image.fullWidth;
          const thumbs = [];
          for (const face of next.faces) thumbs.push({ face, thumb: await faceThumb(image, scaleRect(face, scale)) });
          if (!stopped) filled += storeFaceThumbs(db, thumbs);
        }
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        skipped++;
        log.debug('face pictures not made', { path: next.path, reason: err.reason });
      }
      options.onContent?.(next.contentId);
      if (!stopped) await sleep(pauseMs);
    }
    const report = { filled, skipped, complete: !stopped };
    log.info(stopped ? 'face pictures paused until the next start' : 'face pictures made', report);
    return report;
  };

  const finished = run().catch((err: unknown) => {
    log.error('making face pictures failed', { err });
    return { filled: 0, skipped: 0, complete: false };
  });
  return {
    finished,
    async stop() {
      stopped = true;
      wakeSleeper?.();
      await finished;
    },
  };
}
