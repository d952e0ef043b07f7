/**
 * The photos table: one row per path. It holds the stat stamp (size, mtime) of the version last
 * identified, the content that version had, and the path's status. Reconcile and the watcher use it
 * to decide, from stat alone, whether a file needs work (see `workNeeded`); the analysis itself
 * lives on the content (analysis.ts, faces.ts). Every row read back is checked with zod.
 */
import * as z from 'zod';
import { type Db, prepared, writeTransaction } from './db.js';
import { cancelJob, enqueueJob } from './jobs.js';
import { addEvent } from './outbox.js';

export const PHOTO_STATUSES = ['pending', 'done', 'failed', 'removed'] as const;
export type PhotoStatus = (typeof PHOTO_STATUSES)[number];

/** What identifies one version of a file cheaply, without reading it. */
export interface FileStamp {
  readonly path: string;
  readonly size: number;
  /** Whole milliseconds (stat's mtimeMs truncated), so the value round-trips through an INT column. */
  readonly mtimeMs: number;
}

/** A stamp as stat gives it: with ctime, which a chmod or chown moves (see `workNeeded`). */
export type StatStamp = FileStamp & { readonly ctimeMs?: number };

/** A photo row joined with its content's analysis (null fields while it has none). */
const photoView = z.object({
  id: z.int(),
  path: z.string(),
  size: z.int(),
  mtime_ms: z.int(),
  content_id: z.int().nullable(),
  status: z.enum(PHOTO_STATUSES),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  pipeline_version: z.int().nullable(),
  created_at: z.int(),
  updated_at: z.int(),
  removed_at: z.int().nullable(),
  hash: z.string().nullable(),
  width: z.int().nullable(),
  height: z.int().nullable(),
  orientation: z.int().nullable(),
  taken_at: z.int().nullable(),
  model_version: z.string().nullable(),
  analysed_at: z.int().nullable(),
});
export type PhotoRow = z.infer<typeof photoView>;

const PHOTO_SELECT = `
  SELECT p.*, c.hash, c.width, c.height, c.orientation, c.taken_at, c.model_version, c.analysed_at
  FROM photos p LEFT JOIN contents c ON c.id = p.content_id`;

export function photoByPath(db: Db, path: string): PhotoRow | undefined {
  const row: unknown = prepared(db, `${PHOTO_SELECT} WHERE p.path = ?`).get(path);
  return row === undefined ? undefined : photoView.parse(row);
}

export function photoById(db: Db, id: number): PhotoRow | undefined {
  const row: unknown = prepared(db, `${PHOTO_SELECT} WHERE p.id = ?`).get(id);
  return row === undefined ? undefined : photoView.parse(row);
}

/** Every path row holding a content, removed ones included (identity tests, the HTTP API). */
export function photosOfContent(db: Db, contentId: number): PhotoRow[] {
  return z.array(photoView).parse(prepared(db, `${PHOTO_SELECT} WHERE p.content_id = ? ORDER BY p.id`).all(contentId));
}

/** What reconcile keeps in memory per stored path: just enough to compare with stat. */
export interface StampEntry {
  readonly id: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly status: PhotoStatus;
  readonly pipelineVersion: number | null;
  /** When it failed as unreadable (a permission error, epoch ms); null for any other state. */
  readonly unreadableSince: number | null;
}

/** The failure time of a photo that failed as unreadable, else NULL (SQL, over the photos table). */
const UNREADABLE_SINCE = "CASE WHEN status = 'failed' AND error_code = 'unreadable' THEN updated_at END";

const STATUS_CODES: ReadonlyMap<string, number> = new Map(PHOTO_STATUSES.map((s, i) => [s, i]));

/**
 * Every stored path's stamp, for reconcile's O(1) lookups while walking. Struct-of-arrays: one Map
 * from path to slot, the numbers in typed arrays, so 100k photos cost one string and one Map slot
 * each and no per-photo object (bench/reconcile.ts measures it).
 */
