/**
 * `facetag run --once`: one backfill pass with the daemon's own store, engine and models, then
 * stop. As the daemon does, each face gets a stored chip (so it can be labelled and trained on)
 * and a name from the current models. The CLI prints; this module only composes and runs.
 */
import { join } from 'node:path';
import type { Config, Engine } from '../config/schema.js';
import { buildEngines } from '../engine/engines.js';
import type { Upgrading } from '../store/migrations.js';
import { currentPipeline } from '../store/pipeline.js';
import { recognisingAnalyser } from './analyser.js';
import { type BackfillReport, backfill, PIPELINE_VERSION } from './backfill.js';
import { openLibrary } from './library.js';
import { loadModelSet } from './model-set.js';

export interface OnceInput {
  /** Validated, with any flags laid over it. */
  readonly config: Config;
  readonly photoDirs: readonly string[];
  readonly onUpgrade: Upgrading;
  /** Told what is about to happen, before the pass (the engine kept or switched). */
  readonly onPlan?: (plan: OncePlan) => void;
  readonly onStart?: (total: number) => void;
  readonly onPhoto?: (file: string) => void;
}

export interface OncePlan {
  /** The library keeps this engine rather than the default. */
  readonly keptEngine?: Engine;
  /** The engine changed since the last pass: every photo is analysed again; labels are kept. */
  readonly switchedFrom?: string;
  readonly engine: Engine;
}

/** Opens the library (throws as openLibrary does), runs one pass, and closes everything it opened. */
export async function runOnce(input: OnceInput): Promise<BackfillReport> {
  const library = openLibrary(input.config, input.onUpgrade);
  try {
    const { config, db } = library;
    const engines = buildEngines(config);
    try {
      const models = await loadModelSet(join(config.dataDir, 'models'), config.recognition.thresholds);
      const pipeline = currentPipeline(db, PIPELINE_VERSION, config.engine);
      input.onPlan?.({
        engine: config.engine,
        ...(library.keptEngine ? { keptEngine: library.keptEngine } : {}),
        ...(pipeline.switchedFrom ? { switchedFrom: pipeline.switchedFrom } : {}),
      });
      return await backfill({
        db,
        photoDirs: input.photoDirs,
        pipelineVersion: pipeline.version,
        analyse: recognisingAnalyser(engines.options, () => models, { retryTruncated: false }),
        ...(input.onStart ? { onStart: input.onStart } : {}),
        ...(input.onPhoto ? { onPhoto: input.onPhoto } : {}),
      });
    } finally {
      await engines.close();
    }
  } finally {
    library.close();
  }
}
