/**
 * What the daemon does with one photo: detect faces (rotation sweep), keep a stored chip of each,
 * and name them from those chips, so a later re-classification from the stored chips gives the
 * same answer without the photo (analysePhoto). Then the analyser the backfill runs: that pass
 * with the current models, as the store records it (recognisingAnalyser).
 */
import type { DetectorOptions } from '../engine/detector.js';
import { neuralFeatureSpec } from '../neural/neural-engine.js';
import { faceThumb } from '../pipeline/face-thumb.js';
import { runFile } from '../pipeline/photo-pipeline.js';
import { featureKey } from '../recognize/features.js';
import { type Recognition, type Recognizer, UNKNOWN } from '../recognize/recognizer.js';
import { paddedChips, STORED_PADDING, storedChip } from '../recognize/stored-chip.js';
import type { RasterImage } from '../vision/chip.js';
import { encodeChipPng } from '../vision/chip-png.js';
import { DecodeError } from '../vision/decode.js';
import type { AngleHit } from '../vision/detect-angle.js';
import type { RotatedRect } from '../vision/geometry.js';
import type { Analyser } from './backfill.js';
import type { ModelSet } from './model-set.js';

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
    chipReader: (image) => (hit) => paddedChips(() => storedOf(image, hit)),
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

/**
 * `models()` is read per photo, so a retrain takes effect on the next photo. `retryTruncated`:
 * the daemon looks at a truncated file again later (it may still be being copied); a one-off pass
 * (`run --once`) reports it as failed instead, and it is retried when the file changes.
 */
export function recognisingAnalyser(
  detector: DetectorOptions,
  models: () => ModelSet,
  options: { readonly retryTruncated: boolean } = { retryTruncated: true },
): Analyser {
  return async (path) => {
    const set = models();
    try {
      const a = await analysePhoto(path, detector, set.recognizer);
      return {
        ok: true,
        width: a.width,
        height: a.height,
        orientation: a.orientation,
        takenAt: a.takenAt,
        modelVersion: set.version,
        faces: a.faces.map((f) => ({
          rect: f.rect,
          strength: f.strength,
          chip: f.chipPng,
          thumb: f.thumbJpeg,
          chipPadding: STORED_PADDING,
          features: f.features?.values ?? null,
          featureKey: f.features?.key ?? null,
          // The recogniser's 'unknown' is the absence of a person, not a person of that name.
          predictedPerson: f.recognition && f.recognition.name !== UNKNOWN ? f.recognition.name : null,
          decisionValue: f.recognition?.value ?? null,
        })),
      };
    } catch (err) {
      if (err instanceof DecodeError) {
        // A file still being written looks truncated: worth another look; the rest is permanent.
        const transient = options.retryTruncated && err.reason === 'truncated';
        return { ok: false, code: err.reason, message: err.message, transient };
      }
      throw err;
    }
  };
}
