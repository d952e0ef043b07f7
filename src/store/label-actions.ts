/**
 * Bulk labels with undo: naming a whole cluster, ignoring a group. Each bulk action is one
 * transaction that records every face's label from before it, so undo puts exactly those back.
 * A face labelled again since the action is left alone on undo (the newer word wins).
 */
import * as z from 'zod';
import { type Db, writeTransaction } from './db.js';
import { faceById, type LabelAction, type LabelResult, setFaceLabel } from './faces.js';
import { announceContent } from './outbox.js';
import { prepared } from './statements.js';

const beforeRow = z.object({
  id: z.int(),
  content_id: z.int(),
  label_state: z.string(),
  person_id: z.int().nullable(),
  labelled_at: z.int().nullable(),
});
const beforeList = z.array(beforeRow);

export type BulkLabelResult =
  | { readonly ok: true; readonly actionId: number; readonly labelled: number }
  | { readonly ok: false; readonly faceId: number; readonly code: Exclude<LabelResult, { ok: true }>['code'] };

/** Label many faces in one transaction: all or none. `summary` says what it was, for the page's undo. */
export function labelFaces(
  db: Db,
  faceIds: readonly number[],
  action: LabelAction,
  summary: string,
  now: number,
): BulkLabelResult {
  const run = (): BulkLabelResult => {
    const before = [];
    for (const id of new Set(faceIds)) {
      const face = faceById(db, id);
      if (!face) throw new BulkRefused(id, 'face-not-found');
      before.push({
        id,
        content_id: face.content_id,
        label_state: face.label_state,
        person_id: face.person_id,
        labelled_at: face.labelled_at,
      });
      const r = setFaceLabel(db, id, action, now);
      if (!r.ok) throw new BulkRefused(id, r.code);
    }
    const row: unknown = prepared(
      db,
      'INSERT INTO label_actions (summary, before, created_at) VALUES (?, ?, ?) RETURNING id',
    ).get(summary, JSON.stringify(before), now);
    return { ok: true, actionId: z.object({ id: z.int() }).parse(row).id, labelled: before.length };
  };
  try {
    return writeTransaction(db, run);
  } catch (err) {
    if (err instanceof BulkRefused) return { ok: false, faceId: err.faceId, code: err.code };
    throw err;
  }
}

/** Thrown inside the transaction so that one refused face rolls the whole action back. */
class BulkRefused extends Error {
  constructor(
    readonly faceId: number,
    readonly code: Exclude<LabelResult, { ok: true }>['code'],
  ) {
    super(`face ${faceId}: ${code}`);
  }
}

export type UndoResult =
  | { readonly ok: true; readonly restored: number; readonly kept: number }
  | { readonly ok: false; readonly code: 'not-found' | 'already-undone' };

const actionRow = z.object({ before: z.string(), created_at: z.int(), undone_at: z.int().nullable() });

/** Put back the labels a bulk action replaced, except on faces labelled again since. */
export function undoLabelAction(db: Db, actionId: number, now: number): UndoResult {
  return writeTransaction(db, (): UndoResult => {
    const found: unknown = prepared(db, 'SELECT before, created_at, undone_at FROM label_actions WHERE id = ?').get(
      actionId,
    );
    if (found === undefined) return { ok: false, code: 'not-found' };
    const action = actionRow.parse(found);
    if (action.undone_at !== null) return { ok: false, code: 'already-undone' };
    const before = beforeList.parse(JSON.parse(action.before));
    const restore = prepared(
      db,
      `UPDATE faces SET label_state = @label_state, person_id = @person_id, labelled_at = @labelled_at, updated_at = @now
       WHERE id = @id AND coalesce(labelled_at, 0) <= @since`,
    );
    let restored = 0;
    const contents = new Set<number>();
    for (const face of before) {
      const changes = restore.run({ ...face, now, since: action.created_at }).changes;
      restored += changes;
      if (changes > 0) contents.add(face.content_id);
    }
    for (const c of contents) announceContent(db, c, 'labelled', now);
    prepared(db, 'UPDATE label_actions SET undone_at = ? WHERE id = ?').run(now, actionId);
    return { ok: true, restored, kept: before.length - restored };
  });
}

const recentRow = z.object({ id: z.int(), summary: z.string(), created_at: z.int(), faces: z.int() });
export type RecentLabelAction = z.infer<typeof recentRow>;

/** The latest bulk actions not yet undone, newest first (the page offers to undo them). */
export function recentLabelActions(db: Db, limit: number): RecentLabelAction[] {
  return z.array(recentRow).parse(
    prepared(
      db,
      `SELECT id, summary, created_at, json_array_length(before) AS faces FROM label_actions
       WHERE undone_at IS NULL ORDER BY id DESC LIMIT ?`,
    ).all(limit),
  );
}
