/**
 * Embeddings → one SVM per person: the HOG trainer's grid search, folds, class weights and
 * model file, on 128-d face descriptors instead of HOG vectors. The model records the
 * embedding feature spec, so it refuses HOG faces (and HOG models refuse embeddings).
 *
 * Phase B should fold this into recognize/trainer.ts behind a feature extractor; it is
 * separate here only because that file was out of this change's scope.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { EmbeddingFeatureSpec } from '../recognize/features.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type PersonModel } from '../recognize/person-model.js';
import { trainPersons } from '../recognize/svm/train-pool.js';
import { type PersonTraining, personsOf, personTrainings, type TrainerOptions } from '../recognize/trainer.js';

export interface LabelledEmbedding {
  readonly label: string;
  readonly embedding: Float64Array;
}

export interface EmbeddingTraining {
  readonly spec: EmbeddingFeatureSpec;
  readonly persons: readonly PersonTraining[];
  readonly seconds: { readonly train: number };
}

export interface EmbeddingTrainerOptions
  extends Pick<TrainerOptions, 'folds' | 'svm' | 'jobs' | 'names' | 'onProgress'> {
  /** Keep each person's embeddings in the model and accept faces within this distance only; 0: off. */
  readonly maxDistance: number;
}

/** The training set's fingerprint: label and values of every row, in order. */
function embeddingsHash(rows: readonly LabelledEmbedding[]): string {
  const hash = createHash('sha256');
  for (const r of rows) {
    hash.update(`${r.label}\0${r.embedding.length}\0`);
    hash.update(new Uint8Array(r.embedding.buffer, r.embedding.byteOffset, r.embedding.byteLength));
  }
  return hash.digest('hex');
}

export async function trainFromEmbeddings(
  rows: readonly LabelledEmbedding[],
  spec: EmbeddingFeatureSpec,
  options: EmbeddingTrainerOptions,
): Promise<EmbeddingTraining> {
  if (rows.length === 0) throw new RangeError('no labelled embeddings to train on');
  const d = spec.dimensions;
  const X = new Float64Array(rows.length * d);
  for (const [i, r] of rows.entries()) {
    if (r.embedding.length !== d)
      throw new RangeError(`row ${i} (${r.label}) has ${r.embedding.length} values, not ${d}`);
    X.set(r.embedding, i * d);
  }
  // personsOf only reads labels; empty chips stand in for the rows.
  const names = personsOf(
    rows.map((r) => ({ label: r.label, file: '', width: 0, height: 0, data: new Float64Array(0) })),
    options.names,
  );
  const targets = names.map((name) => ({ name, y: Uint8Array.from(rows, (r) => (r.label === name ? 1 : 0)) }));
  const trainable = targets.filter(({ y }) => {
    const pos = y.reduce((s, v) => s + v, 0);
    return pos >= options.folds && y.length - pos >= options.folds;
  });
  const t = performance.now();
  const results = await trainPersons(
    { data: X, rows: rows.length, cols: d },
    trainable,
    {
      kernels: [...options.svm.kernels],
      C: [...options.svm.C],
      folds: options.folds,
      classWeight: options.svm.classWeight,
      scoring: options.svm.scoring,
    },
    { jobs: options.jobs, ...(options.onProgress ? { onProgress: options.onProgress } : {}) },
  );
  const createdAt = new Date().toISOString();
  const hash = embeddingsHash(rows);
  const models = new Map<string, PersonModel>();
  for (const [i, r] of results.entries()) {
    const name = (trainable[i] as (typeof trainable)[number]).name;
    models.set(name, {
      format: MODEL_FORMAT,
      formatVersion: MODEL_FORMAT_VERSION,
      name,
      createdAt,
      features: spec,
      classifier: { type: 'svm', svm: r.model },
      labels: [`not ${name}`, name],
      threshold: 0,
      ...(options.maxDistance > 0
        ? {
            gallery: {
              maxDistance: options.maxDistance,
              embeddings: rows.filter((row) => row.label === name).map((row) => [...row.embedding]),
            },
          }
        : {}),
      cv: {
        folds: options.folds,
        scoring: options.svm.scoring,
        score: r.cvScore,
        best: { kernel: r.best.kernel, C: r.best.C, ...(r.best.gamma === null ? {} : { gamma: r.best.gamma }) },
      },
      training: {
        positives: r.positives,
        negatives: r.negatives,
        datasetHash: hash,
        classWeight: options.svm.classWeight,
        seconds: r.seconds,
      },
    });
  }
  const persons = personTrainings(targets, models, options.folds);
  return { spec, persons, seconds: { train: (performance.now() - t) / 1000 } };
}
