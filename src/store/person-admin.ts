/**
 * Renaming and merging persons (HTTP API). Both keep every label: a rename changes only the name
 * (faces point at the person by id), a merge moves the source's labels and predictions onto the
 * target before the source row goes. Each is one transaction, and every content whose shown
 * names change is announced in the outbox, so sidecars and plugins follow.
 */
import * as z from 'zod';
import { normalisePersonName } from '../names/person-name.js';
import { type Db, prepared, writeTransaction } from './db.js';
import { type PersonRow, personById, personByName } from './faces.js';
import { announceContent } from './outbox.js';

/** Contents that show this person: labelled (confirmed or rejected) or suggested. */
function contentsOfPerson(db: Db, personId: number): number[] {
  return z
    .array(z.object({ content_id: z.int() }))
    .parse(
      prepared(
        db,
        `SELECT DISTINCT content_id FROM faces WHERE person_id = @p OR predicted_person_id = @p ORDER BY content_id`,
      ).all({ p: personId }),
    )
    .map((r) => r.content_id);
}

export type RenameResult =
  | { readonly ok: true; readonly person: PersonRow; readonly changed: boolean; readonly announced: number }
  | { readonly ok: false; readonly code: 'person-not-found' | 'invalid-person-name' }
  /** Another person has the name: merging is the way to join them. */
  | { readonly ok: false; readonly code: 'name-taken'; readonly existingId: number };

export function renamePerson(db: Db, id: number, name: string, now: number): RenameResult {
  return writeTransaction(db, (): RenameResult => {
    const person = personById(db, id);
    if (!person) return { ok: false, code: 'person-not-found' };
    const normal = normalisePersonName(name);
    if (normal === undefined) return { ok: false, code: 'invalid-person-name' };
    if (normal === person.name) return { ok: true, person, changed: false, announced: 0 };
    const clash = personByName(db, normal);
    if (clash !== undefined) return { ok: false, code: 'name-taken', existingId: clash.id };
    prepared(db, 'UPDATE persons SET name = ? WHERE id = ?').run(normal, id);
    const contents = contentsOfPerson(db, id);
    for (const c of contents) announceContent(db, c, 'labelled', now);
    return { ok: true, person: { ...person, name: normal }, changed: true, announced: contents.length };
  });
}

export interface MergeCounts {
  readonly confirmed: number;
  readonly rejected: number;
  readonly predicted: number;
}

export type MergeResult =
  | { readonly ok: true; readonly into: PersonRow; readonly moved: MergeCounts; readonly announced: number }
  | { readonly ok: false; readonly code: 'person-not-found' | 'target-not-found' | 'same-person' };

/**
 * Fold `sourceId` into `targetId`: confirmed and rejected labels and predictions move to the
 * target, then the source is deleted (its model rows go with it by the schema's cascade).
 * Labelled timestamps are kept, so the training fingerprint does not change by itself; the
 * caller signals that labels changed.
 */
export function mergePersons(db: Db, sourceId: number, targetId: number, now: number): MergeResult {
  return writeTransaction(db, (): MergeResult => {
    if (sourceId === targetId) return { ok: false, code: 'same-person' };
    if (!personById(db, sourceId)) return { ok: false, code: 'person-not-found' };
    const into = personById(db, targetId);
    if (!into) return { ok: false, code: 'target-not-found' };
    const contents = contentsOfPerson(db, sourceId);
    const move = (state: 'confirmed' | 'rejected') =>
      prepared(
        db,
        'UPDATE faces SET person_id = @target, updated_at = @now WHERE person_id = @source AND label_state = @state',
      ).run({ source: sourceId, target: targetId, now, state }).changes;
    const confirmed = move('confirmed');
    const rejected = move('rejected');
    const predicted = prepared(
      db,
      'UPDATE faces SET predicted_person_id = @target, updated_at = @now WHERE predicted_person_id = @source',
    ).run({ source: sourceId, target: targetId, now }).changes;
    prepared(db, 'DELETE FROM persons WHERE id = ?').run(sourceId);
    for (const c of contents) announceContent(db, c, 'labelled', now);
    return { ok: true, into, moved: { confirmed, rejected, predicted }, announced: contents.length };
  });
}
