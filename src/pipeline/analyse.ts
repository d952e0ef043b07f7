/**
 * What the daemon does with one photo: detect faces (rotation sweep), keep a stored chip of each,
 * and name them from those chips, so a later re-classification from the stored chips gives the
 * same answer without the photo.
 */
import type { DetectorOptions } from '../engine/detector.js';
import { neuralFeatureSpec } from '../neural/neural-engine.js';
import { featureKey, type GreyChip } from '../recognize/features.js';
import { type Recognition, type Recognizer, UNKNOWN } from '../recognize/recognizer.js';
import { chipWithPadding, greyOf, storedChip } from '../recognize/stored-chip.js';
import type { RasterImage } from '../vision/chip.js';
import { encodeChipPng } from '../vision/chip-png.js';
import type { AngleHit } from '../vision/detect-angle.js';
import type { RotatedRect } from '../vision/geometry.js';
import { faceThumb } from './face-thumb.js';
import { runFile } from './photo-pipeline.js';

export interface AnalysedFace {
  /** In the oriented full-resolution frame. */
  readonly rect: RotatedRect;
  /** Cascade: the neighbour count; neural: the SSD score in thousandths (the store keeps integers). */
  readonly strength: number;
  /** The stored chip (grey PNG, margin STORED_PADDING). */
  readonly chipPng: Buffer;
  /** The same crop in colour, as a JPEG: what people are shown (face-thumb.ts). */
  readonly thumbJpeg: Buffer;
  /** Null when there are no models yet. */
  readonly recognition: Recognition | null;
  /**
   * The neural engine's embedding, kept with the face: stored chips are small and grey, so
   * embedding models are trained and re-applied from these, never from the chip.
   */
  readonly features?: { readonly values: Float64Array; readonly key: string };
}

export interface PhotoAnalysis {
  readonly file: string;
  /** Oriented (displayed) full-resolution size, and the EXIF orientation found. */
  readonly width: number;
  readonly height: number;
  readonly orientation: number;
  /** When the photo was taken (EXIF wall-clock time as UTC ms), or null. */
  readonly takenAt: number | null;
  readonly faces: readonly AnalysedFace[];
  readonly ms: number;
}

/** A face as stored: its chip, and the embedding it was analysed with (neural engine), if any. */
export interface StoredFace {
  /** The decoded chip; only HOG models read it (see `needsStoredChip`), so it may be left out. */
  readonly chip?: RasterImage | undefined;
  readonly features?: { readonly values: Float64Array; readonly key: string } | null | undefined;
}

/**
 * Name a face from what is stored of it: HOG models from its chip, embedding models from its
 * stored embedding. A face without an embedding (found by the cascade) is unknown to embedding
 * models rather than an error: a library being re-analysed after an engine switch has both.
 */
/** Whether naming stored faces with `recognizer` reads their chips: decode them only then. */
export function needsStoredChip(recognizer: Recognizer): boolean {
  return recognizer.featureKinds.includes('hog');
}

export function recogniseStored(recognizer: Recognizer, face: StoredFace): Recognition {
  const embedding = face.features?.key.startsWith('embedding') ? face.features.values : undefined;
  if (!embedding && recognizer.featureKinds.includes('embedding')) return { name: UNKNOWN, value: null, decisions: {} };
  // Grey only when a HOG model asks for the chip: embedding models never do.
  let grey: GreyChip | undefined;
  const chipFor = (padding: number): GreyChip => {
    if (!face.chip) throw new Error('a HOG model names stored faces from their chips: decode them (needsStoredChip)');
    grey ??= greyOf(face.chip);
    return chipWithPadding(grey, padding);
  };
  return recognizer.recognize(chipFor, embedding);
}

/**
 * The daemon's pass over one photo: every face found, described (neural: its embedding, kept for
 * training) and named from its chip as stored. Throws DecodeError for a bad file.
 */
export async function analysePhoto(
  file: string,
  detector: DetectorOptions,
  recognizer: Recognizer | undefined,
): Promise<PhotoAnalysis> {
  const t = performance.now();
  // Each face's stored chip is cut once: models read it, and it is what the store keeps.
  const stored = new WeakMap<AngleHit, RasterImage>();
  const storedOf = (image: RasterImage, hit: AngleHit): RasterImage => {
    let chip = stored.get(hit);
    if (!chip) {
      chip = storedChip(image, hit.rect);
      stored.set(hit, chip);
    }
    return chip;
  };
  const run = await runFile(file, {
    detector,
    recognizer: recognizer && recognizer.size > 0 ? recognizer : undefined,
    describeAll: true,
    mismatch: 'unknown',
    chipReader: (image) => (hit) => {
      let grey: GreyChip | undefined;
      return (padding) => {
        grey ??= greyOf(storedOf(image, hit));
        return chipWithPadding(grey, padding);
      };
    },
  });
  const key = detector.neural ? featureKey(neuralFeatureSpec(detector.neural)) : '';
  const faces: AnalysedFace[] = [];
  for (const f of run.faces) {
    const features = f.embedding ? { values: f.embedding, key } : undefined;
    faces.push({
      rect: f.rect,
      strength: detector.neural ? Math.round(f.strength * 1000) : f.strength,
      chipPng: await encodeChipPng(storedOf(run.image, f.hit)),
      thumbJpeg: await faceThumb(run.image, f.hit.rect),
      recognition: f.recognition,
      ...(features ? { features } : {}),
    });
  }
  return {
    file,
    width: run.width,
    height: run.height,
    orientation: run.orientation,
    takenAt: run.takenAt,
    faces,
    ms: performance.now() - t,
  };
}
