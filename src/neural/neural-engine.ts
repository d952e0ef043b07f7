/**
 * The neural engine as the detector and the pipeline see it: the worker pool, the sweep's angles
 * and the settings a photo reads. Detection and embedding both run on the pool; engine/engines.ts
 * composes it.
 */
import type { Config } from '../config/schema.js';
import { sweepAngles } from '../core/rotation.js';
import { type EmbeddingFeatureSpec, embeddingSpec } from '../recognize/features.js';
import { cutChip, type RasterImage } from '../vision/chip.js';
import type { AngleHit } from '../vision/detect-angle.js';
import type { NeuralPool } from './neural-pool.js';

/** What a photo's detection and embedding read: the step is the engine's `angles` instead. */
export type NeuralSettings = Omit<Config['neural'], 'rotationStep'>;

export interface NeuralEngine {
  readonly pool: NeuralPool;
  /** The sweep's angles, made from `neural.rotationStep` once (neuralEngine). */
  readonly angles: readonly number[];
  readonly settings: NeuralSettings;
}

/** The engine for `pool` under the config's `neural` section: its step becomes the angles here, once. */
export function neuralEngine(pool: NeuralPool, config: Config['neural']): NeuralEngine {
  const { rotationStep, ...settings } = config;
  return { pool, angles: sweepAngles(rotationStep), settings };
}

/** The feature spec models trained with this engine record. */
export function neuralFeatureSpec(engine: NeuralEngine): EmbeddingFeatureSpec {
  return embeddingSpec(engine.settings.chipPadding);
}

/**
 * Embeddings of faces given by their detections in `image` (detection pixels): each face is cut
 * upright with the engine's padding, then described on the workers. Null: no landmarks placed.
 */
export async function embedFaces(
  engine: NeuralEngine,
  image: RasterImage,
  hits: readonly Pick<AngleHit, 'rect'>[],
): Promise<(Float64Array | null)[]> {
  const padding = engine.settings.chipPadding;
  const chips = hits.map((h) => cutChip(image, h.rect, { padding }));
  return engine.pool.embed(chips, padding);
}
