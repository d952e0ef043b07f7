/**
 * Which way up a face is (issue 14 §5). The SSD finds a face at most of the sweep's angles and
 * its scores do not say which way up it is (on the detection set 47 of 374 upright faces were
 * kept turned; preferring upright instead stored 219 of 359 faces of upside-down photos wrong).
 * So a small network looks at the face itself: a 48 px grey chip cut at a detection's angle, as
 * HOG plus its light-and-dark layout, and one hidden layer that says whether the chip shows the
 * face upright or turned by 45, 90 … 315 degrees. It is taught on the SSD's own boxes of upright
 * LFW faces at every angle the sweep finds them (scripts/train-orientation.ts,
 * models/face-orientation.json). Pure, but for the loader.
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

const row = z.array(z.number());
const modelFile = z
  .object({
    version: z.literal(2),
    chip: z.object({ size: z.literal(ORIENTATION_CHIP.size), padding: z.literal(ORIENTATION_CHIP.padding) }),
    features: z.int().positive(),
    /** Each feature is standardised, (x − mean) / scale, before the hidden layer. */
    mean: row,
    scale: row,
    /** One row per hidden unit (ReLU): weights over the features, then the bias. */
    hidden: z.array(row).min(1),
    /** One row per class (the face turned by 0, 45, … 315 degrees): weights over the hidden units, then the bias. */
    weights: z.array(row).length(ORIENTATION_CLASSES),
    trainedOn: z.string(),
  })
  .superRefine((m, ctx) => {
    const bad = (what: string) =>
      ctx.addIssue({ code: 'custom', message: `${what} do not match ${m.features} features` });
    if (m.mean.length !== m.features || m.scale.length !== m.features) bad('mean and scale');
    if (m.hidden.some((h) => h.length !== m.features + 1)) bad('hidden rows');
    if (m.weights.some((w) => w.length !== m.hidden.length + 1)) bad('class rows');
  });
export type OrientationModel = z.infer<typeof modelFile>;

/** The side of the chip's light-and-dark layout, in cells (each the mean of a 4×4 block of the chip). */
export const ORIENTATION_LAYOUT = 12;

/**
 * The square, upright-in-its-frame chip of `rect` (whatever its sides), as features: its HOG,
 * then its light-and-dark layout (12×12 block means, standardised over the chip). HOG's gradients
 * are unsigned, so a dark band over a light one and a light band over a dark one look alike;
 * the layout keeps what tells a face from its upside-down self (dark eyes above light cheeks).
 */
export function orientationFeatures(image: RasterImage, rect: RotatedRect): Float64Array {
  const side = (rect.width + rect.height) / 2;
  const { size, padding } = ORIENTATION_CHIP;
  const chip = cutChip(image, { ...rect, width: side, height: side }, { padding, outWidth: size, outHeight: size });
  const grey = rgbToGrey(chip.pixels, chip.channels);
  const gradients = hog(grey, size, size, ORIENTATION_HOG);
  const out = new Float64Array(gradients.length + ORIENTATION_LAYOUT * ORIENTATION_LAYOUT);
  out.set(gradients);
  const layout = out.subarray(gradients.length);
  const block = size / ORIENTATION_LAYOUT;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const cell = Math.floor(y / block) * ORIENTATION_LAYOUT + Math.floor(x / block);
      layout[cell] = (layout[cell] ?? 0) + (grey[y * size + x] ?? 0);
    }
  let mean = 0;
  for (const v of layout) mean += v / layout.length;
  let sd = 0;
  for (const v of layout) sd += (v - mean) ** 2 / layout.length;
  sd = Math.sqrt(sd) || 1;
  for (let i = 0; i < layout.length; i++) layout[i] = ((layout[i] ?? 0) - mean) / sd;
  return out;
}

/** `w` · `x` plus the bias, the last entry of `w`. */
function affine(w: readonly number[], x: ArrayLike<number>): number {
  let s = w[x.length] ?? 0;
  for (let i = 0; i < x.length; i++) s += (w[i] ?? 0) * (x[i] ?? 0);
  return s;
}

/** Class probabilities (softmax over the output layer) for features `x`. */
export function orientationScores(model: OrientationModel, x: Float64Array): number[] {
  const z = Float64Array.from(x, (v, i) => (v - (model.mean[i] ?? 0)) / (model.scale[i] ?? 1));
  const h = model.hidden.map((w) => Math.max(0, affine(w, z)));
  const logits = model.weights.map((w) => affine(w, h));
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
