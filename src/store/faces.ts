/**
 * Faces, their labels and the persons they name: the rows and reads, one face's label, a group's
 * label with its undo (label actions), and the persons table. What an analysis writes is in
 * face-writes.ts.
 *
 * Faces belong to a content (a hash), not to a path: copies share them and a move keeps them.
 *
 * The one rule here (ARCHITECTURE "Data", issue 4 item 5): a label given by a person — confirmed,
 * rejected, not_a_face, ignored — is never overwritten by the pipeline. Re-detection
 * (face-writes.ts) pairs new faces with stored ones by overlap (face-match.ts) and updates them in
 * place, so face ids stay stable and
 * labelled faces keep their label; a labelled face the detector no longer finds is kept as it is.
 * Only auto faces are ever deleted by a new analysis.
 */

import * as z from 'zod';
import { normalisePersonName } from '../names/person-name.js';
import { type Db, prepared, writeTransaction } from './db.js';
import { announceContent } from './outbox.js';

/** `ignored`: a real face of nobody to name (a stranger in the background), never asked about again. */
export const LABEL_STATES = ['auto', 'confirmed', 'rejected', 'not_a_face', 'ignored'] as const;
export type LabelState = (typeof LABEL_STATES)[number];
/** The states a person gave (the CHECK allows no others, so in SQL they are `label_state <> 'auto'`). */
export const GIVEN_LABELS = ['confirmed', 'rejected', 'not_a_face', 'ignored'] as const satisfies readonly Exclude<
  LabelState,
  'auto'
>[];

/** A stored float32 little-endian vector; copied first, as SQLite's buffer need not be 4-byte aligned. */
export function storedFloat32(bytes: Buffer): Float32Array {
  const copy = new Uint8Array(bytes);
  return new Float32Array(copy.buffer, 0, copy.byteLength >> 2);
}

/** A face as listed: everything but the BLOBs (chip, features), with person names resolved. */
const faceRow = z.object({
  id: z.int(),
  content_id: z.int(),
  cx: z.number(),
  cy: z.number(),
  width: z.number(),
  height: z.number(),
  angle: z.number(),
  strength: z.int(),
  support: z.int().nullable(),
  density: z.number().nullable(),
  has_chip: z.int(),
  chip_padding: z.number().nullable(),
  feature_key: z.string().nullable(),
  predicted_person_id: z.int().nullable(),
  predicted_person: z.string().nullable(),
  decision_value: z.number().nullable(),
  model_version: z.string().nullable(),
  label_state: z.enum(LABEL_STATES),
  person_id: z.int().nullable(),
  person: z.string().nullable(),
  labelled_at: z.int().nullable(),
  created_at: z.int(),
  updated_at: z.int(),
});
export type FaceRow = z.infer<typeof faceRow>;

const FACE_COLUMNS = `
  f.id, f.content_id, f.cx, f.cy, f.width, f.height, f.angle, f.strength, f.support, f.density,
  f.chip IS NOT NULL AS has_chip, f.chip_padding, f.feature_key, f.predicted_person_id,
  pp.name AS predicted_person, f.decision_value, f.model_version, f.label_state, f.person_id,
  lp.name AS person, f.labelled_at, f.created_at, f.updated_at`;
const FACE_FROM = `
  FROM faces f
  LEFT JOIN persons pp ON pp.id = f.predicted_person_id
  LEFT JOIN persons lp ON lp.id = f.person_id`;
const FACE_SELECT = `SELECT ${FACE_COLUMNS} ${FACE_FROM}`;

/** A face's id and rotated box, as rows give them. */
export const faceBoxRow = z.object({
  id: z.int(),
  cx: z.number(),
  cy: z.number(),
  width: z.number(),
  height: z.number(),
  angle: z.number(),
});

export function faceById(db: Db, id: number): FaceRow | undefined {
  const row: unknown = prepared(db, `${FACE_SELECT} WHERE f.id = ?`).get(id);
  return row === undefined ? undefined : faceRow.parse(row);
}

