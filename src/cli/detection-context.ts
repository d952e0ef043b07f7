import type { FlagSetting } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { SizeOverrides } from '../detect/settings.js';
import { buildEngines, type Engines } from '../engine/engines.js';
import { intFlag, UsageError } from './args.js';
import { type DataDirFlags, loadCommandConfig } from './data-dir.js';

export type { Engine } from '../config/schema.js';

/** Flags every detecting command accepts; they override the config file (FLAG_FIELDS below). */
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

/**
 * The config field each detection flag sets. Flags are laid over the file through loadConfig, so
 * the schema checks a flag's value as it checks the file's, and a refused value is named by its
 * flag. `--rotation-step` and `--workers` set both engines' fields: only the engine in use reads its own.
 */
const FLAG_FIELDS: Readonly<Record<ConfigFlag, { kind: 'number' | 'boolean' | 'string'; paths: string[][] }>> = {
  engine: { kind: 'string', paths: [['engine']] },
  parity: { kind: 'boolean', paths: [['detection', 'parity']] },
  'rotation-step': {
    kind: 'number',
    paths: [
      ['detection', 'rotationStep'],
      ['neural', 'rotationStep'],
    ],
  },
  'max-side': { kind: 'number', paths: [['detection', 'maxSide']] },
  'step-ratio': { kind: 'number', paths: [['detection', 'stepRatio']] },
  'min-neighbours': { kind: 'number', paths: [['detection', 'minNeighbours']] },
  'min-hit-density': { kind: 'number', paths: [['detection', 'minHitDensity']] },
  workers: {
    kind: 'number',
    paths: [
      ['detection', 'workers'],
      ['neural', 'workers'],
    ],
  },
  'min-confidence': { kind: 'number', paths: [['neural', 'minConfidence']] },
  model: { kind: 'string', paths: [['recognition', 'model']] },
};
type ConfigFlag = Exclude<keyof DetectionFlagValues, 'config' | 'min-size' | 'max-size'> | 'model';

/** A flag's text as the schema should see it: a number where one is meant (else the text, which it refuses). */
function flagValue(kind: 'number' | 'boolean' | 'string', value: string | boolean): unknown {
  if (kind !== 'number' || typeof value !== 'string') return value;
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) ? n : value;
}

/** The config settings the given flags make, for loadConfig. */
export function configFlagSettings(
  flags: DetectionFlagValues & { readonly model?: string | undefined },
): FlagSetting[] {
  const settings: FlagSetting[] = [];
  for (const [flag, field] of Object.entries(FLAG_FIELDS) as [ConfigFlag, (typeof FLAG_FIELDS)[ConfigFlag]][]) {
    const value = flags[flag];
    if (value === undefined) continue;
    for (const path of field.paths) settings.push({ flag: `--${flag}`, path, value: flagValue(field.kind, value) });
  }
  return settings;
}

/**
 * The config file (`--config`, FACETAG_*, `--data-dir`) with the command's flags laid over it,
 * each value checked by the schema once. Throws ConfigError (exit 64 when a flag is at fault).
 */
export function loadFlaggedConfig(
  flags: DetectionFlagValues & DataDirFlags & { readonly model?: string | undefined },
): Config {
  return loadCommandConfig(flags, process.env, configFlagSettings(flags));
}

/**
 * Config (flags already laid over it) → a ready detector (worker threads unless one thread is
 * asked for). `--min-size` / `--max-size` are the scan's own pixel limits, not config. With
 * `releaseIdleWorkers` (the daemon), the threads start on first use and end after
 * `daemon.releaseWorkersAfterSeconds` without work.
 */
export function detectionContext(
  config: Config,
  flags: Pick<DetectionFlagValues, 'min-size' | 'max-size'> = {},
  options: { releaseIdleWorkers?: boolean } = {},
): DetectionContext {
  const engine = config.engine;
  const minSize = intFlag('min-size', flags['min-size'], 1);
  const maxSize = intFlag('max-size', flags['max-size'], 1);
  const sizes: SizeOverrides = {
    ...(minSize === undefined ? {} : { minSize }),
    ...(maxSize === undefined ? {} : { maxSize }),
  };
  if (sizes.minSize !== undefined && sizes.maxSize !== undefined && sizes.minSize >= sizes.maxSize) {
    throw new UsageError(`--min-size (${sizes.minSize}) must be smaller than --max-size (${sizes.maxSize})`);
  }
  if (engine === 'neural' && config.detection.parity)
    throw new UsageError("--parity reproduces the seed's cascade; it cannot be used with --engine neural");
  return {
    config,
    ...buildEngines(config, { sizes, ...(options.releaseIdleWorkers ? { releaseIdleWorkers: true } : {}) }),
  };
}
