/**
 * The seed's classification pipeline for one photo: detect with the rotation sweep, name every
 * detection, de-duplicate preferring the largest classifier response, and report each face with
 * its name and decision value.
 */

import type { SweptFace } from '../detect/sweep.js';
import { type DetectorOptions, decodeForDetection, detectDecoded, type ImageDetection } from '../engine/detector.js';
import { embedFaces, type NeuralEngine } from '../neural/neural-engine.js';
import { greyChip } from '../recognize/face-chip.js';
import { preferRecognised, type Recognition, type Recognizer, UNKNOWN } from '../recognize/recognizer.js';
import type { DecodedImage } from '../vision/decode.js';
import { strongestDetection } from '../vision/dedup.js';
import type { AngleHit } from '../vision/detect-angle.js';

export interface RecognisedFace extends SweptFace {
  readonly recognition: Recognition;
}

export interface PhotoRecognition extends Omit<ImageDetection, 'faces'> {
  readonly faces: readonly RecognisedFace[];
  /** Milliseconds spent naming faces (features + models), within wallMs. */
  readonly recogniseMs: number;
}

/** Name the faces of an already decoded photo. `image` is the detection-scale decode. */
export type DedupeRule = 'response' | 'detector';

export async function recogniseDecoded(
  image: DecodedImage,
  detector: DetectorOptions,
  recognizer: Recognizer,
  dedupe: DedupeRule = 'response',
  decodeMs = 0,
): Promise<PhotoRecognition> {
  if (detector.neural) return recogniseNeural(image, detector, detector.neural, recognizer, decodeMs);
  let recogniseMs = 0;
  // Each detection is named once: during de-duplication (the seed's rule) or for the kept faces.
  // Chips come from the detection-scale image: at ≤1600 px a face is still far larger than a chip.
  const memo = new WeakMap<AngleHit, Recognition>();
  const recognitionOf = (hit: AngleHit): Recognition => {
    let r = memo.get(hit);
    if (!r) {
      const t = performance.now();
      r = recognizer.recognize((padding) => greyChip(image, hit.rect, padding));
      recogniseMs += performance.now() - t;
      memo.set(hit, r);
    }
    return r;
  };
  const prefer =
    recognizer.size > 0 && dedupe === 'response' ? preferRecognised(recognitionOf, strongestDetection) : undefined;
  const detection = await detectDecoded(image, { ...detector, ...(prefer ? { prefer } : {}) }, decodeMs);
  const faces = detection.faces.map((f) => ({ ...f, recognition: recognitionOf(f.hit) }));
  return { ...detection, faces, recogniseMs };
}

/** Decode at detection scale, then `recogniseDecoded`. Throws DecodeError on bad files. */
export async function recogniseFile(
  file: string,
  detector: DetectorOptions,
  recognizer: Recognizer,
  dedupe: DedupeRule = 'response',
): Promise<PhotoRecognition> {
  const t = performance.now();
  const image = await decodeForDetection(file, detector);
  return recogniseDecoded(image, detector, recognizer, dedupe, performance.now() - t);
}

/**
 * The neural engine: detect, then embed and name only the kept faces. Embeddings cost a
 * landmark and a descriptor pass per face, so the seed's "name every angle's detection, keep
 * the best-liked" rule is not offered here; the SSD's strongest detection is kept.
 */
async function recogniseNeural(
  image: DecodedImage,
  detector: DetectorOptions,
  engine: NeuralEngine,
  recognizer: Recognizer,
  decodeMs: number,
): Promise<PhotoRecognition> {
  const detection = await detectDecoded(image, detector, decodeMs);
  const t = performance.now();
  const embeddings =
    recognizer.size > 0
      ? await embedFaces(
          engine,
          image,
          detection.faces.map((f) => f.hit),
        )
      : [];
  const faces = detection.faces.map((f, i) => {
    const embedding = embeddings[i];
    // A face the landmark net could not place has no embedding: unknown, not an error.
    const recognition: Recognition =
      recognizer.size > 0 && !embedding
        ? { name: UNKNOWN, value: null, decisions: {} }
        : recognizer.recognize((padding) => greyChip(image, f.hit.rect, padding), embedding ?? undefined);
    return { ...f, recognition };
  });
  const recogniseMs = performance.now() - t;
  return { ...detection, faces, recogniseMs, wallMs: detection.wallMs + recogniseMs };
}
