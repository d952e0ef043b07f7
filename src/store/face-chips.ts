/**
 * The stored chips that training and re-classification read: labelled faces to learn from, and
 * auto faces to name again after a retrain. Paged by id so memory stays bounded.
 */
import * as z from 'zod';
import { type Db, prepared } from './db.js';
import { GIVEN_LABELS, storedFloat32 } from './faces.js';

/** The columns every stored-chip row has; each query adds its own and then `withStoredFeatures`. */
export const storedChipColumns = z.object({
  id: z.int(),
  chip: z.instanceof(Buffer),
  features: z.instanceof(Buffer).nullable(),
  feature_key: z.string().nullable(),
});

const chipRow = storedChipColumns.extend({ chip_padding: z.number().nullable() }).transform(withStoredFeatures);

/** A stored feature vector as float64. */
function storedVector(bytes: Buffer): Float64Array {
  return Float64Array.from(storedFloat32(bytes));
}

/** A row's `features`/`feature_key` columns as one value: the vector with its spec key, or null. */
export function withStoredFeatures<R extends { features: Buffer | null; feature_key: string | null }>({
  features,
  feature_key,
  ...row
}: R): Omit<R, 'features' | 'feature_key'> & { features: { values: Float64Array; key: string } | null } {
  return { ...row, features: features && feature_key ? { values: storedVector(features), key: feature_key } : null };
}

const labelledChipRow = storedChipColumns
  .extend({ chip_padding: z.number().nullable(), label_state: z.enum(GIVEN_LABELS), person: z.string().nullable() })
  .transform(withStoredFeatures);

export type StoredFaceChip = z.infer<typeof chipRow>;
export type LabelledFaceChip = z.infer<typeof labelledChipRow>;

/** Confirmed faces (with their person), rejected suggestions, ignored strangers and not-a-face marks, oldest first: the daemon's training set. */
export function labelledFaceChips(db: Db): LabelledFaceChip[] {
  return z.array(labelledChipRow).parse(
    prepared(
      db,
      `SELECT f.id, f.chip, f.chip_padding, f.features, f.feature_key, f.label_state, p.name AS person
       FROM faces f LEFT JOIN persons p ON p.id = f.person_id
       WHERE f.label_state <> 'auto' AND f.chip IS NOT NULL
       ORDER BY f.id`,
    ).all(),
  );
}

/** Up to `limit` auto faces with a chip and an id above `afterId`. */
export function autoFaceChips(db: Db, afterId: number, limit: number): StoredFaceChip[] {
  return z.array(chipRow).parse(
    prepared(
      db,
      `SELECT id, chip, chip_padding, features, feature_key FROM faces
       WHERE label_state = 'auto' AND chip IS NOT NULL AND id > ? ORDER BY id LIMIT ?`,
    ).all(afterId, limit),
  );
}

/** How many auto faces have a chip: the re-classification's total, for progress. */
export function countAutoFaceChips(db: Db): number {
  return z
    .object({ n: z.int() })
    .parse(prepared(db, `SELECT count(*) AS n FROM faces WHERE label_state = 'auto' AND chip IS NOT NULL`).get()).n;
}

/**
 * Changes whenever a label is given or changed: the training service's cue. With `keyPrefix`
 * (e.g. 'embedding') it also counts the labelled faces carrying such features, which grows as a
 * re-analysis adds them. One scan of the labelled faces either way.
 */
export function labelsFingerprint(db: Db, keyPrefix?: string): string {
  const row = z.object({ n: z.int(), last: z.int().nullable(), featured: z.int().nullable() }).parse(
    prepared(
      db,
      `SELECT count(*) AS n, max(labelled_at) AS last, sum(feature_key GLOB @glob) AS featured
         FROM faces WHERE label_state <> 'auto'`,
    ).get({ glob: `${keyPrefix ?? ''}*` }),
  );
  const labels = `${row.n}:${row.last ?? 0}`;
  return keyPrefix === undefined ? labels : `${labels}:${row.featured ?? 0}`;
}

const embeddingRow = z.object({ id: z.int(), features: z.instanceof(Buffer) });

/**
 * Up to `limit` auto faces' feature vectors of spec `key`, a fixed pseudo-random sample spread over
 * the whole library (a multiplicative hash of the id orders them), so repeated trainings on the
 * same library see the same faces.
 */
export function sampleAutoEmbeddings(db: Db, key: string, limit: number): { id: number; values: Float64Array }[] {
  return z
    .array(embeddingRow)
    .parse(
      prepared(
        db,
        `SELECT id, features FROM faces
         WHERE label_state = 'auto' AND feature_key = ? AND features IS NOT NULL
         ORDER BY (id * 2654435761) % 4294967296, id LIMIT ?`,
      ).all(key, limit),
    )
    .map((r) => ({ id: r.id, values: storedVector(r.features) }));
}
