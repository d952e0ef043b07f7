/**
 * What a model was trained on. `hog`: grey [0, 1] chip → skimage resize to the model's chip
 * size → HOG, as the seed's `chip_features` computes them (pure, here). `embedding`: face-api's
 * 128-d descriptor of the aligned face (68 landmarks), computed by the neural engine's workers
 * (src/neural/); here only its spec. Models refuse faces described by the other kind.
 */
import { z } from 'zod';
import { type HogParams, hog, hogLength } from './hog.js';
import { resizeGrey } from './resize.js';

/**
 * Bump when the feature computation changes in a way that makes old models wrong.
 * A model whose spec says another version is refused at load.
 */
export const FEATURE_CODE_VERSION = 1;

/** Bump when the embedding computation (nets, alignment, chip padding rule) changes. */
export const EMBEDDING_CODE_VERSION = 1;
export const EMBEDDING_MODEL = 'face-api/face_recognition';
export const EMBEDDING_DIMENSIONS = 128;

const hogSpecSchema = z
  .object({
    kind: z.literal('hog'),
    version: z.number().int(),
    chipWidth: z.number().int().min(8).max(1024),
    chipHeight: z.number().int().min(8).max(1024),
    /** Margin cut around the detection box, as a fraction of its size per side (the seed: 0). */
    padding: z.number().min(0).max(1),
    hog: z
      .object({
        orientations: z.number().int().min(1).max(36),
        pixelsPerCell: z.tuple([z.number().int().min(1), z.number().int().min(1)]),
        cellsPerBlock: z.tuple([z.number().int().min(1), z.number().int().min(1)]),
        blockNorm: z.enum(['L1', 'L1-sqrt', 'L2', 'L2-Hys']),
      })
      .strict(),
  })
  .strict();

const embeddingSpecSchema = z
  .object({
    kind: z.literal('embedding'),
    version: z.number().int(),
    model: z.literal(EMBEDDING_MODEL),
    dimensions: z.literal(EMBEDDING_DIMENSIONS),
    /** Margin of the upright chip the landmarks and the aligned crop are taken from. */
    padding: z.number().min(0).max(1),
  })
  .strict();

/** Model files written before the embedding engine may lack `kind`: they are HOG. */
export const featureSpecSchema = z.preprocess(
  (v) => (typeof v === 'object' && v !== null && !('kind' in v) ? { ...v, kind: 'hog' } : v),
  z.discriminatedUnion('kind', [hogSpecSchema, embeddingSpecSchema]),
);

export type HogFeatureSpec = z.infer<typeof hogSpecSchema>;
/** What the HOG trainer produces (the name predates the embedding features). */
export type FeatureSpec = HogFeatureSpec;
export type EmbeddingFeatureSpec = z.infer<typeof embeddingSpecSchema>;
/** Either kind: what a model file may record. */
export type AnyFeatureSpec = HogFeatureSpec | EmbeddingFeatureSpec;
export type FeatureKind = AnyFeatureSpec['kind'];

/** The spec of the neural engine's features, chips cut with `padding`. */
export function embeddingSpec(padding: number): EmbeddingFeatureSpec {
  return {
    kind: 'embedding',
    version: EMBEDDING_CODE_VERSION,
    model: EMBEDDING_MODEL,
    dimensions: EMBEDDING_DIMENSIONS,
    padding,
  };
}

/** Which engine computes each kind of features, for messages. */
export const ENGINE_OF_FEATURES: Readonly<Record<FeatureKind, string>> = { hog: 'cascade', embedding: 'neural' };

/** A model and a face (or an engine) disagree on the kind of features. */
export class FeatureMismatchError extends Error {
  constructor(
    readonly expected: FeatureKind,
    readonly got: FeatureKind,
    source: string,
  ) {
    super(
      `${source} was trained on ${expected} features (engine ${ENGINE_OF_FEATURES[expected]}), but the ${ENGINE_OF_FEATURES[got]} engine ` +
        `describes faces with ${got} features; use --engine ${ENGINE_OF_FEATURES[expected]}, or retrain with --engine ${ENGINE_OF_FEATURES[got]}`,
    );
    this.name = 'FeatureMismatchError';
  }
}

/** A grey face chip, upright, values in [0, 1], row-major. */
export interface GreyChip {
  readonly width: number;
  readonly height: number;
  readonly data: Float64Array;
}

/** The seed's HOG: 8 orientations, 16×16 cells, 1×1 blocks, L2-Hys. */
export const SEED_HOG: HogParams = {
  orientations: 8,
  pixelsPerCell: [16, 16],
  cellsPerBlock: [1, 1],
  blockNorm: 'L2-Hys',
};

/** A stable key: chips with equal keys have equal features, so they are computed once per face. */
export function featureKey(spec: AnyFeatureSpec): string {
  if (spec.kind === 'embedding') return `embedding${spec.version}:${spec.dimensions}:p${spec.padding}`;
  const h = spec.hog;
  return `hog${spec.version}:${spec.chipWidth}x${spec.chipHeight}:p${spec.padding}:${h.orientations}/${h.pixelsPerCell.join('x')}/${h.cellsPerBlock.join('x')}/${h.blockNorm}`;
}

export function featureLength(spec: AnyFeatureSpec): number {
  if (spec.kind === 'embedding') return spec.dimensions;
  return hogLength(spec.chipHeight, spec.chipWidth, spec.hog);
}

/** Scale a chip to the spec's size (skimage resize, anti-aliased when shrinking). */
export function scaleChip(chip: GreyChip, spec: Pick<HogFeatureSpec, 'chipWidth' | 'chipHeight'>): GreyChip {
  if (chip.width === spec.chipWidth && chip.height === spec.chipHeight) return chip;
  return {
    width: spec.chipWidth,
    height: spec.chipHeight,
    data: resizeGrey(chip.data, chip.width, chip.height, spec.chipWidth, spec.chipHeight),
  };
}

/** The feature vector of one chip under `spec`. Embeddings need the neural engine: refused here. */
export function chipFeatures(chip: GreyChip, spec: AnyFeatureSpec): Float64Array {
  if (spec.kind !== 'hog') throw new FeatureMismatchError(spec.kind, 'hog', 'this model');
  const scaled = scaleChip(chip, spec);
  return hog(scaled.data, scaled.width, scaled.height, spec.hog);
}

/** Refuse a spec this code cannot reproduce, with the reason. */
export function checkFeatureSpec(spec: AnyFeatureSpec, source: string): void {
  if (spec.kind === 'embedding') {
    if (spec.version !== EMBEDDING_CODE_VERSION) {
      throw new Error(
        `${source}: its embedding features are version ${spec.version}, this facetag computes version ${EMBEDDING_CODE_VERSION}; retrain with \`facetag train --engine neural\``,
      );
    }
    return;
  }
  if (spec.version !== FEATURE_CODE_VERSION) {
    throw new Error(
      `${source}: its features are version ${spec.version}, this facetag computes version ${FEATURE_CODE_VERSION}; retrain with \`facetag train\``,
    );
  }
  if (
    spec.chipHeight < spec.hog.pixelsPerCell[0] * spec.hog.cellsPerBlock[0] ||
    spec.chipWidth < spec.hog.pixelsPerCell[1] * spec.hog.cellsPerBlock[1]
  ) {
    throw new Error(`${source}: chip ${spec.chipWidth}x${spec.chipHeight} is smaller than one HOG block`);
  }
}