export class StampIndex {
  readonly #slots = new Map<string, number>();
  readonly #ids: Float64Array;
  readonly #sizes: Float64Array;
  readonly #mtimes: Float64Array;
  /** NaN for NULL. */
  readonly #pipelines: Float64Array;
  readonly #statuses: Uint8Array;
  /** NaN for NULL. */
  readonly #unreadable: Float64Array;

  constructor(capacity: number) {
    this.#ids = new Float64Array(capacity);
    this.#sizes = new Float64Array(capacity);
    this.#mtimes = new Float64Array(capacity);
    this.#pipelines = new Float64Array(capacity);
    this.#statuses = new Uint8Array(capacity);
    this.#unreadable = new Float64Array(capacity);
  }

  get size(): number {
    return this.#slots.size;
  }

  add(path: string, entry: StampEntry): void {
    const slot = this.#slots.size;
    if (slot >= this.#ids.length) throw new RangeError('StampIndex is full');
    this.#slots.set(path, slot);
    this.#ids[slot] = entry.id;
    this.#sizes[slot] = entry.size;
    this.#mtimes[slot] = entry.mtimeMs;
    this.#pipelines[slot] = entry.pipelineVersion ?? Number.NaN;
    this.#statuses[slot] = STATUS_CODES.get(entry.status) ?? 0;
    this.#unreadable[slot] = entry.unreadableSince ?? Number.NaN;
  }

  #entry(slot: number): StampEntry {
    // Slots come from #slots, each checked against the arrays' length by add(); status codes are
    // PHOTO_STATUSES indices (STATUS_CODES). Hot: no checks here.
    const pipeline = this.#pipelines[slot]!;
    const unreadable = this.#unreadable[slot]!;
    return {
      id: this.#ids[slot]!,
      size: this.#sizes[slot]!,
      mtimeMs: this.#mtimes[slot]!,
      status: PHOTO_STATUSES[this.#statuses[slot]!]!,
      pipelineVersion: Number.isNaN(pipeline) ? null : pipeline,
      unreadableSince: Number.isNaN(unreadable) ? null : unreadable,
    };
  }

  get(path: string): StampEntry | undefined {
    const slot = this.#slots.get(path);
    return slot === undefined ? undefined : this.#entry(slot);
  }

  /** Look up and forget: what is left after a walk is what the walk did not see. */
  take(path: string): StampEntry | undefined {
    const slot = this.#slots.get(path);
    if (slot === undefined) return undefined;
    this.#slots.delete(path);
    return this.#entry(slot);
  }

  *entries(): IterableIterator<[string, StampEntry]> {
    for (const [path, slot] of this.#slots) yield [path, this.#entry(slot)];
  }
}

/**
 * Check one raw photos row by hand rather than with zod: this runs 100k times per reconcile, and
 * zod's per-row copies were most of its memory churn. Same guarantee: wrong types throw.
 */
function stampRow(row: unknown): [string, StampEntry] {
  if (Array.isArray(row) && row.length === 7) {
    const [id, path, size, mtimeMs, status, pipelineVersion, unreadableSince]: unknown[] = row;
    if (
      typeof id === 'number' &&
      typeof path === 'string' &&
      typeof size === 'number' &&
      typeof mtimeMs === 'number' &&
      typeof status === 'string' &&
      STATUS_CODES.has(status) &&
      (pipelineVersion === null || typeof pipelineVersion === 'number') &&
      (unreadableSince === null || typeof unreadableSince === 'number')
    ) {
      return [path, { id, size, mtimeMs, status: status as PhotoStatus, pipelineVersion, unreadableSince }];
    }
  }
  throw new Error(`photos row with unexpected types: ${JSON.stringify(row)}`);
}

/** Every stored path with its stamp: one query (and a count to size the arrays), one snapshot. */
export function loadStampIndex(db: Db): StampIndex {
  return db.transaction(() => {
    const count = z.int().parse(db.prepare('SELECT count(*) FROM photos').pluck().get());
    const index = new StampIndex(count);
    // Not the cached statement: raw mode is a property of the statement object.
    const rows = db
      .prepare(`SELECT id, path, size, mtime_ms, status, pipeline_version, ${UNREADABLE_SINCE} FROM photos`)
      .raw(true)
      .iterate();
    for (const row of rows) {
      const [path, entry] = stampRow(row);
      index.add(path, entry);
    }
    return index;
  })();
}

/**
 * The kernel stamps ctime from a coarse clock that can trail Date.now() by a tick, so a chmod
 * right after a failure could look older than it. A ctime this close to the failure counts as
 * after it: at worst one extra try, after which the new failure time is well past the ctime.
 */
const CTIME_SLACK_MS = 2000;

/** Why a file needs (re)analysis, or undefined when stat says the stored result still holds. */
export type WorkReason = 'new' | 'reappeared' | 'changed' | 'touched' | 'pending' | 'outdated';

/**
 * The stat fast path: a file whose size and mtime equal the stored ones is not read again, unless
 * it was processed by an older pipeline; a file still waiting for work only has its job ensured.
 * A permanent failure counts as processed: it is retried when the file changes, when the pipeline
 * does, or, if it failed as unreadable, when its ctime moved since (a chmod or chown: 'touched').
 */
export function workNeeded(
  entry: StampEntry | undefined,
  stamp: Omit<StatStamp, 'path'>,
  pipelineVersion: number,
): WorkReason | undefined {
  if (!entry) return 'new';
  if (entry.status === 'removed') return 'reappeared';
  // Before the stamp test: a pending row keeps the stamp it was identified with, and its job
  // re-stats the file anyway; re-queueing it as 'changed' would reset a backoff at every pass.
  if (entry.status === 'pending') return 'pending';
  if (entry.size !== stamp.size || entry.mtimeMs !== stamp.mtimeMs) return 'changed';
  if (
    entry.unreadableSince !== null &&
    stamp.ctimeMs !== undefined &&
    stamp.ctimeMs > entry.unreadableSince - CTIME_SLACK_MS
  )
    return 'touched';
  if (entry.pipelineVersion === null || entry.pipelineVersion < pipelineVersion) return 'outdated';
  return undefined;
}

/** A file that needs work, and why (from `workNeeded`). */
export interface QueuedFile extends FileStamp {
  readonly reason: WorkReason;
}

/**
 * Mark these files as waiting for analysis and queue an 'analyse' job for each (deduplicated), in
 * one transaction. A new path gets a row with the stamp seen; a known path keeps the stamp it was
 * identified with (so a v1 analysis is adopted only for the exact bytes it saw) and its content,
 * whose faces stay visible until the new analysis replaces them. A file that is merely still
 * 'pending' only has its job ensured, so a job backing off after an error keeps its backoff.
 */
export function queuePhotos(db: Db, files: readonly QueuedFile[], now: number): void {
  if (files.length === 0) return;
  const upsert = prepared(
    db,
    `INSERT INTO photos (path, size, mtime_ms, status, created_at, updated_at)
     VALUES (@path, @size, @mtimeMs, 'pending', @now, @now)
     ON CONFLICT (path) DO UPDATE SET status = 'pending', error_code = NULL, error_message = NULL, removed_at = NULL,
       updated_at = excluded.updated_at
     WHERE status <> 'pending'`,
  );
  writeTransaction(db, () => {
    for (const f of files) {
      upsert.run({ path: f.path, size: f.size, mtimeMs: Math.trunc(f.mtimeMs), now });
      enqueueJob(db, 'analyse', f.path, now, { mode: f.reason === 'pending' ? 'ensure' : 'changed' });
    }
  });
}

/**
 * One file the watcher saw change and settle: queue it if stat says it needs work (the same rule
 * as reconcile, one indexed lookup). A photo still pending here was caught mid-copy: the watcher
 * only announces settled files, so its job becomes due now instead of waiting out its backoff.
 */
export function notePhoto(db: Db, stamp: StatStamp, pipelineVersion: number, now: number): WorkReason | undefined {
  const row: unknown = prepared(
    db,
    `SELECT id, size, mtime_ms AS mtimeMs, status, pipeline_version AS pipelineVersion,
       ${UNREADABLE_SINCE} AS unreadableSince FROM photos WHERE path = ?`,
  ).get(stamp.path);
  const entry =
    row === undefined
      ? undefined
      : z
          .object({
            id: z.int(),
            size: z.int(),
            mtimeMs: z.int(),
            status: z.enum(PHOTO_STATUSES),
            pipelineVersion: z.int().nullable(),
            unreadableSince: z.int().nullable(),
          })
          .parse(row);
  const { path, size, ctimeMs } = stamp;
  const mtimeMs = Math.trunc(stamp.mtimeMs);
  const reason = workNeeded(entry, { size, mtimeMs, ...(ctimeMs === undefined ? {} : { ctimeMs }) }, pipelineVersion);
  if (reason) queuePhotos(db, [{ path, size, mtimeMs, reason: reason === 'pending' ? 'changed' : reason }], now);
  return reason;
}

const removedRow = z.object({ id: z.int(), path: z.string(), hash: z.string().nullable() });

/**
 * These photos' files are gone: status removed, waiting jobs dropped, photo.removed announced. The
 * content and its faces and labels stay, so the labels come back if the bytes reappear anywhere.
 * One transaction; returns how many rows changed.
 */
export function markRemoved(db: Db, ids: readonly number[], now: number): number {
  const mark = prepared(
    db,
    `UPDATE photos SET status = 'removed', removed_at = @now, updated_at = @now, error_code = NULL, error_message = NULL
     WHERE id = @id AND status <> 'removed'
     RETURNING id, path, (SELECT hash FROM contents WHERE id = photos.content_id) AS hash`,
  );
  return writeTransaction(db, () => {
    let n = 0;
    for (const id of ids) {
      const row: unknown = mark.get({ id, now });
      if (row === undefined) continue;
      const { path, hash } = removedRow.parse(row);
      cancelJob(db, 'analyse', path);
      addEvent(db, { kind: 'photo.removed', payload: { photoId: id, path, hash } }, now);
      n++;
    }
    return n;
  });
}

/** The file at `path` is gone (watcher unlink). */
export function markPathRemoved(db: Db, path: string, now: number): boolean {
  const row: unknown = prepared(db, "SELECT id FROM photos WHERE path = ? AND status <> 'removed'").get(path);
  return row !== undefined && markRemoved(db, [z.object({ id: z.int() }).parse(row).id], now) === 1;
}

/**
 * The bounds of the paths under folder `dir`, for a range scan of the path index: they sort
 * between `dir/` and `dir0` ('0' follows '/').
 */
function pathsUnder(dir: string): [string, string] {
  const base = dir.endsWith('/') ? dir.slice(0, -1) : dir;
  return [`${base}/`, `${base}0`];
}

/** Every photo under folder `dir` is gone (a deleted or moved-away folder). */
export function markRemovedUnder(db: Db, dir: string, now: number): number {
  const ids = z
    .array(z.object({ id: z.int() }))
    .parse(
      prepared(db, "SELECT id FROM photos WHERE path > ? AND path < ? AND status <> 'removed'").all(...pathsUnder(dir)),
    )
    .map((r) => r.id);
  return markRemoved(db, ids, now);
}

/**
 * Folder `dir`'s permissions or owner changed: photos under it that failed as unreadable, or whose
 * job is backing off (a stat refused), are tried again now. Returns how many were queued.
 */
export function retryUnreadableUnder(db: Db, dir: string, now: number): number {
  const range = pathsUnder(dir);
  return writeTransaction(db, () => {
    const failed = z.array(z.object({ path: z.string(), size: z.int(), mtimeMs: z.int() })).parse(
      prepared(
        db,
        `SELECT path, size, mtime_ms AS mtimeMs FROM photos
           WHERE path > ? AND path < ? AND status = 'failed' AND error_code = 'unreadable'`,
      ).all(...range),
    );
    queuePhotos(
      db,
      failed.map((f) => ({ ...f, reason: 'touched' as const })),
      now,
    );
    const waiting = prepared(
      db,
      `UPDATE jobs SET available_at = ?, attempts = 0
       WHERE kind = 'analyse' AND key > ? AND key < ? AND claimed_at IS NULL AND available_at > ?`,
    ).run(now, ...range, now).changes;
    return failed.length + waiting;
  });
}

/** The content hash a photo row holds, if it has been identified. */
export function photoContentHash(db: Db, photoId: number): string | null {
  const row: unknown = prepared(
    db,
    'SELECT c.hash FROM photos p JOIN contents c ON c.id = p.content_id WHERE p.id = ?',
  ).get(photoId);
  return row === undefined ? null : z.object({ hash: z.string().nullable() }).parse(row).hash;
}

/**
 * A file moved (reconcile proved it by hash): the row follows it, keeping its id, content, status
 * and therefore its faces and labels. A stale row already at the destination is dropped first.
 */
export function movePhoto(db: Db, photoId: number, to: FileStamp, now: number): void {
  writeTransaction(db, () => {
    const row: unknown = prepared(db, 'SELECT path FROM photos WHERE id = ?').get(photoId);
    if (row === undefined) throw new Error(`movePhoto: no photo ${photoId}`);
    const from = z.object({ path: z.string() }).parse(row).path;
    prepared(db, 'DELETE FROM photos WHERE path = ? AND id <> ?').run(to.path, photoId);
    prepared(db, 'UPDATE photos SET path = ?, size = ?, mtime_ms = ?, updated_at = ? WHERE id = ?').run(
      to.path,
      to.size,
      Math.trunc(to.mtimeMs),
      now,
      photoId,
    );
    // A job queued for the old path has nothing left to do.
    cancelJob(db, 'analyse', from);
    addEvent(
      db,
      { kind: 'photo.moved', payload: { photoId, path: to.path, from, hash: photoContentHash(db, photoId) } },
      now,
    );
  });
}

const countsRow = z.object({ photos: z.int(), done: z.int(), failed: z.int(), faces: z.int() });
/** Present photos (not removed), by outcome, and the faces they show. */
export type StoreCounts = z.infer<typeof countsRow>;

export function counts(db: Db): StoreCounts {
  return countsRow.parse(
    prepared(
      db,
      `SELECT (SELECT count(*) FROM photos WHERE status <> 'removed') AS photos,
              (SELECT count(*) FROM photos WHERE status = 'done') AS done,
              (SELECT count(*) FROM photos WHERE status = 'failed') AS failed,
              (SELECT count(*) FROM faces
               WHERE content_id IN (SELECT content_id FROM photos WHERE status <> 'removed')) AS faces`,
    ).get(),
  );
}

const statusRow = z.object({
  pending: z.int(),
  done: z.int(),
  failed: z.int(),
  removed: z.int(),
  contents: z.int(),
  labelled: z.int(),
});
/** Everything `facetag status` shows about the library besides the queue and persons. */
export type StatusCounts = z.infer<typeof statusRow>;

export function statusCounts(db: Db): StatusCounts {
  return statusRow.parse(
    prepared(
      db,
      `SELECT coalesce(sum(status = 'pending'), 0) AS pending, coalesce(sum(status = 'done'), 0) AS done,
              coalesce(sum(status = 'failed'), 0) AS failed, coalesce(sum(status = 'removed'), 0) AS removed,
              (SELECT count(*) FROM contents) AS contents,
              (SELECT count(*) FROM faces WHERE label_state <> 'auto') AS labelled
       FROM photos`,
    ).get(),
  );
}

const failureRow = z.object({
  path: z.string(),
  error_code: z.string(),
  error_message: z.string().nullable(),
  updated_at: z.int(),
});
export type PhotoFailure = z.infer<typeof failureRow>;

/** The most recent permanent failures ("the last errors" of `facetag status`). */
export function recentFailures(db: Db, limit: number): PhotoFailure[] {
  return z
    .array(failureRow)
    .parse(
      prepared(
        db,
        "SELECT path, error_code, error_message, updated_at FROM photos WHERE status = 'failed' ORDER BY updated_at DESC, id DESC LIMIT ?",
      ).all(limit),
    );
}
