import { loadConfig } from '../config/load.js';
import { type Config, ENGINES } from '../config/schema.js';
import { isRotationStep } from '../core/angles.js';
import type { SizeOverrides } from '../detect/settings.js';
import { buildEngines, type Engines } from '../engine/engines.js';
import { intFlag, numberFlag, UsageError } from './args.js';

export type { Engine } from '../config/schema.js';

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
  config?: string | undefined;
  parity?: boolean | undefined;
  'rotation-step'?: string | undefined;
  'max-side'?: string | undefined;
  'step-ratio'?: string | undefined;
  'min-neighbours'?: string | undefined;
  'min-hit-density'?: string | undefined;
  'min-size'?: string | undefined;
  'max-size'?: string | undefined;
  workers?: string | undefined;
  engine?: string | undefined;
  'min-confidence'?: string | undefined;
}

/** The config with the flags laid over it, and its engines (engine/engines.ts). */
export interface DetectionContext extends Engines {
  readonly config: Config;
}

/** The config with --engine laid over it (a flag is a person's choice, like the file's). */
export function withEngineFlag(config: Config, flag: string | undefined): Config {
  if (flag === undefined) return config;
  const engine = ENGINES.find((e) => e === flag);
  if (engine === undefined) throw new UsageError(`--engine must be cascade or neural, got "${flag}"`);
  return { ...config, engine, engineChosen: true };
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
  if (!isRotationStep(detection.rotationStep)) {
    throw new UsageError(`--rotation-step must divide 360 (15, 30, 90, 360...), got ${detection.rotationStep}`);
  }
  const engine = base.engine;
  const neural = {
    ...base.neural,
    ...(engine === 'neural' && flags['rotation-step'] ? { rotationStep: detection.rotationStep } : {}),
    minConfidence: numberFlag('min-confidence', flags['min-confidence'], 0.01, 0.99) ?? base.neural.minConfidence,
  };
  // --workers sizes the neural pool too when that is the engine (detection.workers is the cascade's).
  const config: Config = {
    ...base,
    engine,
    detection,
    neural: engine === 'neural' && flags.workers !== undefined ? { ...neural, workers: detection.workers } : neural,
  };
  const minSize = intFlag('min-size', flags['min-size'], 1);
  const maxSize = intFlag('max-size', flags['max-size'], 1);
  const sizes: SizeOverrides = {
    ...(minSize === undefined ? {} : { minSize }),
    ...(maxSize === undefined ? {} : { maxSize }),
  };
  if (sizes.minSize !== undefined && sizes.maxSize !== undefined && sizes.minSize >= sizes.maxSize) {
    throw new UsageError(`--min-size (${sizes.minSize}) must be smaller than --max-size (${sizes.maxSize})`);
  }
  if (engine === 'neural' && detection.parity)
    throw new UsageError("--parity reproduces the seed's cascade; it cannot be used with --engine neural");
  return {
    config,
    ...buildEngines(config, { sizes, ...(options.releaseIdleWorkers ? { releaseIdleWorkers: true } : {}) }),
  };
}
