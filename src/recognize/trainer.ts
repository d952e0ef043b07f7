/**
 * Labelled chips → one model per person: the seed's train.py. Median-scale every chip, compute
 * its features once, then grid-search one binary classifier per person (worker threads for
 * SVMs). Persons with fewer examples than folds are skipped with the reason, as the seed does.
 */
import { performance } from 'node:perf_hooks';
import {
  type AnyFeatureSpec,
  chipFeatures,
  FEATURE_CODE_VERSION,
  type FeatureSpec,
  featureLength,
} from './features.js';
import type { HogParams } from './hog.js';
import { isNegativeOnly, type LabelledChip } from './labelled-chips.js';
import { medianSize } from './median.js';
import { datasetHash, MODEL_FORMAT, MODEL_FORMAT_VERSION, type PersonModel } from './person-model.js';
import type { ClassWeight, Kernel, Scoring } from './svm/grid-search.js';
import { trainPersons as trainSvms } from './svm/train-pool.js';
import { treeGridSearch } from './tree/grid-search.js';

export type ModelKind = 'svm' | 'tree';

export interface TrainerOptions {
  readonly hog: HogParams;
  /** Margin the chips were cut with; recorded so classification cuts the same way. */
  readonly padding: number;
  /** Fixed chip size; default: the median of the training chips (the seed's scaler). */
  readonly chipSize?: { readonly width: number; readonly height: number };
  readonly model: ModelKind;
  readonly folds: number;
  readonly svm: {
    readonly kernels: readonly Kernel[];
    readonly C: readonly number[];
    readonly classWeight: ClassWeight;
    readonly scoring: Scoring;
  };
  readonly tree: { readonly maxDepths: readonly number[]; readonly criteria: readonly string[] };
  /** Worker threads for training; 1 trains in this thread. */
  readonly jobs: number;
  /** Train only these persons (default: every label but not_a_face). */
  readonly names?: readonly string[];
  readonly onProgress?: (done: number, total: number, name: string) => void;
}

export interface PersonTraining {
  readonly name: string;
  readonly positives: number;
  readonly negatives: number;
  /** Absent when the person was skipped. */
  readonly model?: PersonModel;
  readonly skipped?: string;
}

export interface TrainingReport {
  readonly spec: FeatureSpec;
  readonly persons: readonly PersonTraining[];
  readonly seconds: { readonly features: number; readonly train: number };
}

/** The persons to train: every label except the negative-only ones, or the ones asked for. */
export function personsOf(chips: readonly { readonly label: string }[], names?: readonly string[]): string[] {
  const labels = [...new Set(chips.map((c) => c.label))].filter((l) => !isNegativeOnly(l)).sort();
  if (!names || names.length === 0) return labels;
  const missing = names.filter((n) => !labels.includes(n));
  if (missing.length > 0) throw new RangeError(`no chips labelled ${missing.map((n) => JSON.stringify(n)).join(', ')}`);
  return [...names];
}

export async function trainFromChips(chips: readonly LabelledChip[], options: TrainerOptions): Promise<TrainingReport> {
  if (chips.length === 0) throw new RangeError('no labelled chips to train on');
  const size = options.chipSize ?? medianSize(chips);
  const spec: FeatureSpec = {
    kind: 'hog',
    version: FEATURE_CODE_VERSION,
    chipWidth: size.width,
    chipHeight: size.height,
    padding: options.padding,
    hog: {
      ...options.hog,
      pixelsPerCell: [...options.hog.pixelsPerCell],
      cellsPerBlock: [...options.hog.cellsPerBlock],
    },
  };
  const t = performance.now();
  const d = featureLength(spec);
  const X = new Float64Array(chips.length * d);
  for (const [i, chip] of chips.entries()) X.set(chipFeatures(chip, spec), i * d);
  const featureSeconds = (performance.now() - t) / 1000;
  const trained = await trainOnFeatures(
    { X, d, labels: chips.map((c) => c.label) },
    spec,
    datasetHash(chips.map((c) => ({ label: c.label, shape: `${c.width}x${c.height}`, data: c.data }))),
    options,
  );
  return { spec, persons: trained.persons, seconds: { features: featureSeconds, train: trained.seconds } };
}

/** Labelled feature vectors, one row of `d` values per label. */
export interface FeatureMatrix {
  readonly X: Float64Array;
  readonly d: number;
  readonly labels: readonly string[];
}

