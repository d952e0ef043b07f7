/**
 * The photos and faces tables: what has been analysed, with which result. Every row read back is
 * checked with zod, so a schema drift shows up as a clear error instead of a wrong type.
 */
import * as z from 'zod';
import type { Db } from './db.js';

/** What identifies one version of a file cheaply, without reading it. */
export interface FileStamp {
  readonly path: string;
  readonly size: number;
  /** Whole milliseconds (stat's mtimeMs truncated), so the value round-trips through an INT column. */
  readonly mtimeMs: number;
  /** Version of the analysis code; a photo analysed by another version is not up to date. */
  readonly pipelineVersion: number;
}

export interface FaceRecord {
  readonly cx: number;
  readonly cy: number;
  readonly width: number;
  readonly height: number;
  readonly angle: number;
  readonly strength: number;
  readonly support: number;
}

export interface DetectionRecord extends FileStamp {
  readonly width: number;
  readonly height: number;
  readonly orientation: number;
  readonly faces: readonly FaceRecord[];
}

export interface FailureRecord extends FileStamp {
  /** A stable code, e.g. DecodeError.reason ('empty', 'corrupt', ...). */
  readonly code: string;
  readonly message: string;
}

const photoRow = z.object({
  id: z.int(),
  path: z.string(),
  size: z.int().nullable(),
  mtime_ms: z.int().nullable(),
  width: z.int().nullable(),
  height: z.int().nullable(),
  orientation: z.int().nullable(),
  status: z.enum(['done', 'failed']),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  pipeline_version: z.int().nullable(),
  analysed_at: z.string().nullable(),
});
export type PhotoRow = z.infer<typeof photoRow>;

const faceRow = z.object({
  id: z.int(),
  photo_id: z.int(),
  cx: z.number(),
  cy: z.number(),
  width: z.number(),
  height: z.number(),
  angle: z.number(),
  strength: z.int(),
  support: z.int(),
});
export type FaceRow = z.infer<typeof faceRow>;

const countsRow = z.object({ photos: z.int(), done: z.int(), failed: z.int(), faces: z.int() });
export type StoreCounts = z.infer<typeof countsRow>;

/** True when this exact file version (path, size, mtime) was already analysed, successfully or not. */
export function isUpToDate(db: Db, stamp: FileStamp): boolean {
  const row: unknown = db
    .prepare(
      `SELECT 1 AS hit FROM photos
       WHERE path = ? AND size = ? AND mtime_ms = ? AND pipeline_version = ? AND status IN ('done', 'failed')`,
    )
    .get(stamp.path, stamp.size, Math.trunc(stamp.mtimeMs), stamp.pipelineVersion);
  return row !== undefined;
}

// Upsert keeps the photo's id stable across re-analysis (later tables will point at it).
const UPSERT = `
  INSERT INTO photos (path, size, mtime_ms, width, height, orientation, status, error_code, error_message,
                      pipeline_version, analysed_at)
  VALUES (@path, @size, @mtime_ms, @width, @height, @orientation, @status, @error_code, @error_message,
          @pipeline_version, @analysed_at)
  ON CONFLICT (path) DO UPDATE SET
    size = excluded.size, mtime_ms = excluded.mtime_ms, width = excluded.width, height = excluded.height,
    orientation = excluded.orientation, status = excluded.status, error_code = excluded.error_code,
    error_message = excluded.error_message, pipeline_version = excluded.pipeline_version,
    analysed_at = excluded.analysed_at
  RETURNING id`;

interface PhotoValues {
  path: string;
  size: number;
  mtime_ms: number;
  width: number | null;
  height: number | null;
  orientation: number | null;
  status: 'done' | 'failed';
  error_code: string | null;
  error_message: string | null;
  pipeline_version: number;
  analysed_at: string;
}

function stampValues(
  stamp: FileStamp,
): Pick<PhotoValues, 'path' | 'size' | 'mtime_ms' | 'pipeline_version' | 'analysed_at'> {
  return {
    path: stamp.path,
    size: stamp.size,
    mtime_ms: Math.trunc(stamp.mtimeMs),
    pipeline_version: stamp.pipelineVersion,
    analysed_at: new Date().toISOString(),
  };
}

/** Upsert the photo row and replace its faces, all in one transaction. Returns the photo id. */
function writePhoto(db: Db, values: PhotoValues, faces: readonly FaceRecord[]): number {
  const upsert = db.prepare(UPSERT);
  const clear = db.prepare('DELETE FROM faces WHERE photo_id = ?');
  const insert = db.prepare(
    `INSERT INTO faces (photo_id, cx, cy, width, height, angle, strength, support)
     VALUES (@photo_id, @cx, @cy, @width, @height, @angle, @strength, @support)`,
  );
  return db.transaction(() => {
    const { id } = z.object({ id: z.int() }).parse(upsert.get(values));
    clear.run(id);
    for (const f of faces) {
      // Spelled out: callers may pass richer objects, and only these columns exist.
      const { cx, cy, width, height, angle, strength, support } = f;
      insert.run({ photo_id: id, cx, cy, width, height, angle, strength, support });
    }
    return id;
  })();
}

/** Store a successful detection: the photo row and exactly these faces (old ones are replaced). */
export function recordDetection(db: Db, record: DetectionRecord): number {
  return writePhoto(
    db,
    {
      ...stampValues(record),
      width: record.width,
      height: record.height,
      orientation: record.orientation,
      status: 'done',
      error_code: null,
      error_message: null,
    },
    record.faces,
  );
}

/** Store a failed analysis. Faces from an earlier version of the file no longer apply, so they go. */
export function recordFailure(db: Db, record: FailureRecord): number {
  return writePhoto(
    db,
    {
      ...stampValues(record),
      width: null,
      height: null,
      orientation: null,
      status: 'failed',
      error_code: record.code,
      error_message: record.message,
    },
    [],
  );
}

export function photoByPath(db: Db, path: string): PhotoRow | undefined {
  const row: unknown = db.prepare('SELECT * FROM photos WHERE path = ?').get(path);
  return row === undefined ? undefined : photoRow.parse(row);
}

export function facesOfPhoto(db: Db, photoId: number): FaceRow[] {
  return z.array(faceRow).parse(db.prepare('SELECT * FROM faces WHERE photo_id = ? ORDER BY id').all(photoId));
}

export function counts(db: Db): StoreCounts {
  return countsRow.parse(
    db
      .prepare(
        `SELECT (SELECT count(*) FROM photos) AS photos,
                (SELECT count(*) FROM photos WHERE status = 'done') AS done,
                (SELECT count(*) FROM photos WHERE status = 'failed') AS failed,
                (SELECT count(*) FROM faces) AS faces`,
      )
      .get(),
  );
}
