/**
 * The library's photos, a page at a time, newest first by the photo's date (for a grid grouped by
 * month), with how many faces each shows (not-a-face marks do not count).
 *
 * The date is the photo's own (`contents.taken_at`, epoch ms) or else the file's mtime; v6 keeps it
 * on the photo as `listed_at` (triggers) with an index in list order, so a page is a range of that
 * index: the first page of 10,000 photos takes a few ms (bench:page), and so does the hundredth.
 */
import * as z from 'zod';
import { type Db, prepared } from './db.js';

const listedRow = z.object({
  id: z.int(),
  path: z.string(),
  status: z.string(),
  width: z.int().nullable(),
  height: z.int().nullable(),
  faces: z.int(),
  listed_at: z.int(),
  taken_at: z.int().nullable(),
});

export interface ListedPhoto {
  readonly id: number;
  readonly path: string;
  readonly status: string;
  readonly width: number | null;
  readonly height: number | null;
  readonly faces: number;
  /** Epoch ms: when the photo was taken, or else the file's mtime (`dateSource` says which). */
  readonly takenAt: number;
  readonly dateSource: 'taken' | 'file';
}

/** Where a page starts: after this photo in list order. */
export interface ListPosition {
  readonly at: number;
  readonly id: number;
}

export interface PhotoListQuery {
  readonly limit: number;
  /** Photos after this one in list order; absent: from the newest. */
  readonly after?: ListPosition;
  /** Only analysed photos in which no face was found: where a missed face hides. */
  readonly faceless: boolean;
  /** Only photos with a face of this person: confirmed, suggested (auto faces a model names) or both. */
  readonly person?: { readonly id: number; readonly which: 'confirmed' | 'suggested' | 'all' };
}

const SHOWN_FACES = `(SELECT count(*) FROM faces f WHERE f.content_id = p.content_id AND f.label_state <> 'not_a_face')`;

/** Mirrors store/person-photos.ts: the faces that show a person. */
const PERSON_FACES = {
  confirmed: "person_id = @person AND label_state = 'confirmed'",
  suggested: "predicted_person_id = @person AND label_state = 'auto'",
  all: "((person_id = @person AND label_state = 'confirmed') OR (predicted_person_id = @person AND label_state = 'auto'))",
} as const;

/** The SQL for a query's shape (a handful of variants, each prepared once). */
function listSql(q: PhotoListQuery): string {
  const where = ["p.status <> 'removed'"];
  // A row value: SQLite seeks the photos_listed index to the position instead of scanning to it.
  if (q.after) where.push('(p.listed_at, p.id) < (@at, @id)');
  if (q.faceless) where.push(`p.status = 'done' AND ${SHOWN_FACES} = 0`);
  if (q.person) where.push(`p.content_id IN (SELECT content_id FROM faces WHERE ${PERSON_FACES[q.person.which]})`);
  return `SELECT p.id, p.path, p.status, c.width, c.height, ${SHOWN_FACES} AS faces, p.listed_at, c.taken_at
    FROM photos p LEFT JOIN contents c ON c.id = p.content_id
    WHERE ${where.join(' AND ')}
    ORDER BY p.listed_at DESC, p.id DESC LIMIT @limit`;
}

export function listPhotos(db: Db, q: PhotoListQuery): ListedPhoto[] {
  const rows = z.array(listedRow).parse(
    prepared(db, listSql(q)).all({
      limit: q.limit,
      ...(q.after ? { at: q.after.at, id: q.after.id } : {}),
      ...(q.person ? { person: q.person.id } : {}),
    }),
  );
  return rows.map((r) => ({
    id: r.id,
    path: r.path,
    status: r.status,
    width: r.width,
    height: r.height,
    faces: r.faces,
    takenAt: r.listed_at,
    dateSource: r.taken_at === null ? 'file' : 'taken',
  }));
}

/** A photo's place in the list (for `before=<photo id>`, the paging of old clients), if it is listed. */
export function listPosition(db: Db, photoId: number): ListPosition | undefined {
  const row: unknown = prepared(db, "SELECT listed_at, id FROM photos WHERE id = ? AND status <> 'removed'").get(
    photoId,
  );
  if (row === undefined) return undefined;
  const r = z.object({ listed_at: z.int(), id: z.int() }).parse(row);
  return { at: r.listed_at, id: r.id };
}
