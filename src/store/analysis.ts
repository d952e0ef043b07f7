/**
 * The outcomes of an 'analyse' job, each one transaction that also completes the job (issue 4
 * item 5: "record analysis + complete job" is atomic, so a kill -9 anywhere leaves either the old
 * state and a claimable job, or the new state and no job — never both, never half).
 *
 * The worker's protocol for a job on path P:
 *   1. stat P (gone: `recordVanished`); hash the bytes;
 *   2. `identifyPhoto`: if the bytes are a content already analysed by this pipeline (a copy, a
 *      move, a touch, a deleted photo come back), P is linked to it and the job is done — no
 *      decode, faces and labels shared; if the same bytes already failed, the failure stands;
 *   3. otherwise analyse, then `recordAnalysis` or `recordFailure` (permanent) — or, for a
 *      transient error, `retryJob` from jobs.ts.
 */
import * as z from 'zod';
import { type Db, prepared, writeTransaction } from './db.js';
import { carryLabels, type FaceInput, type FaceWriteReport, writeFaces } from './face-writes.js';
import { assertLease, type ClaimedJob, completeJob } from './jobs.js';
import { announceContent, announcePhoto } from './outbox.js';
import { type FileStamp, markPathRemoved, PHOTO_STATUSES } from './photos.js';

/** A file version with its identity. */
export interface HashedStamp extends FileStamp {
  /** Lowercase hex SHA-256 of the bytes (src/files/content-hash.ts). */
  readonly hash: string;
}

const contentRow = z.object({
  id: z.int(),
  hash: z.string().nullable(),
  width: z.int().nullable(),
  height: z.int().nullable(),
  orientation: z.int().nullable(),
  taken_at: z.int().nullable(),
  pipeline_version: z.int().nullable(),
  model_version: z.string().nullable(),
  analysed_at: z.int().nullable(),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  created_at: z.int(),
});
export type ContentRow = z.infer<typeof contentRow>;

export function contentByHash(db: Db, hash: string): ContentRow | undefined {
  const row: unknown = prepared(db, 'SELECT * FROM contents WHERE hash = ?').get(hash);
  return row === undefined ? undefined : contentRow.parse(row);
}

function contentById(db: Db, id: number): ContentRow {
  return contentRow.parse(prepared(db, 'SELECT * FROM contents WHERE id = ?').get(id));
}

const pathRow = z.object({
  id: z.int(),
  size: z.int(),
  mtime_ms: z.int(),
  content_id: z.int().nullable(),
  status: z.enum(PHOTO_STATUSES),
  pipeline_version: z.int().nullable(),
  hash: z.string().nullable(),
});

function pathState(db: Db, path: string): z.infer<typeof pathRow> | undefined {
  const row: unknown = prepared(
    db,
    `SELECT p.id, p.size, p.mtime_ms, p.content_id, p.status, p.pipeline_version, c.hash
     FROM photos p LEFT JOIN contents c ON c.id = p.content_id WHERE p.path = ?`,
  ).get(path);
  return row === undefined ? undefined : pathRow.parse(row);
}

/**
 * The content row for these bytes, or undefined (when not `create`). A v1 analysis (content with
 * no hash) of this path is adopted when the file's stamp is still the one v1 analysed; if those
 * bytes are already known under another row, the v1 row's labels move there (same bytes).
 */
function resolveContent(db: Db, stamp: HashedStamp, create: boolean, now: number): number | undefined {
  const known = contentByHash(db, stamp.hash);
  const photo = pathState(db, stamp.path);
  if (
    photo?.content_id != null &&
    photo.hash === null &&
    photo.size === stamp.size &&
    photo.mtime_ms === Math.trunc(stamp.mtimeMs)
  ) {
    if (!known) {
      prepared(db, 'UPDATE contents SET hash = ? WHERE id = ?').run(stamp.hash, photo.content_id);
      return photo.content_id;
    }
    carryLabels(db, photo.content_id, known.id, true, now);
  }
  if (known) return known.id;
  if (!create) return undefined;
  return z
    .object({ id: z.int() })
    .parse(prepared(db, 'INSERT INTO contents (hash, created_at) VALUES (?, ?) RETURNING id').get(stamp.hash, now)).id;
}

