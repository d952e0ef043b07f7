/**
 * Which person models exist, where their files are and how well they cross-validated. The model
 * files themselves stay on disk (src/recognize/person-model.ts); this is the index and the version
 * history that faces' `model_version` refers to.
 */
import * as z from 'zod';
import { type Db, prepared, writeTransaction } from './db.js';
import { ensurePerson } from './faces.js';

const modelRow = z.object({
  id: z.int(),
  person_id: z.int(),
  person: z.string(),
  version: z.int(),
  created_at: z.int(),
  cv_score: z.number().nullable(),
  cv_metric: z.string().nullable(),
  file_path: z.string(),
  file_hash: z.string(),
});
export type ModelRow = z.infer<typeof modelRow>;

export interface ModelRecord {
  /** Normalised person name (created if new). */
  readonly person: string;
  readonly cvScore: number | null;
  /** The metric cvScore is in, e.g. 'balanced_accuracy'. */
  readonly cvMetric: string | null;
  readonly filePath: string;
  /** sha256 of the model file, so a swapped file is noticed. */
  readonly fileHash: string;
}

const SELECT = `SELECT m.*, p.name AS person FROM models m JOIN persons p ON p.id = m.person_id`;

/** Register a newly trained model as the person's next version. */
export function recordModel(db: Db, record: ModelRecord, now: number): ModelRow {
  return writeTransaction(db, () => {
    const personId = ensurePerson(db, record.person, now);
    const { id } = z.object({ id: z.int() }).parse(
      prepared(
        db,
        `INSERT INTO models (person_id, version, created_at, cv_score, cv_metric, file_path, file_hash)
         VALUES (@personId, (SELECT coalesce(max(version), 0) + 1 FROM models WHERE person_id = @personId),
                 @now, @cvScore, @cvMetric, @filePath, @fileHash)
         RETURNING id`,
      ).get({
        personId,
        now,
        cvScore: record.cvScore,
        cvMetric: record.cvMetric,
        filePath: record.filePath,
        fileHash: record.fileHash,
      }),
    );
    return modelRow.parse(prepared(db, `${SELECT} WHERE m.id = ?`).get(id));
  });
}

/** Each person's newest model, by person name. */
export function latestModels(db: Db): ModelRow[] {
  return z
    .array(modelRow)
    .parse(
      prepared(
        db,
        `${SELECT} WHERE m.version = (SELECT max(version) FROM models WHERE person_id = m.person_id) ORDER BY p.name`,
      ).all(),
    );
}
