/**
 * Faces belong to a content (a hash), not to a path: copies share them and a move keeps them.
 *
 * The one rule here (ARCHITECTURE "Data", issue 4 item 5): a label given by a person — confirmed,
 * rejected, not_a_face, ignored — is never overwritten by the pipeline. Re-detection pairs new faces with
 * stored ones by overlap (face-match.ts) and updates them in place, so face ids stay stable and
 * labelled faces keep their label; a labelled face the detector no longer finds is kept as it is.
 * Only auto faces are ever deleted by a new analysis.
 */
import * as z from 'zod';
import { type Db, writeTransaction } from './db.js';
import { matchFaces, type StoredBox } from './face-match.js';
import { announceContent } from './outbox.js';
import { ensurePerson, normalisePersonName } from './persons.js';
import { prepared } from './statements.js';

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

/** A face as the pipeline reports it. */
export interface FaceInput {
  /** Rotated box in the oriented full-resolution frame. */
  readonly rect: StoredBox;
  readonly strength: number;
  /** Summed strength over the sweep's angles. */
  readonly support?: number | null;
  readonly density?: number | null;
  /** The upright face, encoded (PNG), cut with `chipPadding`. */
  readonly chip?: Uint8Array | null;
  readonly chipPadding?: number | null;
  /** The same crop in colour (JPEG), shown to people; replaced with the chip. */
  readonly thumb?: Uint8Array | null;
  /** Feature vector for re-classification; stored as float32. */
  readonly features?: Float32Array | Float64Array | null;
  /** What the features were computed with (recognize/features.ts featureKey). */
  readonly featureKey?: string | null;
  /** The winning model's person; null for unknown (not the recogniser's 'unknown' name, which would become a person). */
  readonly predictedPerson?: string | null;
  readonly decisionValue?: number | null;
}

/** Float32 little-endian bytes: half the size of float64, far below HOG's own precision. */
function featureBytes(features: Float32Array | Float64Array | null | undefined): Buffer | null {
  if (!features) return null;
  const f32 = features instanceof Float32Array ? features : Float32Array.from(features);
  return Buffer.from(f32.buffer, f32.byteOffset, f32.byteLength);
}

function personIdOf(db: Db, name: string | null | undefined, now: number): number | null {
  if (name === null || name === undefined) return null;
  const normal = normalisePersonName(name);
  if (normal === undefined) throw new Error(`invalid person name ${JSON.stringify(name)} from the recogniser`);
  return ensurePerson(db, normal, now);
}

function faceValues(db: Db, face: FaceInput, modelVersion: string | null, now: number) {
  const { cx, cy, width, height, angle } = face.rect;
  return {
    cx,
    cy,
    width,
    height,
    angle,
    strength: face.strength,
    support: face.support ?? null,
    density: face.density ?? null,
    chip: face.chip ? Buffer.from(face.chip.buffer, face.chip.byteOffset, face.chip.byteLength) : null,
    chip_padding: face.chipPadding ?? null,
    thumb: face.thumb ? Buffer.from(face.thumb.buffer, face.thumb.byteOffset, face.thumb.byteLength) : null,
    features: featureBytes(face.features),
    feature_key: face.featureKey ?? null,
    predicted_person_id: personIdOf(db, face.predictedPerson, now),
    decision_value: face.decisionValue ?? null,
    model_version: face.predictedPerson === undefined && face.decisionValue === undefined ? null : modelVersion,
    now,
  };
}

/** A face's id and rotated box, as rows give them. */
export const faceBoxRow = z.object({
  id: z.int(),
  cx: z.number(),
  cy: z.number(),
  width: z.number(),
  height: z.number(),
  angle: z.number(),
});
const storedBox = faceBoxRow.extend({ label_state: z.enum(LABEL_STATES) });

export interface FaceWriteReport {
  readonly inserted: number;
  readonly updated: number;
  readonly deleted: number;
  /** Labelled faces kept although this detection did not find them. */
  readonly keptUnmatched: number;
}

