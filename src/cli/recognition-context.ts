import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { SEED_HOG } from '../recognize/features.js';
import type { ModelKind, TrainerOptions } from '../recognize/trainer.js';
import { TREE_CRITERIA } from '../recognize/tree/model.js';
import { intFlag, UsageError } from './args.js';

/** Flags of the commands that train or use models. */
export const recognitionFlags = {
  model: { type: 'string' },
  jobs: { type: 'string' },
  models: { type: 'string' },
} as const;

export interface RecognitionFlagValues {
  model?: string;
  jobs?: string;
  models?: string;
  parity?: boolean;
}

/** Where models live unless --models says otherwise. */
export function modelsDir(config: Config, flags: RecognitionFlagValues): string {
  return flags.models ?? join(config.dataDir, 'models');
}

/** The seed's recognition settings, used with --parity: its HOG, median chips, no class weights. */
const SEED_RECOGNITION = {
  hog: SEED_HOG,
  chipSize: 'median',
  padding: 0,
  classWeight: 'none',
  scoring: 'accuracy',
} as const;

/** Config + flags → trainer options. --parity selects the seed's settings throughout. */
export function trainerOptions(config: Config, flags: RecognitionFlagValues): Omit<TrainerOptions, 'onProgress'> {
  const r = flags.parity ? { ...config.recognition, ...SEED_RECOGNITION } : config.recognition;
  const model = (flags.model ?? r.model) as string;
  if (model !== 'svm' && model !== 'tree') throw new UsageError(`--model must be svm or tree, got "${model}"`);
  const jobs = intFlag('jobs', flags.jobs, 0, 256) ?? r.jobs;
  return {
    hog: r.hog,
    padding: r.padding,
    ...(r.chipSize === 'median' ? {} : { chipSize: { width: r.chipSize[0], height: r.chipSize[1] } }),
    model: model as ModelKind,
    folds: r.folds,
    svm: { kernels: r.kernels, C: r.C, classWeight: r.classWeight, scoring: r.scoring },
    // ml-cart implements gini only; the seed's grid also tried entropy.
    tree: { maxDepths: r.maxDepths, criteria: [...TREE_CRITERIA] },
    jobs: jobs === 0 ? availableParallelism() : jobs,
  };
}
