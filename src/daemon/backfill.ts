/**
 * One backfill pass (`facetag run` today): reconcile the photo folders with the store, then drain
 * the 'analyse' jobs that are due. `processAnalyseJob` is the per-job protocol of
 * store/analysis.ts (stat → hash → identify → analyse → record); the daemon's workers use the
 * same function with their own analyser.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Hasher, hashFile } from '../files/content-hash.js';
import { errnoCode } from '../files/errno.js';
import { identifyPhoto, recordAnalysis, recordFailure, recordVanished } from '../store/analysis.js';
import type { Db } from '../store/db.js';
import type { FaceInput } from '../store/face-writes.js';
import {
  type BackoffPolicy,
  type ClaimedJob,
  claimJobs,
  DEFAULT_BACKOFF,
  deferJob,
  LeaseLostError,
  queueStats,
  releaseJob,
  releaseLeases,
  retryJob,
} from '../store/jobs.js';
import type { FileStamp } from '../store/photos.js';
import { reconcile } from './reconcile.js';

/** Bump when detection changes enough that stored results should be recomputed. */
export const PIPELINE_VERSION = 1;

/** What analysing one file gave: the faces, or why not (transient errors are retried with backoff). */
export type AnalysisOutcome =
  | {
      readonly ok: true;
      readonly width: number;
      readonly height: number;
      readonly orientation: number;
      readonly takenAt: number | null;
      readonly modelVersion: string | null;
      readonly faces: readonly FaceInput[];
    }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly transient: boolean };

/** Analyse the file at a path. Throwing is a bug (the job stays leased and comes back). */
export type Analyser = (path: string) => Promise<AnalysisOutcome>;

export interface AnalyseJobContext {
  readonly db: Db;
  readonly pipelineVersion: number;
  readonly analyse: Analyser;
  readonly now: () => number;
  readonly hasher?: Hasher;
  /** Give up (permanent failure 'gave-up') once a job has failed this many times (default 10). */
  readonly maxAttempts?: number;
  readonly backoff?: BackoffPolicy;
  /** A file left truncated this long after its last change is a permanent failure (default 24 h). */
  readonly truncatedAfterMs?: number;
}

export type JobResult =
  | { readonly kind: 'analysed'; readonly path: string; readonly faces: number }
  /** Bytes already analysed (copy, move, touch, a photo come back): linked, not decoded. */
  | { readonly kind: 'reused'; readonly path: string }
  /** Permanent: recorded on the photo, not retried until the file changes. */
  | { readonly kind: 'failed'; readonly path: string; readonly code: string; readonly message: string }
  /** The same bytes failed before with this pipeline: nothing tried. */
  | { readonly kind: 'failed-before'; readonly path: string }
  | { readonly kind: 'retry'; readonly path: string; readonly code: string; readonly message: string }
  | { readonly kind: 'vanished'; readonly path: string }
  /** Another worker holds the job now; nothing was written. */
  | { readonly kind: 'lease-lost'; readonly path: string };

/** A file changing under analysis is probably still being copied: look again a little later. */
const CHANGED_RETRY_MS = 10_000;

/** How long a truncated file may stay unchanged before it is a failure rather than a copy in progress. */
export const TRUNCATED_AFTER_MS = 24 * 3600_000;

/**
 * When to look at a truncated file again, or 0 to give up on it now. Its last change is the later
 * of mtime and ctime (a copy that sets an old mtime still moves ctime). Looks come quickly after a
 * change and then further apart (half the file's quiet time, 30 s to 1 h), with one at the deadline.
 */
export function truncatedWait(file: { mtimeMs: number; ctimeMs: number }, now: number, afterMs: number): number {
  const quiet = Math.max(0, now - Math.max(file.mtimeMs, file.ctimeMs));
  if (quiet >= afterMs) return 0;
  return Math.ceil(Math.min(afterMs - quiet, Math.max(30_000, Math.min(3600_000, quiet / 2))));
}

const formatHours = (ms: number): string => `${Number((ms / 3600_000).toFixed(2))} h`;

