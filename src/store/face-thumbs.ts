/**
 * Faces' colour pictures (faces.thumb, v6): served to people, and made afterwards for faces
 * analysed before v6 by the daemon's filler (daemon/face-thumb-filler.ts), one content at a time.
 */
import * as z from 'zod';
import { type Db, prepared, writeTransaction } from './db.js';
import { faceBoxRow } from './faces.js';

/** The picture to show for a face: the colour JPEG when made, else the grey PNG chip. */
export function facePicture(db: Db, faceId: number): { kind: 'jpeg' | 'png'; bytes: Buffer } | undefined {
  const row: unknown = prepared(
    db,
    'SELECT thumb, chip FROM faces WHERE id = ? AND (thumb IS NOT NULL OR chip IS NOT NULL)',
  ).get(faceId);
  if (row === undefined) return undefined;
  const r = z.object({ thumb: z.instanceof(Buffer).nullable(), chip: z.instanceof(Buffer).nullable() }).parse(row);
  if (r.thumb) return { kind: 'jpeg', bytes: r.thumb };
  if (r.chip) return { kind: 'png', bytes: r.chip };
  return undefined;
}

export type ThumblessFace = z.infer<typeof faceBoxRow>;

export interface ThumblessContent {
  readonly contentId: number;
  /** A present, analysed path holding the content (its bytes were identified as this content). */
  readonly path: string;
  /** The content's oriented full-resolution size: a decode of other bytes is noticed. */
  readonly width: number | null;
  readonly height: number | null;
  /** Its faces without a thumb; boxes in the oriented full-resolution frame. */
  readonly faces: readonly ThumblessFace[];
}

const contentRow = z.object({
  content_id: z.int(),
  path: z.string(),
  width: z.int().nullable(),
  height: z.int().nullable(),
});

/**
 * The next content above `afterContentId` with faces lacking a thumb and a present analysed
 * photo to cut them from; undefined when there is none. Contents no present file holds are
 * passed over (their faces stay without a thumb until the bytes come back and are analysed).
 */
export function nextThumblessContent(db: Db, afterContentId: number): ThumblessContent | undefined {
  const row: unknown = prepared(
    db,
    `SELECT f.content_id, p.path, c.width, c.height
     FROM faces f
     JOIN contents c ON c.id = f.content_id
     JOIN photos p ON p.id = (SELECT min(id) FROM photos WHERE content_id = f.content_id AND status = 'done')
     WHERE f.thumb IS NULL AND f.content_id > ?
     ORDER BY f.content_id LIMIT 1`,
  ).get(afterContentId);
  if (row === undefined) return undefined;
  const r = contentRow.parse(row);
  const faces = z
    .array(faceBoxRow)
    .parse(
      prepared(
        db,
        'SELECT id, cx, cy, width, height, angle FROM faces WHERE content_id = ? AND thumb IS NULL ORDER BY id',
      ).all(r.content_id),
    );
  return { contentId: r.content_id, path: r.path, width: r.width, height: r.height, faces };
}

/** How many faces still lack a thumb (the filler's progress). */
export function countThumblessFaces(db: Db): number {
  return z.object({ n: z.int() }).parse(prepared(db, 'SELECT count(*) AS n FROM faces WHERE thumb IS NULL').get()).n;
}

/**
 * Store thumbs made from the boxes read earlier. A face re-detected (moved box), given a thumb or
 * deleted meanwhile is left as it is: the thumb would show another crop. Returns how many were stored.
 */
export function storeFaceThumbs(
  db: Db,
  thumbs: readonly { readonly face: ThumblessFace; readonly thumb: Uint8Array }[],
): number {
  return writeTransaction(db, () => {
    const set = prepared(
      db,
      `UPDATE faces SET thumb = @thumb
       WHERE id = @id AND thumb IS NULL AND cx = @cx AND cy = @cy AND width = @width AND height = @height
         AND angle = @angle`,
    );
    let stored = 0;
    for (const { face, thumb } of thumbs) {
      stored += set.run({ ...face, thumb: Buffer.from(thumb.buffer, thumb.byteOffset, thumb.byteLength) }).changes;
    }
    return stored;
  });
}
