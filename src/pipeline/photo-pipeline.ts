/**
 * One photo through the pipeline (issue 16 §1): decode → detect (rotation sweep and
 * de-duplication, either engine) → chip → features → name. The daemon (daemon/analyser.ts), `classify` and
 * the identity eval (recognise.ts), and `chip` (chipper.ts) all come through here; each sets only
 * its options: whether and how faces are named, the de-duplication rule, and where a HOG model
 * reads a face from. What each keeps of the result (stored chips, thumbnails, chip files) is its own.
 */

import type { SweptFace } from '../detect/sweep.js';
import { type DetectorOptions, decodeForDetection, detectDecoded, type ImageDetection } from '../engine/detector.js';
import { embedFaces } from '../neural/neural-engine.js';
import { greyChip } from '../recognize/face-chip.js';
import type { GreyChip } from '../recognize/features.js';
import { preferRecognised, type Recognition, type Recognizer, UNKNOWN } from '../recognize/recognizer.js';
import type { DecodedImage } from '../vision/decode.js';
import { strongestDetection } from '../vision/dedup.js';
import type { AngleHit } from '../vision/detect-angle.js';

/**
 * Cascade only: `response` names every angle's detection and keeps the one its model likes best
 * (the seed's rule); `detector` keeps the strongest detection. The neural engine always keeps the
 * SSD's (with its upright rule): a name per angle would cost an embedding per angle.
 */
export type DedupeRule = 'response' | 'detector';

/** A face's grey chip at a margin, as a HOG model reads it. */
export type ChipReader = (hit: AngleHit) => (padding: number) => GreyChip;

export interface PipelineOptions {
  readonly detector: DetectorOptions;
  /** Name every face with these models (an empty set names every face unknown). Absent: find only. */
  readonly recognizer?: Recognizer | undefined;
  /** Default `detector`. */
  readonly dedupe?: DedupeRule;
  /**
   * Neural: describe every face even with nothing to name it by. The daemon stores every
   * embedding, because training and clustering read them later.
   */
  readonly describeAll?: boolean;
  /**
   * Where a HOG model reads a face. Default: cut from the detection-scale photo. The daemon reads
   * the chip as stored, so a later re-classification from the store gives the same answer.
   */
  readonly chipReader?: (image: DecodedImage) => ChipReader;
  /**
   * Cascade faces (no embedding) under embedding models: `unknown` for the daemon, whose library
   * holds both kinds of face for a while after an engine switch; `error` (the default) for
   * classify and the evals, where the error says which engine the models need. A face the neural
   * engine could not place is unknown either way.
   */
  readonly mismatch?: 'unknown' | 'error';
}

export interface PipelineFace extends SweptFace {
  /** Null when no recognizer was given. */
  readonly recognition: Recognition | null;
  /** The neural engine's embedding; null for the cascade, or when no landmarks were placed. */
  readonly embedding: Float64Array | null;
}

export interface PhotoRun extends Omit<ImageDetection, 'faces'> {
  /** The detection-scale decode the faces were cut from. */
  readonly image: DecodedImage;
  readonly faces: readonly PipelineFace[];
  /** Milliseconds spent describing and naming faces (features, embeddings, models), within wallMs. */
  readonly recogniseMs: number;
}

/** Unknown, without a decision: a face the landmark net could not place, under embedding models. */
const UNPLACED: Recognition = { name: UNKNOWN, value: null, decisions: {} };

const detectionScaleChips =
  (image: DecodedImage): ChipReader =>
  (hit) =>
  (padding) =>
    greyChip(image, hit.rect, padding);

/** Decode at detection scale, then `runPhoto`. Throws DecodeError for a bad file. */
export async function runFile(file: string, options: PipelineOptions): Promise<PhotoRun> {
  const t = performance.now();
  const image = await decodeForDetection(file, options.detector);
  return runPhoto(image, options, performance.now() - t);
}

/** The pipeline on an already decoded photo (`image`: the detection-scale decode). */
export async function runPhoto(image: DecodedImage, options: PipelineOptions, decodeMs = 0): Promise<PhotoRun> {
  const { detector, recognizer } = options;
  const chipOf = (options.chipReader ?? detectionScaleChips)(image);
  let recogniseMs = 0;
  const timed = <T>(fn: () => T): T => {
    const t = performance.now();
    try {
      return fn();
    } finally {
      recogniseMs += performance.now() - t;
    }
  };
  // Cascade: each detection is named once, during de-duplication (the seed's rule) or after it.
  const named = new WeakMap<AngleHit, Recognition>();
  const nameOf = (r: Recognizer, hit: AngleHit): Recognition => {
    let found = named.get(hit);
    if (!found) {
      const unplaced = options.mismatch === 'unknown' && r.size > 0 && r.featureKinds.includes('embedding');
      found = unplaced ? UNPLACED : timed(() => r.recognize(chipOf(hit)));
      named.set(hit, found);
    }
    return found;
  };
  const prefer =
    !detector.neural && recognizer && recognizer.size > 0 && options.dedupe === 'response'
      ? preferRecognised((hit: AngleHit) => nameOf(recognizer, hit), strongestDetection)
      : undefined;
  const detection = await detectDecoded(image, { ...detector, ...(prefer ? { prefer } : {}) }, decodeMs);
  const after = performance.now();

  const engine = detector.neural;
  const describe = engine && (options.describeAll || (recognizer && recognizer.size > 0));
  const embeddings = describe
    ? await embedFaces(
        engine,
        image,
        detection.faces.map((f) => f.hit),
      )
    : [];
  if (describe) recogniseMs += performance.now() - after;

  const faces = detection.faces.map((f, i): PipelineFace => {
    const embedding = embeddings[i] ?? null;
    let recognition: Recognition | null = null;
    if (recognizer && !engine) recognition = nameOf(recognizer, f.hit);
    else if (recognizer) {
      // Embedding models cannot name a face without its embedding: unknown, not an error.
      recognition =
        !embedding && recognizer.size > 0 && recognizer.featureKinds.includes('embedding')
          ? UNPLACED
          : timed(() => recognizer.recognize(chipOf(f.hit), embedding ?? undefined));
    }
    return { ...f, recognition, embedding };
  });
  return { ...detection, image, faces, recogniseMs, wallMs: detection.wallMs + (performance.now() - after) };
}
