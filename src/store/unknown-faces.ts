/**
 * Faces for the labelling page: auto faces that no model names (the unknown-faces loop), and
 * auto faces a model suggests, per person. Only faces of photos still present are listed, each
 * with the lowest present photo id that shows it, so the page can link to the photo.
 */
import * as z from 'zod';
import { type Db, prepared } from './db.js';
import { storedChipColumns, withStoredFeatures } from './face-chips.js';

const LIVE_PHOTO = `(SELECT min(id) FROM photos WHERE content_id = f.content_id AND status <> 'removed')`;

const unknownRow = storedChipColumns
  .extend({ photo_id: z.int(), decision_value: z.number().nullable() })
  .transform(withStoredFeatures);
export type UnknownFaceChip = z.infer<typeof unknownRow>;

/** Up to `limit` unnamed auto faces with a chip, newest first (what a user just added matters most). */
export function unknownFaceChips(db: Db, limit: number): UnknownFaceChip[] {
  return z.array(unknownRow).parse(
    prepared(
      db,
      `SELECT f.id, ${LIVE_PHOTO} AS photo_id, f.chip, f.decision_value, f.features, f.feature_key FROM faces f
       WHERE f.label_state = 'auto' AND f.predicted_person_id IS NULL AND f.chip IS NOT NULL
         AND ${LIVE_PHOTO} IS NOT NULL
       ORDER BY f.id DESC LIMIT ?`,
    ).all(limit),
  );
}

const suggestionRow = z.object({
  id: z.int(),
  photo_id: z.int(),
  person_id: z.int(),
  person: z.string(),
  decision_value: z.number().nullable(),
});
export type SuggestionRow = z.infer<typeof suggestionRow>;

/**
 * Suggested faces (auto, with a predicted person), at most `perPerson` per person, surest first:
 * the ones a user can confirm at a glance come first.
 */
export function suggestedFaces(db: Db, perPerson: number): SuggestionRow[] {
  return z.array(suggestionRow).parse(
    prepared(
      db,
      `SELECT id, photo_id, person_id, person, decision_value FROM (
         SELECT f.id, ${LIVE_PHOTO} AS photo_id, p.id AS person_id, p.name AS person, f.decision_value,
           row_number() OVER (PARTITION BY p.id ORDER BY f.decision_value DESC, f.id) AS rank
         FROM faces f JOIN persons p ON p.id = f.predicted_person_id
         WHERE f.label_state = 'auto' AND f.chip IS NOT NULL)
       WHERE photo_id IS NOT NULL AND rank <= ?
       ORDER BY person, rank`,
    ).all(perPerson),
  );
}
