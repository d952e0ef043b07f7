/**
 * One backfill pass: analyse every photo under the photo folders that the store does not already
 * hold for its current size and mtime. The watching daemon will reuse this for its startup scan.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type DetectorOptions, detectFile } from '../detect/detector.js';
import { errnoCode } from '../files/errno.js';
import { listImages } from '../files/walk.js';
import type { Db } from '../store/db.js';
import { type FileStamp, isUpToDate, recordDetection, recordFailure } from '../store/photos.js';
import { DecodeError } from '../vision/decode.js';

/** Bump when detection changes enough that stored results should be recomputed. */
export const PIPELINE_VERSION = 1;

export interface BackfillOptions {
  readonly db: Db;
  readonly photoDirs: readonly string[];
  readonly detector: DetectorOptions;
  /** Called once the work is known (photos needing analysis), before the first one. */
  readonly onStart?: (total: number) => void;
  /** Called after each analysed photo, successful or not. */
  readonly onPhoto?: (file: string) => void;
}

export interface BackfillFailure {
  readonly file: string;
  readonly reason: string;
  readonly message: string;
}

export interface BackfillReport {
  /** Image files found under the photo folders. */
  readonly found: number;
  readonly analysed: number;
  readonly skipped: number;
  readonly failed: readonly BackfillFailure[];
  /** Faces found by this pass (not the store's total). */
  readonly faces: number;
  /** Files that disappeared between listing and analysis. */
  readonly vanished: number;
}

/** stat → stamp; undefined when the file is gone (deleted or moved since the listing). */
async function stampOf(path: string): Promise<FileStamp | undefined> {
  try {
    const s = await stat(path);
    return { path, size: s.size, mtimeMs: Math.trunc(s.mtimeMs), pipelineVersion: PIPELINE_VERSION };
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Bad image files are recorded as failed (with DecodeError.reason) and the pass goes on; any other
 * error (store, detector bug) is fatal and propagates.
 */
export async function backfill(options: BackfillOptions): Promise<BackfillReport> {
  const { db, detector } = options;
  // Absolute paths: the store must not depend on the directory facetag was started from.
  const unreadable: BackfillFailure[] = [];
  const files = await listImages(
    options.photoDirs.map((d) => resolve(d)),
    (path, reason) => unreadable.push({ file: path, reason: 'unreadable-folder', message: `${path}: ${reason}` }),
  );

  // Cheap pass first (stat + one indexed lookup each), so progress counts only real work.
  const todo: FileStamp[] = [];
  let skipped = 0;
  let vanished = 0;
  for (const file of files) {
    const stamp = await stampOf(file);
    if (!stamp) vanished++;
    else if (isUpToDate(db, stamp)) skipped++;
    else todo.push(stamp);
  }
  options.onStart?.(todo.length);

  const failed: BackfillFailure[] = [...unreadable];
  let faces = 0;
  for (const stamp of todo) {
    try {
      const d = await detectFile(stamp.path, detector);
      recordDetection(db, {
        ...stamp,
        width: d.width,
        height: d.height,
        orientation: d.orientation,
        faces: d.faces.map((f) => ({ ...f.rect, strength: f.strength, support: f.support })),
      });
      faces += d.faces.length;
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      recordFailure(db, { ...stamp, code: err.reason, message: err.message });
      failed.push({ file: stamp.path, reason: err.reason, message: err.message });
    }
    options.onPhoto?.(stamp.path);
  }
  return {
    found: files.length,
    analysed: todo.length - (failed.length - unreadable.length),
    skipped,
    failed,
    faces,
    vanished,
  };
}
