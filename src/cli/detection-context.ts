import { loadConfig } from '../config/load.js';
import { type Config, ENGINES } from '../config/schema.js';
import type { DetectorOptions } from '../detect/detector.js';
import { localRunner } from '../detect/local-runner.js';
import type { SizeOverrides } from '../detect/settings.js';
import type { AngleRunner } from '../detect/sweep.js';
import { workerRunner } from '../detect/worker-runner.js';
import { checkNeuralPackages, NeuralUnavailableError } from '../neural/face-api.js';
import { type NeuralPool, neuralPool } from '../neural/neural-pool.js';
import type { FeatureKind } from '../recognize/features.js';
import { defaultCascadePath, loadCascade } from '../vision/cascade/default-model.js';
import { idleReleased } from '../workers/idle-release.js';
import { poolSize } from '../workers/thread-pool.js';
import { InputError, intFlag, numberFlag, UsageError } from './args.js';

export type { Engine } from '../config/schema.js';

const unusedRunner: AngleRunner = {
  run: () => Promise.reject(new Error('the cascade is not used with --engine neural')),
  close: async () => {},
};

/** Flags every detecting command accepts; they override the config file. */
export const detectionFlags = {
  config: { type: 'string' },
  parity: { type: 'boolean' },
  'rotation-step': { type: 'string' },
  'max-side': { type: 'string' },
  'step-ratio': { type: 'string' },
  'min-neighbours': { type: 'string' },
  'min-hit-density': { type: 'string' },
  'min-size': { type: 'string' },
  'max-size': { type: 'string' },
  workers: { type: 'string' },
  engine: { type: 'string' },
  'min-confidence': { type: 'string' },
} as const;

export interface DetectionFlagValues {
  config?: string;
  parity?: boolean;
  'rotation-step'?: string;
  'max-side'?: string;
  'step-ratio'?: string;
  'min-neighbours'?: string;
  'min-hit-density'?: string;
  'min-size'?: string;
  'max-size'?: string;
  workers?: string;
  engine?: string;
  'min-confidence'?: string;
}

export interface DetectionContext {
  readonly config: Config;
  readonly options: DetectorOptions;
  /** The kind of features faces get under the selected engine (what models must be trained on). */
  readonly features: FeatureKind;
  close(): Promise<void>;
}

/** The config with --engine laid over it (a flag is a person's choice, like the file's). */
export function withEngineFlag(config: Config, flag: string | undefined): Config {
  if (flag === undefined) return config;
  const engine = ENGINES.find((e) => e === flag);
  if (engine === undefined) throw new UsageError(`--engine must be cascade or neural, got "${flag}"`);
  return { ...config, engine, engineChosen: true };
}

/** Worker threads started on first use and ended after `ms` idle (see workers/idle-release.ts). */
function idleRunner(create: () => AngleRunner, ms: number): AngleRunner {
  const idle = idleReleased(create, ms);
  return { run: (grey, angles, settings) => idle.use((r) => r.run(grey, angles, settings)), close: () => idle.close() };
}

function idleNeuralPool(create: () => NeuralPool, threads: number, ms: number): NeuralPool {
  const idle = idleReleased(create, ms);
  return {
    threads,
    detect: (image, angles, minConfidence) => idle.use((p) => p.detect(image, angles, minConfidence)),
    embed: (chips, padding) => idle.use((p) => p.embed(chips, padding)),
    close: () => idle.close(),
  };
}

/**
 * Config file + flags → a ready detector (worker threads unless one thread is asked for). With
 * `releaseIdleWorkers` (the daemon), the threads start on first use and end after
 * `daemon.releaseWorkersAfterSeconds` without work.
 */
export function detectionContext(
  flags: DetectionFlagValues,
  options: { releaseIdleWorkers?: boolean; config?: Config } = {},
): DetectionContext {
  const base = withEngineFlag(options.config ?? loadConfig(flags.config ? { file: flags.config } : {}), flags.engine);
  const d = base.detection;
  const detection = {
    ...d,
    parity: flags.parity ?? d.parity,
    rotationStep: intFlag('rotation-step', flags['rotation-step'], 1, 360) ?? d.rotationStep,
    maxSide: intFlag('max-side', flags['max-side'], 64) ?? d.maxSide,
    stepRatio: numberFlag('step-ratio', flags['step-ratio'], 0.1, 100) ?? d.stepRatio,
    minNeighbours: intFlag('min-neighbours', flags['min-neighbours'], 1) ?? d.minNeighbours,
    minHitDensity: numberFlag('min-hit-density', flags['min-hit-density'], 0, 1) ?? d.minHitDensity,
    workers: intFlag('workers', flags.workers, 0, 256) ?? d.workers,
  };
  if (360 % detection.rotationStep !== 0) {
    throw new UsageError(`--rotation-step must divide 360 (15, 30, 90, 360...), got ${detection.rotationStep}`);
  }
  const engine = base.engine;
  const neural = {
    ...base.neural,
    ...(engine === 'neural' && flags['rotation-step'] ? { rotationStep: detection.rotationStep } : {}),
    minConfidence: numberFlag('min-confidence', flags['min-confidence'], 0.01, 0.99) ?? base.neural.minConfidence,
  };
  const config: Config = { ...base, engine, detection, neural };
  const releaseMs = options.releaseIdleWorkers ? config.daemon.releaseWorkersAfterSeconds * 1000 : 0;
  const sizes: SizeOverrides = {
    ...(flags['min-size'] ? { minSize: intFlag('min-size', flags['min-size'], 1) } : {}),
    ...(flags['max-size'] ? { maxSize: intFlag('max-size', flags['max-size'], 1) } : {}),
  };
  if (sizes.minSize !== undefined && sizes.maxSize !== undefined && sizes.minSize >= sizes.maxSize) {
    throw new UsageError(`--min-size (${sizes.minSize}) must be smaller than --max-size (${sizes.maxSize})`);
  }
  if (engine === 'neural') {
    if (detection.parity)
      throw new UsageError("--parity reproduces the seed's cascade; it cannot be used with --engine neural");
    try {
      checkNeuralPackages();
    } catch (err) {
      // Printed plainly, without a stack: it is an install problem, not a bug.
      if (err instanceof NeuralUnavailableError) throw new InputError(err.message);
      throw err;
    }
    // The cascade is not used: a runner that refuses, so nothing spawns cascade workers.
    // --workers overrides neural.workers here; detection.workers sizes the cascade's pool.
    const threads = flags.workers !== undefined ? detection.workers : neural.workers;
    const pool =
      releaseMs > 0 ? idleNeuralPool(() => neuralPool(threads), poolSize(threads), releaseMs) : neuralPool(threads);
    return {
      config,
      options: {
        detection,
        maxPixels: config.decode.maxPixels,
        runner: unusedRunner,
        sizes,
        neural: { pool, settings: neural },
      },
      features: 'embedding',
      close: () => pool.close(),
    };
  }
  const runner =
    detection.workers === 1
      ? localRunner(loadCascade())
      : releaseMs > 0
        ? idleRunner(() => workerRunner(defaultCascadePath(), detection.workers), releaseMs)
        : workerRunner(defaultCascadePath(), detection.workers);
  return {
    config,
    options: { detection, maxPixels: config.decode.maxPixels, runner, sizes },
    features: 'hog',
    close: () => runner.close(),
  };
}
