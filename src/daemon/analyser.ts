/** The daemon's analyser: detect, keep a chip per face, and name it with the current models. */
import type { DetectorOptions } from '../engine/detector.js';
import { analysePhoto } from '../pipeline/analyse.js';
import { UNKNOWN } from '../recognize/recognizer.js';
import { STORED_PADDING } from '../recognize/stored-chip.js';
import { DecodeError } from '../vision/decode.js';
import type { Analyser } from './backfill.js';
import type { ModelSet } from './model-set.js';

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