/** The faces of the content a photo (path row) holds; none while it has no content. */
export function facesOfPhoto(db: Db, photoId: number): FaceRow[] {
  return z
    .array(faceRow)
    .parse(
      prepared(
        db,
        `${FACE_SELECT} WHERE f.content_id = (SELECT content_id FROM photos WHERE id = ?) ORDER BY f.id`,
      ).all(photoId),
    );
}

/** The encoded chip of a face and the padding it was cut with. */
export function faceChip(db: Db, faceId: number): { chip: Buffer; padding: number | null } | undefined {
  const row: unknown = prepared(db, 'SELECT chip, chip_padding FROM faces WHERE id = ? AND chip IS NOT NULL').get(
    faceId,
  );
  if (row === undefined) return undefined;
  const r = z.object({ chip: z.instanceof(Buffer), chip_padding: z.number().nullable() }).parse(row);
  return { chip: r.chip, padding: r.chip_padding };
}

/** A face's stored feature vector and its spec key. */
export function faceFeatures(db: Db, faceId: number): { features: Float32Array; featureKey: string } | undefined {
  const row: unknown = prepared(
    db,
    'SELECT features, feature_key FROM faces WHERE id = ? AND features IS NOT NULL AND feature_key IS NOT NULL',
  ).get(faceId);
  if (row === undefined) return undefined;
  const r = z.object({ features: z.instanceof(Buffer), feature_key: z.string() }).parse(row);
  return { features: storedFloat32(r.features), featureKey: r.feature_key };
}

// ---- One face's label ----

export type LabelAction =
  | { readonly state: 'confirmed'; readonly person: string }
  /** Not this person: by default the face's current suggestion. */
  | { readonly state: 'rejected'; readonly person?: string }
  | { readonly state: 'not_a_face' }
  /** A stranger: not named, not suggested, a negative for every person's model. */
  | { readonly state: 'ignored' }
  /** Take the label back: the model's suggestion applies again. */
  | { readonly state: 'auto' };

export type LabelResult =
  | { readonly ok: true; readonly face: FaceRow }
  | { readonly ok: false; readonly code: 'face-not-found' | 'invalid-person-name' | 'nothing-to-reject' };

type LabelRefusal = Exclude<LabelResult, { ok: true }>['code'];

/** Write one face's label, without announcing it: the callers announce each content once. */
function applyLabel(db: Db, face: FaceRow, action: LabelAction, now: number): LabelRefusal | undefined {
  let personId: number | null = null;
  if (action.state === 'confirmed' || (action.state === 'rejected' && action.person !== undefined)) {
    const name = normalisePersonName(action.person ?? '');
    if (name === undefined) return 'invalid-person-name';
    personId = ensurePerson(db, name, now);
  } else if (action.state === 'rejected') {
    personId = face.predicted_person_id;
    if (personId === null) return 'nothing-to-reject';
  }
  prepared(db, 'UPDATE faces SET label_state = ?, person_id = ?, labelled_at = ?, updated_at = ? WHERE id = ?').run(
    action.state,
    personId,
    action.state === 'auto' ? null : now,
    now,
    face.id,
  );
  return undefined;
}

/** Label one face (web page, HTTP API, CLI). Announces the change for sidecars and plugins. */
export function setFaceLabel(db: Db, faceId: number, action: LabelAction, now: number): LabelResult {
  return writeTransaction(db, (): LabelResult => {
    const face = faceById(db, faceId);
    if (!face) return { ok: false, code: 'face-not-found' };
    const refused = applyLabel(db, face, action, now);
    if (refused) return { ok: false, code: refused };
    announceContent(db, face.content_id, 'labelled', now);
    const updated = faceById(db, faceId);
    if (!updated) throw new Error(`face ${faceId} vanished inside its own transaction`);
    return { ok: true, face: updated };
  });
}

// ---- A person's faces ----

/** A face with where to see it: the content's hash and one live path (the lowest photo id). */
const personFaceRow = faceRow.extend({ hash: z.string().nullable(), path: z.string() });
export type PersonFaceRow = z.infer<typeof personFaceRow>;

