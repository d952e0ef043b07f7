/**
 * What the daemon does with one photo: detect faces (rotation sweep), keep a stored chip of each,
 * and name them from those chips, so a later re-classification from the stored chips gives the
 * same answer without the photo.
 */
import { type DetectorOptions, detectDecoded } from '../detect/detector.js';
import { detectionMaxSide } from '../detect/settings.js';
import type { Recognition, Recognizer } from '../recognize/recognizer.js';
import { chipWithPadding, greyOf, storedChip } from '../recognize/stored-chip.js';
import type { RasterImage } from '../vision/chip.js';
import { encodeChipPng } from '../vision/chip-png.js';
import { decodeImage } from '../vision/decode.js';
import type { RotatedRect } from '../vision/geometry.js';

export interface AnalysedFace {
  /** In the oriented full-resolution frame. */
  readonly rect: RotatedRect;
  readonly strength: number;
  /** The stored chip (grey PNG, margin STORED_PADDING). */
  readonly chipPng: Buffer;
  /** Null when there are no models yet. */
  readonly recognition: Recognition | null;
}

export interface PhotoAnalysis {
  readonly file: string;
  /** Oriented (displayed) full-resolution size, and the EXIF orientation found. */
  readonly width: number;
  readonly height: number;
  readonly orientation: number;
  readonly faces: readonly AnalysedFace[];
  readonly ms: number;
}

/** Name a face from its stored chip. */
export function recogniseStored(recognizer: Recognizer, chip: RasterImage): Recognition {
  const grey = greyOf(chip);
  return recognizer.recognize((padding) => chipWithPadding(grey, padding));
}

/** Throws DecodeError for a bad file. */
export async function analysePhoto(
  file: string,
  detector: DetectorOptions,
  recognizer: Recognizer | undefined,
): Promise<PhotoAnalysis> {
  const t = performance.now();
  const maxSide = detectionMaxSide(detector.detection);
  const image = await decodeImage(file, { maxPixels: detector.maxPixels, ...(maxSide ? { maxSide } : {}) });
  const detection = await detectDecoded(image, detector);
  const faces: AnalysedFace[] = [];
  for (const f of detection.faces) {
    const chip = storedChip(image, f.hit.rect);
    faces.push({
      rect: f.rect,
      strength: f.strength,
      chipPng: await encodeChipPng(chip),
      recognition: recognizer && recognizer.size > 0 ? recogniseStored(recognizer, chip) : null,
    });
  }
  return {
    file,
    width: detection.width,
    height: detection.height,
    orientation: detection.orientation,
    faces,
    ms: performance.now() - t,
  };
}
