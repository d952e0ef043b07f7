/** The models the daemon names faces with, and a short version string for the store. */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { errnoCode } from '../files/errno.js';
import { loadPersonModels, type PersonModel } from '../recognize/person-model.js';
import { Recognizer } from '../recognize/recognizer.js';

export interface ModelSet {
  readonly models: readonly PersonModel[];
  readonly recognizer: Recognizer;
  /** Changes whenever any model changes; null when there are none. */
  readonly version: string | null;
}

export function modelSetOf(models: readonly PersonModel[], thresholds: Readonly<Record<string, number>>): ModelSet {
  const version =
    models.length === 0
      ? null
      : createHash('sha256')
          .update(models.map((m) => `${m.name}\0${m.createdAt}\0${m.training.datasetHash}`).join('\n'))
          .digest('hex')
          .slice(0, 12);
  return { models, recognizer: new Recognizer(models, thresholds), version };
}

/** The models in `dir`; none when the folder does not exist yet. A bad file throws, naming it. */
export async function loadModelSet(dir: string, thresholds: Readonly<Record<string, number>>): Promise<ModelSet> {
  const exists = await stat(dir).then(
    () => true,
    (err: unknown) => {
      if (errnoCode(err) === 'ENOENT') return false;
      throw err;
    },
  );
  return modelSetOf(exists ? await loadPersonModels(dir) : [], thresholds);
}