/**
 * Make `faces` the content's detection, label-safely (see the file comment). Call inside the
 * transaction that records the analysis: it runs several statements.
 */
export function writeFaces(
  db: Db,
  contentId: number,
  faces: readonly FaceInput[],
  modelVersion: string | null,
  now: number,
): FaceWriteReport {
  const existing = z
    .array(storedBox)
    .parse(
      prepared(
        db,
        'SELECT id, cx, cy, width, height, angle, label_state FROM faces WHERE content_id = ? ORDER BY id',
      ).all(contentId),
    );
  const pairs = matchFaces(
    existing.map((e) => ({ ...e, labelled: e.label_state !== 'auto' })),
    faces.map((f) => f.rect),
  );
  const matchedExisting = new Set(pairs.map(([e]) => e));
  const matchedIncoming = new Set(pairs.map(([, i]) => i));

  const update = prepared(
    db,
    `UPDATE faces SET cx = @cx, cy = @cy, width = @width, height = @height, angle = @angle, strength = @strength,
       support = @support, density = @density, chip = @chip, chip_padding = @chip_padding, thumb = @thumb,
       features = @features,
       feature_key = @feature_key, predicted_person_id = @predicted_person_id, decision_value = @decision_value,
       model_version = @model_version, updated_at = @now
     WHERE id = @id`,
  );
  // matchFaces pairs indices of the two lists it was given.
  for (const [e, i] of pairs) update.run({ ...faceValues(db, faces[i]!, modelVersion, now), id: existing[e]!.id });

  let deleted = 0;
  let keptUnmatched = 0;
  const remove = prepared(db, "DELETE FROM faces WHERE id = ? AND label_state = 'auto'");
  existing.forEach((e, ei) => {
    if (matchedExisting.has(ei)) return;
    if (e.label_state === 'auto') deleted += remove.run(e.id).changes;
    else keptUnmatched++;
  });

  const insert = prepared(
    db,
    `INSERT INTO faces (content_id, cx, cy, width, height, angle, strength, support, density, chip, chip_padding, thumb,
                        features, feature_key, predicted_person_id, decision_value, model_version, created_at, updated_at)
     VALUES (@content_id, @cx, @cy, @width, @height, @angle, @strength, @support, @density, @chip, @chip_padding, @thumb,
             @features, @feature_key, @predicted_person_id, @decision_value, @model_version, @now, @now)`,
  );
  let inserted = 0;
  faces.forEach((f, i) => {
    if (matchedIncoming.has(i)) return;
    insert.run({ ...faceValues(db, f, modelVersion, now), content_id: contentId });
    inserted++;
  });
  return { inserted, updated: pairs.length, deleted, keptUnmatched };
}

/**
 * Carry the labels of `from`'s faces over to `to`'s faces they overlap (IoU ≥ 0.5) where those are
 * still auto; `to`'s own labels win. With `keepUnmatched`, a labelled face with no counterpart is
 * moved to `to` (used when `from` is about to be deleted: same bytes, two rows). Returns how many
 * labels were carried or moved. Call inside a transaction.
 */
