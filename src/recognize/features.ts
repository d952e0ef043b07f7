/**
 * What a model was trained on: the chip geometry and HOG parameters. A face's features are
 * grey [0, 1] chip → skimage resize to the model's chip size → HOG, as the seed's
 * `chip_features` computes them. Pure; no I/O.
 */
import { z } from 'zod';
import { type HogParams, hog, hogLength } from './hog.js';
import { resizeGrey } from './resize.js';

/**
 * Bump when the feature computation changes in a way that makes old models wrong.
 * A model whose spec says another version is refused at load.
 */
export const FEATURE_CODE_VERSION = 1;

export const featureSpecSchema = z
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

export type FeatureSpec = z.infer<typeof featureSpecSchema>;

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
export function featureKey(spec: FeatureSpec): string {
  const h = spec.hog;
  return `hog${spec.version}:${spec.chipWidth}x${spec.chipHeight}:p${spec.padding}:${h.orientations}/${h.pixelsPerCell.join('x')}/${h.cellsPerBlock.join('x')}/${h.blockNorm}`;
}

export function featureLength(spec: FeatureSpec): number {
  return hogLength(spec.chipHeight, spec.chipWidth, spec.hog);
}

/** Scale a chip to the spec's size (skimage resize, anti-aliased when shrinking). */
export function scaleChip(chip: GreyChip, spec: Pick<FeatureSpec, 'chipWidth' | 'chipHeight'>): GreyChip {
  if (chip.width === spec.chipWidth && chip.height === spec.chipHeight) return chip;
  return {
    width: spec.chipWidth,
    height: spec.chipHeight,
    data: resizeGrey(chip.data, chip.width, chip.height, spec.chipWidth, spec.chipHeight),
  };
}

/** The feature vector of one chip under `spec`. */
export function chipFeatures(chip: GreyChip, spec: FeatureSpec): Float64Array {
  const scaled = scaleChip(chip, spec);
  return hog(scaled.data, scaled.width, scaled.height, spec.hog);
}

/** Refuse a spec this code cannot reproduce, with the reason. */
export function checkFeatureSpec(spec: FeatureSpec, source: string): void {
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
