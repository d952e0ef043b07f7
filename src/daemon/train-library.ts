/**
 * Train the library's person models from what the family labelled: the stored chips of labelled
 * faces (the web page, the API, `facetag label`) plus the seed's labels folder, if any. Shared by
 * the daemon's training service and `facetag train`. Labels are only read, never changed.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Logger } from '../core/logger.js';
import { errnoCode } from '../files/errno.js';
import { type LabelledEmbedding, trainFromEmbeddings } from '../neural/embedding-trainer.js';
import { embeddingSpec, featureKey } from '../recognize/features.js';
import {
  BACKGROUND_FACE,
  isNegativeOnly,
  type LabelledChip,
  NOT_A_FACE,
  REJECTED_FACE,
  readLabelledChips,
} from '../recognize/labelled-chips.js';
import { MODEL_SUFFIX, modelPath, type PersonModel, savePersonModel } from '../recognize/person-model.js';
import { chipWithPadding, greyOf } from '../recognize/stored-chip.js';
import { type PersonTraining, trainFromChips } from '../recognize/trainer.js';
import { trainerOptionsOf } from '../recognize/trainer-options.js';
import type { Db } from '../store/db.js';
import { type LabelledFaceChip, labelledFaceChips, sampleAutoEmbeddings } from '../store/face-chips.js';
import { recordModel } from '../store/models.js';
import { decodeChipPng } from '../vision/chip-png.js';

export interface LibraryTrainingOptions {
  readonly db: Db;
  readonly config: Config;
  readonly modelsDir: string;
  readonly labelsDir: string;
  readonly log: Logger;
  readonly now: () => number;
  /** Persons trained so far, of how many; `person` is the one just finished. */
  readonly onProgress?: (done: number, total: number, person: string) => void;
}

export interface LibraryTraining {
  /** Null when nobody is labelled yet: nothing was trained. */
  readonly report: { readonly persons: readonly PersonTraining[] } | null;
  /** Exactly the models now in the folder. */
  readonly models: readonly PersonModel[];
  readonly chips: number;
}

/** The labelled chips, as the seed's training wants them: one label per chip. */
async function libraryChips(db: Db, labelsDir: string, padding: number, log: Logger): Promise<LabelledChip[]> {
  const chips: LabelledChip[] = [];
  for (const row of labelledFaceChips(db)) {
    // A rejected suggestion is a negative: for the person rejected, and, like every face not
    // labelled as them, for the others too (the seed's one-against-the-rest training).
    const label = trainingLabel(row);
    if (!label) continue;
    const grey = greyOf(await decodeChipPng(row.chip));
    chips.push({ label, file: `face:${row.id}`, ...chipWithPadding(grey, padding) });
  }
  const folder = await readLabelledChips(labelsDir).catch((err: unknown) => {
    // No labels folder is the usual case for a daemon user; other errors are worth a line.
    if (errnoCode(err) !== 'ENOENT' && !(err instanceof Error && /ENOENT/.test(err.message))) {
      log.warn('cannot read the labels folder', { labelsDir, err });
    }
    return [];
  });
  return [...chips, ...folder];
}

/** The label a labelled face trains as: its person, or a negative-only label (strangers count as rejected). */
const trainingLabel = (row: LabelledFaceChip): string | null =>
  row.label_state === 'not_a_face'
    ? NOT_A_FACE
    : row.label_state === 'rejected' || row.label_state === 'ignored'
      ? REJECTED_FACE
      : row.person;

/**
 * The neural engine's training set: the stored embeddings of labelled faces (the chips are too
 * small and grey to describe again). Faces without one, e.g. labelled under the cascade and not
 * yet analysed again, wait for their re-analysis; the labels folder's grey chips cannot be used.
 */
function libraryEmbeddings(db: Db, key: string): LabelledEmbedding[] {
  const rows: LabelledEmbedding[] = [];
  for (const row of labelledFaceChips(db)) {
    const label = trainingLabel(row);
    if (label && row.features?.key === key) rows.push({ label, embedding: row.features.values });
  }
  return [...rows, ...backgroundEmbeddings(db, key, rows)];
}

