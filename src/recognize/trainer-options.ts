/**
 * The trainer's options from the validated config (the daemon, the CLI after its flags, the
 * benches): one place, so every caller trains the same way.
 */
import { availableParallelism } from 'node:os';
import type { Config } from '../config/schema.js';
import { SEED_HOG } from './features.js';
import type { ModelKind, TrainerOptions } from './trainer.js';
import { TREE_CRITERIA } from './tree/model.js';

/** The seed's recognition settings, used with parity: its HOG, median chips, no class weights. */
const SEED_RECOGNITION = {
  hog: SEED_HOG,
  chipSize: 'median',
  padding: 0,
  classWeight: 'none',
  scoring: 'accuracy',
} as const;

export interface TrainerChoice {
  /** The seed's settings throughout (`--parity`). */
  readonly parity?: boolean;
  /** Instead of `recognition.model`. */
  readonly model?: ModelKind;
  /** Instead of `recognition.jobs`; 0 is one per core. */
  readonly jobs?: number;
}

export function trainerOptionsOf(
  recognition: Config['recognition'],
  choice: TrainerChoice = {},
): Omit<TrainerOptions, 'onProgress'> {
  const r = choice.parity ? { ...recognition, ...SEED_RECOGNITION } : recognition;
  const jobs = choice.jobs ?? r.jobs;
  return {
    hog: r.hog,
    padding: r.padding,
    ...(r.chipSize === 'median' ? {} : { chipSize: { width: r.chipSize[0], height: r.chipSize[1] } }),
    model: choice.model ?? r.model,
    folds: r.folds,
    svm: { kernels: r.kernels, C: r.C, classWeight: r.classWeight, scoring: r.scoring },
    // ml-cart implements gini only; the seed's grid also tried entropy.
    tree: { maxDepths: r.maxDepths, criteria: [...TREE_CRITERIA] },
    jobs: jobs === 0 ? availableParallelism() : jobs,
  };
}
