/**
 * One person's model file, `<models>/<name>.model.json`: self-describing, so a model can be
 * checked, listed and used without the training data. Loading validates every field and refuses
 * features this code does not compute.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../files/atomic.js';
import { hashBytes } from '../files/content-hash.js';
import { checkFeatureSpec, type FeatureKind, FeatureMismatchError, featureSpecSchema } from './features.js';
import { type SvmModel, validateSvmModel } from './svm/model.js';
import { type TreeModel, validateTreeModel } from './tree/model.js';

export const MODEL_FORMAT = 'facetag.person-model';
export const MODEL_FORMAT_VERSION = 1;
export const MODEL_SUFFIX = '.model.json';

const fileSchema = z
  .object({
    format: z.literal(MODEL_FORMAT),
    formatVersion: z.number().int(),
    name: z.string().min(1),
    createdAt: z.string(),
    features: featureSpecSchema,
    classifier: z.discriminatedUnion('type', [
      z.object({ type: z.literal('svm'), svm: z.unknown() }).strict(),
      z.object({ type: z.literal('tree'), tree: z.unknown() }).strict(),
    ]),
    /** The binary label order: decision > 0 (svm) or P > 0.5 (tree) means labels[1]. */
    labels: z.tuple([z.string(), z.string()]),
    /** Accept the face when the decision value exceeds this (svm: 0, tree: 0.5 by default). */
    threshold: z.number(),
    /**
     * Embedding models: the person's training embeddings. A face is accepted only when it is
     * also within `maxDistance` (euclidean, mean over its `neighbours` nearest) of them, so a
     * stranger the SVM happens to place on the person's side of its boundary stays unknown.
     * Absent: no such check.
     */
    gallery: z
      .object({
        maxDistance: z.number().positive(),
        /**
         * The mean distance to this many nearest gallery embeddings is what is compared (files
         * from before it was recorded compared the nearest one alone).
         */
        neighbours: z.int().min(1).default(1),
        embeddings: z.array(z.array(z.number())).min(1),
      })
      .strict()
      .optional(),
    cv: z
      .object({
        folds: z.number().int().min(2),
        scoring: z.string(),
        score: z.number(),
        best: z.record(z.string(), z.union([z.string(), z.number()])),
      })
      .strict(),
    training: z
      .object({
        positives: z.number().int().min(0),
        negatives: z.number().int().min(0),
        classWeight: z.string(),
        /** sha256 over the training chips' labels and pixels: equal hashes, equal training data. */
        datasetHash: z.string(),
        seconds: z.number(),
      })
      .strict(),
  })
  .strict();

type ModelFile = z.infer<typeof fileSchema>;

export type Classifier = { type: 'svm'; svm: SvmModel } | { type: 'tree'; tree: TreeModel };

export interface PersonModel extends Omit<ModelFile, 'classifier'> {
  readonly classifier: Classifier;
}

export class ModelFileError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'ModelFileError';
  }
}

/** Parse and check one model file's JSON text. */
export function parsePersonModel(text: string, file: string): PersonModel {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelFileError(file, `not JSON (${(err as Error).message})`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (!issue) throw new ModelFileError(file, 'not a facetag model');
    throw new ModelFileError(file, `not a facetag model: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const m = parsed.data;
  if (m.formatVersion > MODEL_FORMAT_VERSION) {
    throw new ModelFileError(
      file,
      `model format ${m.formatVersion} is newer than this facetag (${MODEL_FORMAT_VERSION}); upgrade facetag`,
    );
  }
  try {
    checkFeatureSpec(m.features, file);
    if (m.gallery) {
      if (m.features.kind !== 'embedding') throw new Error('a gallery needs embedding features');
      const d = m.features.dimensions;
      if (m.gallery.embeddings.some((e) => e.length !== d)) throw new Error(`gallery embeddings must have ${d} values`);
    }
    const classifier: Classifier =
      m.classifier.type === 'svm'
        ? { type: 'svm', svm: validateSvmModel(m.classifier.svm) }
        : { type: 'tree', tree: validateTreeModel(m.classifier.tree) };
    return { ...m, classifier };
  } catch (err) {
    if (err instanceof ModelFileError) throw err;
    throw new ModelFileError(file, (err as Error).message.replace(`${file}: `, ''));
  }
}

export function modelPath(dir: string, name: string): string {
  return join(dir, `${name}${MODEL_SUFFIX}`);
}

/** Writes the model file atomically; returns its path and the sha256 of what was written. */
export async function savePersonModel(dir: string, model: PersonModel): Promise<{ path: string; hash: string }> {
  const path = modelPath(dir, model.name);
  const bytes = Buffer.from(`${JSON.stringify(model)}\n`);
  await writeFileAtomic(path, bytes);
  return { path, hash: hashBytes(bytes) };
}

/**
 * Every `*.model.json` in `dir`, sorted by name. A bad file is an error naming it; so is a
 * model trained on other features than `features` (the engine in use computes), when given.
 */
export async function loadPersonModels(dir: string, features?: FeatureKind): Promise<PersonModel[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(MODEL_SUFFIX)).sort();
  } catch (err) {
    throw new ModelFileError(
      dir,
      `cannot read the models folder (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  const models: PersonModel[] = [];
  for (const n of names) {
    const file = join(dir, n);
    const model = parsePersonModel(await readFile(file, 'utf8'), file);
    if (features && model.features.kind !== features) {
      throw new ModelFileError(file, new FeatureMismatchError(model.features.kind, features, 'this model').message);
    }
    models.push(model);
  }
  return models;
}

/**
 * The training set's fingerprint: label, shape and values of every row, in order. `shape` is a
 * chip's `WxH` or an embedding's length.
 */
export function datasetHash(rows: readonly { label: string; shape: string; data: Float64Array }[]): string {
  const hash = createHash('sha256');
  for (const r of rows) {
    hash.update(`${r.label}\0${r.shape}\0`);
    hash.update(new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength));
  }
  return hash.digest('hex');
}
