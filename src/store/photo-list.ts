/** The library's photos, a page at a time, with how many faces each shows (not-a-face marks do not count). */
import * as z from 'zod';
import type { Db } from './db.js';
import { prepared } from './statements.js';

const listedPhoto = z.object({
  id: z.int(),
  path: z.string(),
  status: z.string(),
  width: z.int().nullable(),
  height: z.int().nullable(),
  faces: z.int(),
});
export type ListedPhoto = z.infer<typeof listedPhoto>;

export interface PhotoListQuery {
  /** Keyset paging, newest first: photos with an id below this (0: from the newest). */
  readonly beforeId: number;
  readonly limit: number;
  /** Only analysed photos in which no face was found: where a missed face hides. */
  readonly faceless: boolean;
}

export function listPhotos(db: Db, q: PhotoListQuery): ListedPhoto[] {
  const faces = `(SELECT count(*) FROM faces f WHERE f.content_id = p.content_id AND f.label_state <> 'not_a_face')`;
  return z.array(listedPhoto).parse(
    prepared(
      db,
      `SELECT p.id, p.path, p.status, c.width, c.height, ${faces} AS faces
       FROM photos p LEFT JOIN contents c ON c.id = p.content_id
       WHERE p.status <> 'removed' AND (@before = 0 OR p.id < @before)
         AND (@faceless = 0 OR (p.status = 'done' AND ${faces} = 0))
       ORDER BY p.id DESC LIMIT @limit`,
    ).all({ before: q.beforeId, limit: q.limit, faceless: q.faceless ? 1 : 0 }),
  );
}