/** Unlabelled faces sampled as background negatives: enough to train on, few enough to train fast. */
const BACKGROUND_SAMPLE = 1000;
const BACKGROUND_MAX = 200;
/**
 * Farther than this from every named face: someone else. On the dev library 1.6 % of same-person
 * pairs were this far apart and 84 % of different-person pairs; being this far from all of a
 * person's named faces at once is rarer still.
 */
const BACKGROUND_MIN_DISTANCE = 0.7;

/** Background negatives (labelled-chips.ts BACKGROUND_FACE): auto faces far from every named face. */
function backgroundEmbeddings(db: Db, key: string, labelled: readonly LabelledEmbedding[]): LabelledEmbedding[] {
  const named = labelled.filter((r) => !isNegativeOnly(r.label)).map((r) => r.embedding);
  if (named.length === 0) return [];
  const limit = BACKGROUND_MIN_DISTANCE ** 2;
  const far = (x: Float64Array) =>
    named.every((e) => {
      let d = 0;
      for (let i = 0; i < e.length && d <= limit; i++) d += ((x[i] ?? 0) - (e[i] ?? 0)) ** 2;
      return d > limit;
    });
  return sampleAutoEmbeddings(db, key, BACKGROUND_SAMPLE)
    .filter((r) => far(r.values))
    .slice(0, BACKGROUND_MAX)
    .map((r) => ({ label: BACKGROUND_FACE, embedding: r.values }));
}

/** Train every labelled person, save and record their models, and retire models nobody backs. */
export async function trainLibrary(options: LibraryTrainingOptions): Promise<LibraryTraining> {
  const { db, config, modelsDir, labelsDir, log, now } = options;
  await mkdir(modelsDir, { recursive: true });
  const trainer = trainerOptionsOf(config.recognition);
  const progress = options.onProgress ? { onProgress: options.onProgress } : {};
  let report: { readonly persons: readonly PersonTraining[] };
  let examples: number;
  if (config.engine === 'neural') {
    const spec = embeddingSpec(config.neural.chipPadding);
    const rows = libraryEmbeddings(db, featureKey(spec));
    const people = new Set(rows.filter((r) => !isNegativeOnly(r.label)).map((r) => r.label));
    if (people.size === 0) return { report: null, models: [], chips: rows.length };
    log.info('training', { engine: 'neural', embeddings: rows.length, persons: people.size });
    report = await trainFromEmbeddings(rows, spec, {
      folds: trainer.folds,
      svm: trainer.svm,
      jobs: trainer.jobs,
      maxDistance: config.neural.maxDistance,
      neighbours: config.neural.galleryNeighbours,
      ...progress,
    });
    examples = rows.length;
  } else {
    const chips = await libraryChips(db, labelsDir, trainer.padding, log);
    const people = new Set(chips.filter((c) => !isNegativeOnly(c.label)).map((c) => c.label));
    if (people.size === 0) return { report: null, models: [], chips: chips.length };
    log.info('training', { engine: 'cascade', chips: chips.length, persons: people.size });
    report = await trainFromChips(chips, { ...trainer, ...progress });
    examples = chips.length;
  }
  const models: PersonModel[] = [];
  for (const p of report.persons) {
    if (!p.model) {
      log.warn('person not trained', { person: p.name, reason: p.skipped });
      continue;
    }
    const file = await savePersonModel(modelsDir, p.model);
    recordModel(
      db,
      {
        person: p.name,
        cvScore: p.model.cv.score,
        cvMetric: p.model.cv.scoring,
        filePath: file.path,
        fileHash: file.hash,
      },
      now(),
    );
    models.push(p.model);
  }
  // A person renamed, merged away or no longer trainable keeps no model: a stale file would
  // bring the old name back at the next re-classification.
  const trained = new Set(models.map((m) => modelPath(modelsDir, m.name)));
  for (const name of await readdir(modelsDir)) {
    const file = join(modelsDir, name);
    if (name.endsWith(MODEL_SUFFIX) && !trained.has(file)) {
      await rm(file, { force: true });
      log.info('model retired', { file });
    }
  }
  return { report, models, chips: examples };
}