/** Delete a content nobody holds any more, unless it carries labels (those stay recoverable). */
function pruneContent(db: Db, contentId: number): void {
  prepared(
    db,
    `DELETE FROM contents WHERE id = @id
       AND NOT EXISTS (SELECT 1 FROM photos WHERE content_id = @id)
       AND NOT EXISTS (SELECT 1 FROM faces WHERE content_id = @id AND label_state <> 'auto')`,
  ).run({ id: contentId });
}

interface LinkValues {
  readonly status: 'done' | 'failed';
  readonly contentId: number | null;
  readonly pipelineVersion: number;
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

/**
 * Point `stamp.path` at a content with an outcome. Removed rows of the same content elsewhere are
 * dropped (the bytes are back: that was a move). A content the path held before and nobody holds
 * now is pruned unless it has labels. Returns the photo id (stable across re-analysis).
 */
function linkPhoto(db: Db, stamp: FileStamp, values: LinkValues, now: number): number {
  const before = pathState(db, stamp.path);
  const { id } = z.object({ id: z.int() }).parse(
    prepared(
      db,
      `INSERT INTO photos (path, size, mtime_ms, content_id, status, error_code, error_message, pipeline_version,
                           created_at, updated_at)
       VALUES (@path, @size, @mtimeMs, @contentId, @status, @errorCode, @errorMessage, @pipelineVersion, @now, @now)
       ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms,
         content_id = excluded.content_id, status = excluded.status, error_code = excluded.error_code,
         error_message = excluded.error_message, pipeline_version = excluded.pipeline_version,
         updated_at = excluded.updated_at, removed_at = NULL
       RETURNING id`,
    ).get({
      path: stamp.path,
      size: stamp.size,
      mtimeMs: Math.trunc(stamp.mtimeMs),
      contentId: values.contentId,
      status: values.status,
      errorCode: values.errorCode ?? null,
      errorMessage: values.errorMessage ?? null,
      pipelineVersion: values.pipelineVersion,
      now,
    }),
  );
  if (values.status === 'done' && values.contentId !== null) {
    prepared(db, "DELETE FROM photos WHERE content_id = ? AND status = 'removed' AND id <> ?").run(
      values.contentId,
      id,
    );
  }
  if (before?.content_id != null && before.content_id !== values.contentId) pruneContent(db, before.content_id);
  return id;
}

export type IdentifyOutcome =
  /** Known bytes, analysed by this pipeline: the path now shows that analysis; job completed. */
  | { readonly outcome: 'reused'; readonly photoId: number; readonly contentId: number }
  /** These very bytes failed before with this pipeline (here or as a copy): the failure is recorded again; job completed. */
  | { readonly outcome: 'failed-before'; readonly photoId: number }
  /** Analyse the file, then recordAnalysis or recordFailure. Nothing was written. */
  | { readonly outcome: 'analyse' };

/**
 * Step 2 of the protocol: decide from the hash whether the bytes need analysing at all. `job` may be
 * null for callers outside the queue.
 */
export function identifyPhoto(
  db: Db,
  job: ClaimedJob | null,
  stamp: HashedStamp,
  pipelineVersion: number,
  now: number,
): IdentifyOutcome {
  return writeTransaction(db, (): IdentifyOutcome => {
    if (job) assertLease(db, job);
    const before = pathState(db, stamp.path);
    const contentId = resolveContent(db, stamp, false, now);
    const content = contentId === undefined ? undefined : contentById(db, contentId);
    const current = content?.pipeline_version != null && content.pipeline_version >= pipelineVersion;
    if (content && current && content.analysed_at !== null) {
      const photoId = linkPhoto(db, stamp, { status: 'done', contentId: content.id, pipelineVersion }, now);
      // A new file (copy, move) or a photo coming back needs its sidecar; a touched file does not.
      if (before?.status !== 'done' || before.content_id !== content.id) announcePhoto(db, photoId, now);
      if (job) completeJob(db, job, now);
      return { outcome: 'reused', photoId, contentId: content.id };
    }
    if (content && current && content.error_code !== null) {
      const photoId = linkPhoto(
        db,
        stamp,
        {
          status: 'failed',
          contentId: content.id,
          pipelineVersion,
          errorCode: content.error_code,
          errorMessage: content.error_message ?? content.error_code,
        },
        now,
      );
      if (job) completeJob(db, job, now);
      return { outcome: 'failed-before', photoId };
    }
    return { outcome: 'analyse' };
  });
}

/** A successful analysis of the bytes `hash` found at `path`. */
export interface AnalysisRecord extends HashedStamp {
  readonly pipelineVersion: number;
  /** The model set that named the faces; null when no recognition ran. */
  readonly modelVersion: string | null;
  /** Oriented full-resolution size. */
  readonly width: number;
  readonly height: number;
  readonly orientation: number;
  /** When the photo was taken (EXIF), epoch ms; null when unknown. */
  readonly takenAt: number | null;
  readonly faces: readonly FaceInput[];
}

export interface AnalysisReport extends FaceWriteReport {
  readonly photoId: number;
  readonly contentId: number;
}

/**
 * Store an analysis: the content's metadata, its faces (label-safe, faces.ts), the path's link, the
 * photo.analysed events and the job's completion — one transaction. Recording the same result twice
 * changes nothing but timestamps: faces are matched, never duplicated.
 */
export function recordAnalysis(db: Db, job: ClaimedJob | null, record: AnalysisRecord, now: number): AnalysisReport {
  return writeTransaction(db, (): AnalysisReport => {
    if (job) assertLease(db, job);
    const contentId = resolveContent(db, record, true, now);
    if (contentId === undefined) throw new Error('resolveContent(create) returned no content');
    prepared(
      db,
      `UPDATE contents SET width = @width, height = @height, orientation = @orientation, taken_at = @takenAt,
         pipeline_version = @pipelineVersion, model_version = @modelVersion, analysed_at = @now,
         error_code = NULL, error_message = NULL
       WHERE id = @contentId`,
    ).run({
      contentId,
      width: record.width,
      height: record.height,
      orientation: record.orientation,
      takenAt: record.takenAt,
      pipelineVersion: record.pipelineVersion,
      modelVersion: record.modelVersion,
      now,
    });
    const faces = writeFaces(db, contentId, record.faces, record.modelVersion, now);
    const photoId = linkPhoto(db, record, { status: 'done', contentId, pipelineVersion: record.pipelineVersion }, now);
    announceContent(db, contentId, 'analysed', now);
    if (job) completeJob(db, job, now);
    return { ...faces, photoId, contentId };
  });
}

/** A permanent failure of the file at `path`: not retried until its size, mtime or hash change. */
export interface FailureRecord extends FileStamp {
  /** Null when the file could not even be read. */
  readonly hash: string | null;
  readonly pipelineVersion: number;
  /** A stable code, e.g. DecodeError.reason ('empty', 'truncated', 'corrupt', ...). */
  readonly code: string;
  readonly message: string;
}

/** Record a permanent failure and complete the job, in one transaction. Returns the photo id. */
export function recordFailure(db: Db, job: ClaimedJob | null, record: FailureRecord, now: number): number {
  return writeTransaction(db, (): number => {
    if (job) assertLease(db, job);
    const contentId =
      record.hash === null ? null : (resolveContent(db, { ...record, hash: record.hash }, true, now) ?? null);
    if (contentId !== null) {
      // The bytes failed: remembered on the content, unless an older pipeline analysed them (its
      // faces and labels stay; the path shows the failure).
      prepared(
        db,
        `UPDATE contents SET error_code = ?, error_message = ?, pipeline_version = ?
         WHERE id = ? AND analysed_at IS NULL`,
      ).run(record.code, record.message, record.pipelineVersion, contentId);
    }
    const photoId = linkPhoto(
      db,
      record,
      {
        status: 'failed',
        contentId,
        pipelineVersion: record.pipelineVersion,
        errorCode: record.code,
        errorMessage: record.message,
      },
      now,
    );
    if (job) completeJob(db, job, now);
    return photoId;
  });
}

/** The job's file is gone: mark it removed (its content and labels stay) and complete the job. */
export function recordVanished(db: Db, job: ClaimedJob | null, path: string, now: number): void {
  writeTransaction(db, () => {
    if (job) assertLease(db, job);
    markPathRemoved(db, path, now);
    if (job) completeJob(db, job, now);
  });
}
