/**
 * A person's photos (HTTP `GET /api/persons/:id/photos`): each content showing the person once,
 * through its lowest present path (as facesOfPerson shows a face), paged by that photo id.
 */
import * as z from 'zod';
import { type Db, prepared } from './db.js';
import { LABEL_STATES } from './faces.js';

const faceRef = z.object({
  id: z.int(),
  state: z.enum(LABEL_STATES),
  decisionValue: z.number().nullable(),
});

const photoRow = z.object({
  id: z.int(),
  path: z.string(),
  hash: z.string().nullable(),
  width: z.int().nullable(),
  height: z.int().nullable(),
  taken_at: z.int().nullable(),
  faces: z.string(),
});

export interface PersonPhoto {
  readonly id: number;
  readonly path: string;
  readonly hash: string | null;
  readonly width: number | null;
  readonly height: number | null;
  readonly takenAt: number | null;
  /** The person's faces in this photo: confirmed ones, and suggestions when asked for. */
  readonly faces: z.infer<typeof faceRef>[];
}

export interface PersonPhotosQuery {
  /** confirmed: labelled as the person; suggested: auto faces the model gives the person; all: both. */
  readonly which: 'confirmed' | 'suggested' | 'all';
  readonly limit: number;
  /** Keyset paging: photos with a larger id than this. */
  readonly afterId?: number;
}

const WHICH = {
  confirmed: "f.person_id = @person AND f.label_state = 'confirmed'",
  suggested: "f.predicted_person_id = @person AND f.label_state = 'auto'",
  all: "((f.person_id = @person AND f.label_state = 'confirmed') OR (f.predicted_person_id = @person AND f.label_state = 'auto'))",
} as const;

export function photosOfPerson(db: Db, personId: number, query: PersonPhotosQuery): PersonPhoto[] {
  const rows = z.array(photoRow).parse(
    prepared(
      db,
      `SELECT ph.id, ph.path, c.hash, c.width, c.height, c.taken_at,
         json_group_array(json_object('id', f.id, 'state', f.label_state, 'decisionValue', f.decision_value)) AS faces
       FROM faces f
       JOIN contents c ON c.id = f.content_id
       JOIN photos ph ON ph.id = (SELECT min(id) FROM photos WHERE content_id = f.content_id AND status <> 'removed')
       WHERE ${WHICH[query.which]} AND ph.id > @after
       GROUP BY ph.id ORDER BY ph.id LIMIT @limit`,
    ).all({ person: personId, after: query.afterId ?? 0, limit: query.limit }),
  );
  return rows.map((r) => ({
    id: r.id,
    path: r.path,
    hash: r.hash,
    width: r.width,
    height: r.height,
    takenAt: r.taken_at,
    faces: z
      .array(faceRef)
      .parse(JSON.parse(r.faces))
      .sort((a, b) => a.id - b.id),
  }));
}
