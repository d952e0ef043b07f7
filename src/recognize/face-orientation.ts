/**
 * Which way up a face is (issue 14 §5). The SSD finds a face at most of the sweep's angles and
 * its scores do not say which way up it is (on the detection set 47 of 374 upright faces were
 * kept turned; preferring upright instead stored 219 of 359 faces of upside-down photos wrong).
 * So a small classifier looks at the face itself: HOG of a 32×32 grey chip cut at the kept angle,
 * and a linear model (softmax over 4 classes) that says whether the chip shows the face upright or
 * turned by a quarter, half or three-quarter turn. Trained on upright LFW faces turned all four
 * ways (scripts/train-orientation.ts, models/face-orientation.json). Pure, but for the loader.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { cutChip, type RasterImage } from '../vision/chip.js';
import type { RotatedRect } from '../vision/geometry.js';
import { rgbToGrey } from '../vision/grey.js';
import { type HogParams, hog } from './hog.js';

/** The features' recipe; the model file records it, and a mismatch is refused. */
export const ORIENTATION_CHIP = { size: 48, padding: 0.1 } as const;
export const ORIENTATION_HOG: HogParams = {
  orientations: 9,
  pixelsPerCell: [8, 8],
  cellsPerBlock: [2, 2],
  blockNorm: 'L2-Hys',
};

/** The classes: the face in the chip turned by 0, 45, 90 … 315 degrees. */
export const ORIENTATION_CLASSES = 8;
export const ORIENTATION_STEP = 360 / ORIENTATION_CLASSES;

const modelFile = z.object({
  version: z.literal(1),
  chip: z.object({ size: z.literal(ORIENTATION_CHIP.size), padding: z.literal(ORIENTATION_CHIP.padding) }),
  features: z.int().positive(),
  /** One row per class (the face turned by 0, 45, … 315 degrees): weights then the bias. */
  weights: z.array(z.array(z.number())).length(ORIENTATION_CLASSES),
  trainedOn: z.string(),
});
export type OrientationModel = z.infer<typeof modelFile>;

/** The square, upright-in-its-frame chip of `rect` (whatever its sides), as HOG features. */
export function orientationFeatures(image: RasterImage, rect: RotatedRect): Float64Array {
  const side = (rect.width + rect.height) / 2;
  const { size, padding } = ORIENTATION_CHIP;
  const chip = cutChip(image, { ...rect, width: side, height: side }, { padding, outWidth: size, outHeight: size });
  return hog(rgbToGrey(chip.pixels, chip.channels), size, size, ORIENTATION_HOG);
}

/** Class probabilities (softmax) for features `x`. */
export function orientationScores(model: OrientationModel, x: Float64Array): number[] {
  const logits = model.weights.map((w) => {
    let s = w[x.length] ?? 0;
    for (let i = 0; i < x.length; i++) s += (w[i] ?? 0) * (x[i] ?? 0);
    return s;
  });
  const max = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/**
 * The class probabilities of the face in `rect`'s chip: index k is "the face is turned by
 * k × ORIENTATION_STEP degrees in the chip", so its angle in the photo is rect.angle − k × step.
 */
export function faceTurn(model: OrientationModel, image: RasterImage, rect: RotatedRect): number[] {
  const x = orientationFeatures(image, rect);
  if (x.length !== model.features)
    throw new RangeError(`orientation model expects ${model.features} features, got ${x.length}`);
  return orientationScores(model, x);
}

const FILE = 'models/face-orientation.json';

/** The shipped model, found from this module upwards (works from src/ and dist/). */
export function loadOrientationModel(path?: string): OrientationModel {
  let file = path;
  for (let dir = dirname(fileURLToPath(import.meta.url)); file === undefined; ) {
    const candidate = join(dir, FILE);
    if (existsSync(candidate)) file = candidate;
    else if (dirname(dir) === dir) throw new Error(`cannot find ${FILE} above ${fileURLToPath(import.meta.url)}`);
    else dir = dirname(dir);
  }
  const parsed = modelFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(`${file}: not a face orientation model (${parsed.error.issues[0]?.message ?? ''})`);
  return parsed.data;
}
