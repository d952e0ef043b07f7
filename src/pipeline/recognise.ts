/**
 * The seed's classification of one photo (`classify`, `eval identity`): detect with the rotation
 * sweep, name every face, and report each with its name and decision value. The pipeline itself
 * is photo-pipeline.ts; this names every face, unknown included.
 */
import type { SweptFace } from '../detect/sweep.js';
import type { DetectorOptions, ImageDetection } from '../engine/detector.js';
import type { Recognition, Recognizer } from '../recognize/recognizer.js';
import type { DecodedImage } from '../vision/decode.js';
import { type DedupeRule, type PhotoRun, runFile, runPhoto } from './photo-pipeline.js';

export type { DedupeRule } from './photo-pipeline.js';

export interface RecognisedFace extends SweptFace {
  readonly recognition: Recognition;
}

export interface PhotoRecognition extends Omit<ImageDetection, 'faces'> {
  readonly faces: readonly RecognisedFace[];
  /** Milliseconds spent naming faces (features + models), within wallMs. */
  readonly recogniseMs: number;
}

/** Name the faces of an already decoded photo. `image` is the detection-scale decode. */
export async function recogniseDecoded(
  image: DecodedImage,
  detector: DetectorOptions,
  recognizer: Recognizer,
  dedupe: DedupeRule = 'response',
  decodeMs = 0,
): Promise<PhotoRecognition> {
  return named(await runPhoto(image, { detector, recognizer, dedupe }, decodeMs));
}

/** Decode at detection scale, then `recogniseDecoded`. Throws DecodeError on bad files. */
export async function recogniseFile(
  file: string,
  detector: DetectorOptions,
  recognizer: Recognizer,
  dedupe: DedupeRule = 'response',
): Promise<PhotoRecognition> {
  return named(await runFile(file, { detector, recognizer, dedupe }));
}

/** The run with every face's name (a recognizer was given, so each face has one). */
function named(run: PhotoRun): PhotoRecognition {
  const { image: _image, faces, ...rest } = run;
  return {
    ...rest,
    faces: faces.map(({ recognition, embedding: _embedding, ...face }) => {
      if (!recognition) throw new Error(`${run.file}: a face was not named though a recognizer was given`);
      return { ...face, recognition };
    }),
  };
}
