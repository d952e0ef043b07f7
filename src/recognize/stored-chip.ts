/**
 * The chip facetag keeps for every detected face: upright, grey, with a generous margin, at most
 * STORED_MAX_SIDE pixels. From it any model's chip (smaller margin, any size) can be made again,
 * so retraining and re-classifying never need the photo or a second detection. Then how a face
 * is named again from what is stored of it (recogniseStored).
 */
import { cutChip, type RasterImage } from '../vision/chip.js';
import type { RotatedRect } from '../vision/geometry.js';
import { rgbToGrey } from '../vision/grey.js';
import type { GreyChip } from './features.js';
import { type Recognition, type Recognizer, UNKNOWN } from './recognizer.js';

/** Margin of stored chips, per side, as a fraction of the face box (models use 0..this). */
export const STORED_PADDING = 0.25;
/** Longest side of a stored chip: 80×80 model chips with up to 0.25 margin need ≤ 120 px. */
export const STORED_MAX_SIDE = 128;

/** The stored chip of a face: grey 8-bit, one channel. */
export function storedChip(image: RasterImage, rect: RotatedRect): RasterImage {
  const side = Math.max(rect.width, rect.height) * (1 + 2 * STORED_PADDING);
  const scale = Math.min(1, STORED_MAX_SIDE / side);
  const outWidth = Math.max(1, Math.round(rect.width * (1 + 2 * STORED_PADDING) * scale));
  const outHeight = Math.max(1, Math.round(rect.height * (1 + 2 * STORED_PADDING) * scale));
  const chip = cutChip(image, rect, { padding: STORED_PADDING, outWidth, outHeight });
  if (chip.channels === 1) return chip;
  const grey = rgbToGrey(chip.pixels, 3);
  const pixels = new Uint8Array(grey.length);
  for (let i = 0; i < grey.length; i++) pixels[i] = Math.round(grey[i]! * 255);
  return { width: chip.width, height: chip.height, channels: 1, pixels };
}

/**
 * The chip a model with margin `padding` sees, cut from a stored chip (margin STORED_PADDING):
 * its central part. Pure; the caller scales it to the model's size.
 */
export function chipWithPadding(stored: GreyChip, padding: number): GreyChip {
  if (padding > STORED_PADDING) throw new RangeError(`chip margin ${padding} exceeds the stored ${STORED_PADDING}`);
  const keep = (1 + 2 * padding) / (1 + 2 * STORED_PADDING);
  const w = Math.max(1, Math.round(stored.width * keep));
  const h = Math.max(1, Math.round(stored.height * keep));
  if (w === stored.width && h === stored.height) return stored;
  const x0 = Math.floor((stored.width - w) / 2);
  const y0 = Math.floor((stored.height - h) / 2);
  const data = new Float64Array(w * h);
  for (let y = 0; y < h; y++)
    data.set(stored.data.subarray((y0 + y) * stored.width + x0, (y0 + y) * stored.width + x0 + w), y * w);
  return { width: w, height: h, data };
}

/** A stored chip's 8-bit pixels as the [0, 1] grey the features use. */
export function greyOf(chip: RasterImage): GreyChip {
  if (chip.channels !== 1) throw new RangeError('stored chips are grey');
  return { width: chip.width, height: chip.height, data: Float64Array.from(chip.pixels, (v) => v / 255) };
}

// ---- Naming a stored face ----

/** A face as stored: its chip, and the embedding it was analysed with (neural engine), if any. */
export interface StoredFace {
  /** The decoded chip; only HOG models read it (see `needsStoredChip`), so it may be left out. */
  readonly chip?: RasterImage | undefined;
  readonly features?: { readonly values: Float64Array; readonly key: string } | null | undefined;
}

/** Whether naming stored faces with `recognizer` reads their chips: decode them only then. */
export function needsStoredChip(recognizer: Recognizer): boolean {
  return recognizer.featureKinds.includes('hog');
}

/**
 * Name a face from what is stored of it: HOG models from its chip, embedding models from its
 * stored embedding. A face without an embedding (found by the cascade) is unknown to embedding
 * models rather than an error: a library being re-analysed after an engine switch has both.
 */
export function recogniseStored(recognizer: Recognizer, face: StoredFace): Recognition {
  const embedding = face.features?.key.startsWith('embedding') ? face.features.values : undefined;
  if (!embedding && recognizer.featureKinds.includes('embedding')) return { name: UNKNOWN, value: null, decisions: {} };
  const chipFor = paddedChips(() => {
    if (!face.chip) throw new Error('a HOG model names stored faces from their chips: decode them (needsStoredChip)');
    return face.chip;
  });
  return recognizer.recognize(chipFor, embedding);
}

/**
 * A model's chip at any margin from a stored chip, which is fetched and made grey only when a HOG
 * model first asks (embedding models never do), and once however many models ask.
 */
export function paddedChips(stored: () => RasterImage): (padding: number) => GreyChip {
  let grey: GreyChip | undefined;
  return (padding) => {
    grey ??= greyOf(stored());
    return chipWithPadding(grey, padding);
  };
}