export function carryLabels(db: Db, from: number, to: number, keepUnmatched: boolean, now: number): number {
  const labelled = z.array(storedBox.extend({ person_id: z.int().nullable(), labelled_at: z.int().nullable() })).parse(
    prepared(
      db,
      `SELECT id, cx, cy, width, height, angle, label_state, person_id, labelled_at FROM faces
         WHERE content_id = ? AND label_state <> 'auto' ORDER BY id`,
    ).all(from),
  );
  if (labelled.length === 0) return 0;
  const target = z
    .array(storedBox)
    .parse(
      prepared(
        db,
        'SELECT id, cx, cy, width, height, angle, label_state FROM faces WHERE content_id = ? ORDER BY id',
      ).all(to),
    );
  // Target faces are the "existing" side so its labelled faces are matched (and protected) first.
  const pairs = matchFaces(
    target.map((t) => ({ ...t, labelled: t.label_state !== 'auto' })),
    labelled,
  );
  let carried = 0;
  const setLabel = prepared(
    db,
    `UPDATE faces SET label_state = @state, person_id = @person, labelled_at = @at, updated_at = @now
     WHERE id = @id AND label_state = 'auto'`,
  );
  const matched = new Set<number>();
  for (const [t, l] of pairs) {
    matched.add(l);
    // matchFaces pairs indices of the two lists it was given.
    const source = labelled[l]!;
    carried += setLabel.run({
      id: target[t]!.id,
      state: source.label_state,
      person: source.person_id,
      at: source.labelled_at ?? now,
      now,
    }).changes;
  }
  if (keepUnmatched) {
    const move = prepared(db, 'UPDATE faces SET content_id = ?, updated_at = ? WHERE id = ?');
    labelled.forEach((l, i) => {
      if (!matched.has(i)) carried += move.run(to, now, l.id).changes;
    });
  }
  return carried;
}

export function faceById(db: Db, id: number): FaceRow | undefined {
  const row: unknown = prepared(db, `${FACE_SELECT} WHERE f.id = ?`).get(id);
  return row === undefined ? undefined : faceRow.parse(row);
}

export function facesOfContent(db: Db, contentId: number): FaceRow[] {
  return z.array(faceRow).parse(prepared(db, `${FACE_SELECT} WHERE f.content_id = ? ORDER BY f.id`).all(contentId));
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

/** Label one face (web page, HTTP API, CLI). Announces the change for sidecars and plugins. */
export function setFaceLabel(db: Db, faceId: number, action: LabelAction, now: number): LabelResult {
  return writeTransaction(db, (): LabelResult => {
    const face = faceById(db, faceId);
    if (!face) return { ok: false, code: 'face-not-found' };
    let personId: number | null = null;
    if (action.state === 'confirmed' || (action.state === 'rejected' && action.person !== undefined)) {
      const name = normalisePersonName(action.person ?? '');
      if (name === undefined) return { ok: false, code: 'invalid-person-name' };
      personId = ensurePerson(db, name, now);
    } else if (action.state === 'rejected') {
      personId = face.predicted_person_id;
      if (personId === null) return { ok: false, code: 'nothing-to-reject' };
    }
    prepared(db, 'UPDATE faces SET label_state = ?, person_id = ?, labelled_at = ?, updated_at = ? WHERE id = ?').run(
      action.state,
      personId,
      action.state === 'auto' ? null : now,
      now,
      faceId,
    );
    announceContent(db, face.content_id, 'labelled', now);
    const updated = faceById(db, faceId);
    if (!updated) throw new Error(`face ${faceId} vanished inside its own transaction`);
    return { ok: true, face: updated };
  });
}

export interface Prediction {
  readonly faceId: number;
  readonly predictedPerson: string | null;
  readonly decisionValue: number | null;
}

/**
 * Re-classification results (a new model version, no new detection): only the prediction columns
 * change, never a label. One transaction; each touched content is announced once.
 */
export function recordPredictions(
  db: Db,
  predictions: readonly Prediction[],
  modelVersion: string,
  now: number,
): number {
  return writeTransaction(db, () => {
    const update = prepared(
      db,
      `UPDATE faces SET predicted_person_id = ?, decision_value = ?, model_version = ?, updated_at = ?
       WHERE id = ? RETURNING content_id`,
    );
    const contents = new Set<number>();
    for (const p of predictions) {
      const row: unknown = update.get(
        personIdOf(db, p.predictedPerson, now),
        p.decisionValue,
        modelVersion,
        now,
        p.faceId,
      );
      if (row !== undefined) contents.add(z.object({ content_id: z.int() }).parse(row).content_id);
    }
    for (const c of contents) announceContent(db, c, 'reclassified', now);
    return contents.size;
  });
}

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
