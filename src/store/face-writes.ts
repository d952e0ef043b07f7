/**
 * What an analysis records about faces: the detector's faces matched by overlap to the stored ones
 * (face-match.ts), labels carried from one content to another, and the recogniser's predictions.
 * A label a person gave is never overwritten here (the rule in faces.ts).
 */
import * as z from 'zod';
import { normalisePersonName } from '../names/person-name.js';
import { type Db, prepared, writeTransaction } from './db.js';
import { matchFaces, type StoredBox } from './face-match.js';
import { ensurePerson, faceBoxRow, LABEL_STATES } from './faces.js';
import { announceContent } from './outbox.js';

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

type PersonIds = (name: string | null | undefined) => number | null;

/**
 * The person id of each recogniser name, for one write: a retrain re-records every auto face, and
 * the few names among them are checked and looked up once each rather than once per face.
 */
function personIds(db: Db, now: number): PersonIds {
  const ids = new Map<string, number>();
  return (name) => {
    if (name === null || name === undefined) return null;
    let id = ids.get(name);
    if (id === undefined) {
      const normal = normalisePersonName(name);
      if (normal === undefined) throw new Error(`invalid person name ${JSON.stringify(name)} from the recogniser`);
      id = ensurePerson(db, normal, now);
      ids.set(name, id);
    }
    return id;
  };
}

function faceValues(face: FaceInput, personId: PersonIds, modelVersion: string | null, now: number) {
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
    predicted_person_id: personId(face.predictedPerson),
    decision_value: face.decisionValue ?? null,
    model_version: face.predictedPerson === undefined && face.decisionValue === undefined ? null : modelVersion,
    now,
  };
}

const storedBox = faceBoxRow.extend({ label_state: z.enum(LABEL_STATES) });

/** A content's faces as re-detection matches them: boxes and whether a person labelled them. */
function storedBoxes(db: Db, contentId: number) {
  return z
    .array(storedBox)
    .parse(
      prepared(
        db,
        'SELECT id, cx, cy, width, height, angle, label_state FROM faces WHERE content_id = ? ORDER BY id',
      ).all(contentId),
    );
}

export interface FaceWriteReport {
  readonly inserted: number;
  readonly updated: number;
  readonly deleted: number;
  /** Labelled faces kept although this detection did not find them. */
  readonly keptUnmatched: number;
}

/**
 * Make `faces` the content's detection, label-safely (see faces.ts's file comment). Call inside the
 * transaction that records the analysis: it runs several statements.
 */
export function writeFaces(
  db: Db,
  contentId: number,
  faces: readonly FaceInput[],
  modelVersion: string | null,
  now: number,
): FaceWriteReport {
  const existing = storedBoxes(db, contentId);
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
  const personId = personIds(db, now);
  for (const [e, i] of pairs)
    update.run({ ...faceValues(faces[i]!, personId, modelVersion, now), id: existing[e]!.id });

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
    insert.run({ ...faceValues(f, personId, modelVersion, now), content_id: contentId });
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
  const target = storedBoxes(db, to);
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
    const personId = personIds(db, now);
    const contents = new Set<number>();
    for (const p of predictions) {
      const row: unknown = update.get(personId(p.predictedPerson), p.decisionValue, modelVersion, now, p.faceId);
      if (row !== undefined) contents.add(z.object({ content_id: z.int() }).parse(row).content_id);
    }
    for (const c of contents) announceContent(db, c, 'reclassified', now);
    return contents.size;
  });
}