export type FeatureTrainerOptions = Pick<TrainerOptions, 'folds' | 'svm' | 'jobs' | 'names' | 'onProgress'> & {
  /** Default svm; tree needs `tree`. */
  readonly model?: ModelKind;
  readonly tree?: TrainerOptions['tree'];
};

/**
 * One model per person from feature vectors of any kind (HOG here, embeddings in
 * src/neural/embedding-trainer.ts): the grid search, the skip rule and the model file.
 */
export async function trainOnFeatures(
  matrix: FeatureMatrix,
  spec: AnyFeatureSpec,
  hash: string,
  options: FeatureTrainerOptions,
): Promise<{ readonly persons: PersonTraining[]; readonly seconds: number }> {
  const { X, d, labels } = matrix;
  const names = personsOf(
    labels.map((label) => ({ label })),
    options.names,
  );
  const targets = names.map((name) => ({ name, y: Uint8Array.from(labels, (l) => (l === name ? 1 : 0)) }));
  const trainable = targets.filter(({ y }) => {
    const pos = y.reduce((s, v) => s + v, 0);
    return pos >= options.folds && y.length - pos >= options.folds;
  });

  const t = performance.now();
  const createdAt = new Date().toISOString();
  /** What differs between the classifier kinds; the rest of a model file is the same. */
  interface Fit {
    readonly classifier: PersonModel['classifier'];
    readonly threshold: number;
    readonly scoring: string;
    readonly cvScore: number;
    readonly best: PersonModel['cv']['best'];
    readonly positives: number;
    readonly negatives: number;
    readonly classWeight: string;
    readonly seconds: number;
  }
  const models = new Map<string, PersonModel>();
  const keep = (name: string, fit: Fit) =>
    models.set(name, {
      format: MODEL_FORMAT,
      formatVersion: MODEL_FORMAT_VERSION,
      name,
      createdAt,
      features: spec,
      classifier: fit.classifier,
      labels: [`not ${name}`, name],
      threshold: fit.threshold,
      cv: { folds: options.folds, scoring: fit.scoring, score: fit.cvScore, best: fit.best },
      training: {
        positives: fit.positives,
        negatives: fit.negatives,
        datasetHash: hash,
        classWeight: fit.classWeight,
        seconds: fit.seconds,
      },
    });
  if ((options.model ?? 'svm') === 'svm') {
    const results = await trainSvms(
      { data: X, rows: labels.length, cols: d },
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
    for (const r of results) {
      keep(r.name, {
        classifier: { type: 'svm', svm: r.model },
        threshold: 0,
        scoring: options.svm.scoring,
        cvScore: r.cvScore,
        best: { kernel: r.best.kernel, C: r.best.C, ...(r.best.gamma === null ? {} : { gamma: r.best.gamma }) },
        positives: r.positives,
        negatives: r.negatives,
        classWeight: options.svm.classWeight,
        seconds: r.seconds,
      });
    }
  } else {
    if (!options.tree) throw new RangeError('tree training needs its grid (options.tree)');
    const tree = options.tree;
    const rows = labels.map((_, i) => X.subarray(i * d, (i + 1) * d));
    for (const [i, { name, y }] of trainable.entries()) {
      const r = treeGridSearch(rows, y, {
        maxDepths: [...tree.maxDepths],
        criteria: [...tree.criteria],
        folds: options.folds,
      });
      keep(name, {
        classifier: { type: 'tree', tree: r.model },
        threshold: 0.5,
        scoring: 'accuracy',
        cvScore: r.cvScore,
        best: { maxDepth: r.best.maxDepth, criterion: r.best.criterion },
        positives: r.positives,
        negatives: r.negatives,
        classWeight: 'none',
        seconds: r.seconds,
      });
      options.onProgress?.(i + 1, trainable.length, name);
    }
  }
  return { persons: personTrainings(targets, models, options.folds), seconds: (performance.now() - t) / 1000 };
}

/** Each target person's outcome: its model, or why it was skipped (too few examples for the folds). */
function personTrainings(
  targets: readonly { readonly name: string; readonly y: Uint8Array }[],
  models: ReadonlyMap<string, PersonModel>,
  folds: number,
): PersonTraining[] {
  return targets.map(({ name, y }): PersonTraining => {
    const positives = y.reduce((s, v) => s + v, 0);
    const negatives = y.length - positives;
    const model = models.get(name);
    return model
      ? { name, positives, negatives, model }
      : {
          name,
          positives,
          negatives,
          skipped: `${positives} positives / ${negatives} negatives; ${folds}-fold CV needs at least ${folds} of each`,
        };
  });
}
