/**
 * Embeddings → one SVM per person: the HOG trainer's grid search, folds, class weights and
 * model file, on 128-d face descriptors instead of HOG vectors. The model records the
 * embedding feature spec, so it refuses HOG faces (and HOG models refuse embeddings).
 */

import type { EmbeddingFeatureSpec } from '../recognize/features.js';
import { datasetHash } from '../recognize/person-model.js';
import { type PersonTraining, type TrainerOptions, trainOnFeatures } from '../recognize/trainer.js';

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
  /** The distance compared is the mean over this many nearest of the person's embeddings. */
  readonly neighbours: number;
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
  const { maxDistance, neighbours, ...trainer } = options;
  const trained = await trainOnFeatures(
    { X, d, labels: rows.map((r) => r.label) },
    spec,
    datasetHash(rows.map((r) => ({ label: r.label, shape: String(r.embedding.length), data: r.embedding }))),
    {
      ...trainer,
      model: 'svm',
    },
  );
  // The same-person check: each model keeps its person's training embeddings.
  const persons = trained.persons.map((p): PersonTraining => {
    if (!p.model || maxDistance <= 0) return p;
    const embeddings = rows.filter((row) => row.label === p.name).map((row) => [...row.embedding]);
    return { ...p, model: { ...p.model, gallery: { maxDistance, neighbours, embeddings } } };
  });
  return { spec, persons, seconds: { train: trained.seconds } };
}