/** Errors a later attempt may not see: NAS hiccups, busy files. Others (EACCES…) are permanent. */
const PERMANENT_FS_ERRORS = new Set(['EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG']);

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Run one claimed 'analyse' job to an outcome. Every outcome is recorded with the job's completion. */
export async function processAnalyseJob(job: ClaimedJob, ctx: AnalyseJobContext): Promise<JobResult> {
  const { db, pipelineVersion, now } = ctx;
  const path = job.key;
  const hasher = ctx.hasher ?? hashFile;

  const fsFailure = (err: unknown, stamp: FileStamp | undefined): JobResult => {
    const code = errnoCode(err);
    if (code === 'ENOENT') {
      recordVanished(db, job, path, now());
      return { kind: 'vanished', path };
    }
    const message = `${path}: ${messageOf(err)}`;
    if (code !== undefined && PERMANENT_FS_ERRORS.has(code) && stamp) {
      recordFailure(db, job, { ...stamp, hash: null, pipelineVersion, code: 'unreadable', message }, now());
      return { kind: 'failed', path, code: 'unreadable', message };
    }
    retryJob(db, job, message, now(), ctx.backoff ?? DEFAULT_BACKOFF);
    return { kind: 'retry', path, code: code ?? 'error', message };
  };

  try {
    let stamp: FileStamp;
    try {
      const s = await stat(path);
      stamp = { path, size: s.size, mtimeMs: Math.trunc(s.mtimeMs) };
    } catch (err) {
      return fsFailure(err, undefined);
    }
    if (job.attempts >= (ctx.maxAttempts ?? 10)) {
      const message = `${path}: gave up after ${job.attempts} failed attempts`;
      recordFailure(db, job, { ...stamp, hash: null, pipelineVersion, code: 'gave-up', message }, now());
      return { kind: 'failed', path, code: 'gave-up', message };
    }
    let hash: string;
    try {
      hash = await hasher(path);
    } catch (err) {
      return fsFailure(err, stamp);
    }
    const identity = identifyPhoto(db, job, { ...stamp, hash }, pipelineVersion, now());
    if (identity.outcome === 'reused') return { kind: 'reused', path };
    if (identity.outcome === 'failed-before') return { kind: 'failed-before', path };

    const outcome = await ctx.analyse(path);
    // The result must describe the bytes that were hashed.
    const after = await stat(path).catch(() => undefined);
    if (!after || after.size !== stamp.size || Math.trunc(after.mtimeMs) !== stamp.mtimeMs) {
      releaseJob(db, job, now(), CHANGED_RETRY_MS);
      return { kind: 'retry', path, code: 'changed-during-analysis', message: `${path}: changed while analysed` };
    }
    if (outcome.ok) {
      const { width, height, orientation, takenAt, modelVersion, faces } = outcome;
      const record = { ...stamp, hash, pipelineVersion, width, height, orientation, takenAt, modelVersion, faces };
      const report = recordAnalysis(db, job, record, now());
      return { kind: 'analysed', path, faces: report.inserted + report.updated };
    }
    let { message } = outcome;
    if (outcome.transient && outcome.code === 'truncated') {
      const afterMs = ctx.truncatedAfterMs ?? TRUNCATED_AFTER_MS;
      const wait = truncatedWait(after, now(), afterMs);
      if (wait > 0) {
        deferJob(db, job, `${outcome.code}: ${message} (still being written?)`, now(), wait);
        return { kind: 'retry', path, code: outcome.code, message };
      }
      message += `, unchanged for ${formatHours(afterMs)}`;
    } else if (outcome.transient) {
      retryJob(db, job, `${outcome.code}: ${message}`, now(), ctx.backoff ?? DEFAULT_BACKOFF);
      return { kind: 'retry', path, code: outcome.code, message };
    }
    recordFailure(db, job, { ...stamp, hash, pipelineVersion, code: outcome.code, message }, now());
    return { kind: 'failed', path, code: outcome.code, message };
  } catch (err) {
    if (err instanceof LeaseLostError) return { kind: 'lease-lost', path };
    throw err;
  }
}

