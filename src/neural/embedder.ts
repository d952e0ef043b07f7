/**
 * What the embedding step is, whichever backend runs it (embedding-onnxruntime.ts, or
 * embedding-tfjs.ts where onnxruntime cannot load): upright face chips in, one 128-d descriptor
 * each out (68 landmarks → dlib-style aligned crop → recognition net, as face-api's own
 * withFaceLandmarks().withFaceDescriptors() computes it), null where no landmarks were placed.
 */

import type { RasterImage } from '../vision/chip.js';
import type { NeuralBackend } from './neural-messages.js';

/** Milliseconds per stage, summed over the chips of a task (bench:neural reads them). */
export interface EmbedStages {
  crop: number;
  landmarks: number;
  align: number;
  descriptor: number;
}

export interface Embedder {
  readonly backend: NeuralBackend;
  embed(chips: readonly RasterImage[], padding: number, stages: EmbedStages): Promise<(Float32Array | null)[]>;
}

/** The face box inside a chip cut with `padding` (a fraction of the box per side). */
export function innerBox(width: number, height: number, padding: number) {
  const w = width / (1 + 2 * padding);
  const h = height / (1 + 2 * padding);
  return { x: padding * w, y: padding * h, width: w, height: h };
}

/** A clock for one task's stages: each mark adds the time since the last to a stage. */
export function stageClock(stages: EmbedStages): (stage: keyof EmbedStages) => void {
  let s = performance.now();
  return (stage) => {
    const now = performance.now();
    stages[stage] += now - s;
    s = now;
  };
}