/** Only faces of contents that some file still holds: a removed photo's faces are not shown. */
const LIVE_PHOTO = `JOIN photos ph ON ph.id = (SELECT min(id) FROM photos WHERE content_id = f.content_id AND status <> 'removed')`;

export interface PersonFacesQuery {
  /** confirmed: labelled as the person; suggested: auto faces the model gives to the person. */
  readonly which: 'confirmed' | 'suggested';
  readonly limit: number;
  /** Keyset paging: faces with a larger id than this. */
  readonly afterId?: number;
}

/** A page of one person's faces, by face id. */
export function facesOfPerson(db: Db, personId: number, query: PersonFacesQuery): PersonFaceRow[] {
  const where =
    query.which === 'confirmed'
      ? "f.person_id = @person AND f.label_state = 'confirmed'"
      : "f.predicted_person_id = @person AND f.label_state = 'auto'";
  return z.array(personFaceRow).parse(
    prepared(
      db,
      `SELECT ${FACE_COLUMNS}, c.hash, ph.path ${FACE_FROM}
       JOIN contents c ON c.id = f.content_id ${LIVE_PHOTO}
       WHERE ${where} AND f.id > @after ORDER BY f.id LIMIT @limit`,
    ).all({ person: personId, after: query.afterId ?? 0, limit: query.limit }),
  );
}

const personCountRow = z.object({ id: z.int(), name: z.string(), confirmed: z.int(), suggested: z.int() });
export type PersonFaceCount = z.infer<typeof personCountRow>;

/** Confirmed and suggested faces per person, counting only photos still present. */
export function personFaceCounts(db: Db): PersonFaceCount[] {
  const live = "EXISTS (SELECT 1 FROM photos ph WHERE ph.content_id = f.content_id AND ph.status <> 'removed')";
  return z.array(personCountRow).parse(
    prepared(
      db,
      `SELECT p.id, p.name,
         (SELECT count(*) FROM faces f WHERE f.person_id = p.id AND f.label_state = 'confirmed' AND ${live}) AS confirmed,
         (SELECT count(*) FROM faces f WHERE f.predicted_person_id = p.id AND f.label_state = 'auto' AND ${live})
           AS suggested
       FROM persons p ORDER BY p.name`,
    ).all(),
  );
}

// ---- Label actions ----
/*
 * Bulk labels with undo: naming a whole cluster, ignoring a group. Each bulk action is one
 * transaction that records every face's label from before it, so undo puts exactly those back.
 * A face labelled again since the action is left alone on undo (the newer word wins).
 */
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
    // Each photo is announced once, however many of its faces the action labels.
    const contents = new Set<number>();
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
      const refused = applyLabel(db, face, action, now);
      if (refused) throw new BulkRefused(id, refused);
      contents.add(face.content_id);
    }
    for (const c of contents) announceContent(db, c, 'labelled', now);
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
    readonly code: LabelRefusal,
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

// ---- Persons ----
// People that faces are labelled with and models are trained for. Names are unique.

const personRow = z.object({ id: z.int(), name: z.string(), created_at: z.int() });
export type PersonRow = z.infer<typeof personRow>;

/** The person's id, creating the person on first use. `name` must be normalised. */
export function ensurePerson(db: Db, name: string, now: number): number {
  prepared(db, 'INSERT INTO persons (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(name, now);
  return z.object({ id: z.int() }).parse(prepared(db, 'SELECT id FROM persons WHERE name = ?').get(name)).id;
}

export function personById(db: Db, id: number): PersonRow | undefined {
  const row: unknown = prepared(db, 'SELECT id, name, created_at FROM persons WHERE id = ?').get(id);
  return row === undefined ? undefined : personRow.parse(row);
}

export function personByName(db: Db, name: string): PersonRow | undefined {
  const row: unknown = prepared(db, 'SELECT * FROM persons WHERE name = ?').get(name);
  return row === undefined ? undefined : personRow.parse(row);
}

export function listPersons(db: Db): PersonRow[] {
  return z.array(personRow).parse(prepared(db, 'SELECT * FROM persons ORDER BY name').all());
}