export interface BackfillOptions {
  readonly db: Db;
  readonly photoDirs: readonly string[];
  /** One photo through the pipeline: the daemon's analyser (analyser.ts), as `run --once` uses it. */
  readonly analyse: Analyser;
  readonly hasher?: Hasher;
  readonly now?: () => number;
  /** What analyses now record (store/pipeline.ts); default PIPELINE_VERSION. */
  readonly pipelineVersion?: number;
  /** Called once the work is known (jobs due), before the first one. */
  readonly onStart?: (total: number) => void;
  /** Called after each processed job, whatever its outcome. */
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
  /** Photos processed by this pass: detected, or recognised by content hash. */
  readonly analysed: number;
  /** Of `analysed`, those whose bytes were already analysed (not decoded again). */
  readonly reused: number;
  /** Unchanged since the last pass (stat matched), or failed before with the same bytes. */
  readonly skipped: number;
  readonly failed: readonly BackfillFailure[];
  /** Faces found by this pass (not the store's total). */
  readonly faces: number;
  /** Files that disappeared between listing and analysis. */
  readonly vanished: number;
  /** Stored photos whose files are gone (marked removed; labels kept). */
  readonly removed: number;
  /** Files recognised at a new path by hash. */
  readonly moved: number;
  /** Jobs left for a later pass after a transient error. */
  readonly retrying: number;
  /** Roots whose vanished photos were not marked removed (unreadable or suddenly empty). */
  readonly skippedRoots: readonly string[];
}

/** How many jobs to hold at once: the queue stays in SQLite. */
export const CLAIM_BATCH = 4;
/** How long a worker may hold a job before it counts as abandoned (a crashed worker's job comes back). */
export const LEASE_MS = 10 * 60_000;

/**
 * Process 'analyse' jobs one at a time until none is due, claiming a few at a time (bounded
 * memory). Jobs backing off after a transient error are left for later.
 */
export async function drainJobs(ctx: AnalyseJobContext, onResult?: (result: JobResult) => void): Promise<void> {
  for (;;) {
    const jobs = claimJobs(ctx.db, { limit: CLAIM_BATCH, leaseMs: LEASE_MS, now: ctx.now(), kinds: ['analyse'] });
    if (jobs.length === 0) return;
    for (const job of jobs) {
      // Not `onResult?.(await …)`: optional call skips evaluating its argument when there is no callback.
      const result = await processAnalyseJob(job, ctx);
      onResult?.(result);
    }
  }
}

/**
 * Bad image files are recorded as failed (with DecodeError.reason) and the pass goes on; any other
 * error (store, detector bug) is fatal and propagates, leaving its job to the next pass.
 */
export async function backfill(options: BackfillOptions): Promise<BackfillReport> {
  const { db } = options;
  const now = options.now ?? Date.now;
  // This pass is the store's only writer: a lease left behind belongs to a run that died.
  releaseLeases(db, now());

  const failed: BackfillFailure[] = [];
  const pipelineVersion = options.pipelineVersion ?? PIPELINE_VERSION;
  // Absolute paths: the store must not depend on the directory facetag was started from.
  const r = await reconcile({
    db,
    roots: options.photoDirs.map((d) => resolve(d)),
    pipelineVersion,
    now,
    ...(options.hasher ? { hasher: options.hasher } : {}),
    onProblem: (path, reason) =>
      failed.push({ file: path, reason: 'unreadable-folder', message: `${path}: ${reason}` }),
  });
  options.onStart?.(queueStats(db, now()).due);

  const ctx: AnalyseJobContext = {
    db,
    pipelineVersion,
    analyse: options.analyse,
    now,
    ...(options.hasher ? { hasher: options.hasher } : {}),
  };
  let analysed = 0;
  let reused = 0;
  let faces = 0;
  let skipped = r.unchanged;
  let vanished = r.vanishedWhileScanning;
  let retrying = 0;
  await drainJobs(ctx, (result) => {
    switch (result.kind) {
      case 'analysed':
        analysed++;
        faces += result.faces;
        break;
      case 'reused':
        analysed++;
        reused++;
        break;
      case 'failed':
        failed.push({ file: result.path, reason: result.code, message: result.message });
        break;
      case 'failed-before':
        skipped++;
        break;
      case 'retry':
        retrying++;
        break;
      case 'vanished':
        vanished++;
        break;
      case 'lease-lost':
        break;
    }
    options.onPhoto?.(result.path);
  });
  return {
    found: r.seen,
    analysed,
    reused,
    skipped,
    failed,
    faces,
    vanished,
    removed: r.removed,
    moved: r.moved,
    retrying,
    skippedRoots: r.skippedRoots.map((s) => s.detail),
  };
}
