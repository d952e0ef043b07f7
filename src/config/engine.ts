/**
 * Which engine a library is analysed with. A person's choice (config file or --engine) always
 * wins. Without one, a library keeps the engine that analysed it, since switching analyses every
 * photo again, which on a large library takes hours and must never happen behind the family's
 * back; a library nothing has analysed yet gets the default. Pure.
 */
import { type Config, DEFAULT_ENGINE, ENGINES, type Engine } from './schema.js';

export interface LibraryEngine {
  readonly config: Config;
  /** Set when the library keeps an engine other than the default: the log says what to set. */
  readonly kept?: Engine;
}

/** `recorded`: the engine the store says analysed the library (undefined for a new library). */
export function engineForLibrary(config: Config, recorded: string | undefined): LibraryEngine {
  if (config.engineChosen || recorded === undefined) return { config };
  const own = ENGINES.find((e) => e === recorded);
  if (own === undefined) throw new Error(`the library records an unknown engine ${JSON.stringify(recorded)}`);
  if (own === config.engine) return { config };
  return { config: { ...config, engine: own }, ...(own !== DEFAULT_ENGINE ? { kept: own } : {}) };
}

/** The log line for a library that keeps an engine that is not the default. */
export function keptEngineAdvice(kept: Engine): string {
  return `this library was analysed with the ${kept} engine and keeps it; set "engine": "${DEFAULT_ENGINE}" in the config to analyse every photo again with the ${DEFAULT_ENGINE} engine (labels are kept; models are retrained), or "engine": "${kept}" to silence this`;
}
