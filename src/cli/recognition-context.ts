import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { TrainerOptions } from '../recognize/trainer.js';
import { trainerOptionsOf } from '../recognize/trainer-options.js';
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

/** Config + flags → trainer options. --parity selects the seed's settings throughout. */
export function trainerOptions(config: Config, flags: RecognitionFlagValues): Omit<TrainerOptions, 'onProgress'> {
  const model = flags.model ?? config.recognition.model;
  if (model !== 'svm' && model !== 'tree') throw new UsageError(`--model must be svm or tree, got "${model}"`);
  const jobs = intFlag('jobs', flags.jobs, 0, 256);
  return trainerOptionsOf(config.recognition, {
    model,
    ...(flags.parity ? { parity: true } : {}),
    ...(jobs === undefined ? {} : { jobs }),
  });
}
