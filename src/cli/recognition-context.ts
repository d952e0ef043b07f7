import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { TrainerOptions } from '../recognize/trainer.js';
import { trainerOptionsOf } from '../recognize/trainer-options.js';
import { intFlag } from './args.js';

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

/**
 * Config + flags → trainer options. `--model` is in the config already (loadFlaggedConfig checked
 * it); --parity selects the seed's settings throughout.
 */
export function trainerOptions(config: Config, flags: RecognitionFlagValues): Omit<TrainerOptions, 'onProgress'> {
  const model = config.recognition.model;
  const jobs = intFlag('jobs', flags.jobs, 0, 256);
  return trainerOptionsOf(config.recognition, {
    model,
    ...(flags.parity ? { parity: true } : {}),
    ...(jobs === undefined ? {} : { jobs }),
  });
}
