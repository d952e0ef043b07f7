/**
 * The face recognition net on onnxruntime (descriptor-onnx.ts), all of a task's faces in one run.
 */

import { descriptorInput } from './descriptor-input.js';
import {
  DESCRIPTOR_INPUT,
  DESCRIPTOR_MODEL,
  DESCRIPTOR_OUTPUT,
  DESCRIPTOR_SIDE,
  descriptorOnnx,
} from './descriptor-onnx.js';
import { type Ort, onnxNet, outputOf } from './onnxruntime.js';
import type { RgbImage } from './rotate-rgb.js';
import { readWeights } from './tfjs-weights.js';

/** 128-d descriptors of aligned faces, in order. */
export type Describe = (faces: readonly RgbImage[]) => Promise<Float32Array[]>;

export async function onnxruntimeDescriptor(ort: Ort, modelDir: string): Promise<Describe> {
  const run = await onnxNet(ort, descriptorOnnx(await readWeights(modelDir, DESCRIPTOR_MODEL)), DESCRIPTOR_INPUT);
  const size = DESCRIPTOR_SIDE * DESCRIPTOR_SIDE * 3;
  return async (faces) => {
    if (faces.length === 0) return [];
    const input = new Float32Array(faces.length * size);
    faces.forEach((f, i) => descriptorInput(f, DESCRIPTOR_SIDE, input, i));
    const out = outputOf(await run(input, [faces.length, DESCRIPTOR_SIDE, DESCRIPTOR_SIDE, 3]), DESCRIPTOR_OUTPUT);
    return faces.map((_, i) => out.slice(i * 128, (i + 1) * 128));
  };
}
