/**
 * The engine seam's factory (issue 16 §1): from a validated config, a ready detector (the cascade's
 * angle runner, or the neural worker pool) and the kind of features its faces get. The CLI lays
 * its flags over the config first (cli/detection-context.ts); the daemon, the commands, the evals
 * and the benches all build their engines here.
 */
import type { Config } from '../config/schema.js';
import { InputError } from '../core/errors.js';
import { sweepAngles } from '../core/rotation.js';
import { localRunner } from '../detect/local-runner.js';
import { photoDetection, type SizeOverrides } from '../detect/settings.js';
import type { AngleRunner } from '../detect/sweep.js';
import { workerRunner } from '../detect/worker-runner.js';
import { checkNeuralPackages, NeuralUnavailableError } from '../neural/face-api.js';
import { type NeuralEngine, neuralEngine } from '../neural/neural-engine.js';
import { type NeuralPool, neuralPool } from '../neural/neural-pool.js';
import { disableOrtTelemetry } from '../neural/onnxruntime.js';
import type { FeatureKind } from '../recognize/features.js';
import { defaultCascadePath, loadCascade } from '../vision/cascade/default-model.js';
import { idleReleased } from '../workers/idle-release.js';
import { poolSize } from '../workers/thread-pool.js';
import type { DetectorOptions } from './detector.js';

export interface Engines {
  readonly options: DetectorOptions;
  /** The kind of features faces get under the selected engine (what models must be trained on). */
  readonly features: FeatureKind;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** Face sizes asked for on the command line. */
  readonly sizes?: SizeOverrides;
  /** The daemon's: threads start on first use and end after `daemon.releaseWorkersAfterSeconds` idle. */
  readonly releaseIdleWorkers?: boolean;
}

const unusedRunner: AngleRunner = {
  run: () => Promise.reject(new Error('the cascade is not used with the neural engine')),
  close: async () => {},
};

/** Worker threads started on first use and ended after `ms` idle (see workers/idle-release.ts). */
function idleRunner(create: () => AngleRunner, ms: number): AngleRunner {
  const idle = idleReleased(create, ms);
  return { run: (grey, settings) => idle.use((r) => r.run(grey, settings)), close: () => idle.close() };
}

function idleNeuralPool(create: () => NeuralPool, workers: number, ms: number): NeuralPool {
  const idle = idleReleased(create, ms);
  return {
    workers,
    detect: (image, angles, minConfidence, looksUpright) =>
      idle.use((p) => p.detect(image, angles, minConfidence, looksUpright)),
    embed: (chips, padding) => idle.use((p) => p.embed(chips, padding)),
    close: () => idle.close(),
  };
}

/**
 * The detector's options for the neural engine on `pool`. The cascade is not used: its runner
 * refuses, so nothing spawns cascade workers. Also for tests and benches that make their own pool.
 */
export function neuralDetectorOptions(
  config: Config,
  pool: NeuralPool,
): DetectorOptions & { readonly neural: NeuralEngine } {
  return {
    detection: photoDetection(config.detection),
    maxPixels: config.decode.maxPixels,
    runner: unusedRunner,
    neural: neuralEngine(pool, config.neural),
  };
}

/** The config's engine, ready: worker threads, unless one cascade thread is asked for. */
export function buildEngines(config: Config, options: EngineOptions = {}): Engines {
  const { detection, neural } = config;
  const sizes = options.sizes ?? {};
  const releaseMs = options.releaseIdleWorkers ? config.daemon.releaseWorkersAfterSeconds * 1000 : 0;
  if (config.engine === 'neural') {
    if (detection.parity) {
      throw new InputError(
        '"detection.parity" reproduces the seed\'s cascade; it cannot be used with the neural engine (set "engine": "cascade", or turn parity off)',
      );
    }
    // Set now, on the main thread, before any other thread runs: the pool may start much later.
    disableOrtTelemetry();
    try {
      checkNeuralPackages();
    } catch (err) {
      // Printed plainly, without a stack: it is an install problem, not a bug.
      if (err instanceof NeuralUnavailableError) throw new InputError(err.message);
      throw err;
    }
    const make = () => neuralPool(neural.workers, neural.threads, neural.backend);
    const pool = releaseMs > 0 ? idleNeuralPool(make, poolSize(neural.workers), releaseMs) : make();
    return {
      options: { ...neuralDetectorOptions(config, pool), sizes },
      features: 'embedding',
      close: () => pool.close(),
    };
  }
  // The rotation step becomes the sweep's angles here, once; the runner keeps them, and the
  // detector's options (photoDetection) no longer hold the step.
  const angles = sweepAngles(detection.rotationStep);
  const runner =
    detection.workers === 1
      ? localRunner(loadCascade(), angles)
      : releaseMs > 0
        ? idleRunner(() => workerRunner(defaultCascadePath(), angles, detection.workers), releaseMs)
        : workerRunner(defaultCascadePath(), angles, detection.workers);
  return {
    options: { detection: photoDetection(detection), maxPixels: config.decode.maxPixels, runner, sizes },
    features: 'hog',
    close: () => runner.close(),
  };
}
