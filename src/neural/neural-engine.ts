/**
 * The neural engine as the detector and the pipeline see it: the worker pool plus its settings.
 * Detection and embedding both run on the pool; composition happens in the CLI roots.
 */
import type { Config } from '../config/schema.js';
import { type EmbeddingFeatureSpec, embeddingSpec } from '../recognize/features.js';
import { cutChip, type RasterImage } from '../vision/chip.js';
import type { AngleHit } from '../vision/detect-angle.js';
import type { NeuralPool } from './neural-pool.js';

export type NeuralSettings = Config['neural'];

export interface NeuralEngine {
  readonly pool: NeuralPool;
  readonly settings: NeuralSettings;
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
