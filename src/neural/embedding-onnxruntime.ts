/**
 * The embedding step on onnxruntime: face-api's landmark and recognition nets as ONNX graphs built
 * from their weight files (landmark-onnx.ts, descriptor-onnx.ts), each run once per task on all
 * of its faces, with face-api's cropping and alignment in plain arithmetic (face-align.ts).
 */
import { centredSquares } from './centred-square.js';
import {
  DESCRIPTOR_INPUT,
  DESCRIPTOR_MODEL,
  DESCRIPTOR_OUTPUT,
  DESCRIPTOR_SIDE,
  descriptorOnnx,
} from './descriptor-onnx.js';
import { type Embedder, innerBox, stageClock } from './embedder.js';
import { cropFace, dlibBox, landmarkPositions } from './face-align.js';
import { LANDMARK_INPUT, LANDMARK_MODEL, LANDMARK_OUTPUT, LANDMARK_SIDE, landmarkOnnx } from './landmark-onnx.js';
import { type OnnxNet, type Ort, onnxNet, outputOf } from './onnxruntime.js';
import { type RgbImage, toRgb } from './rotate-rgb.js';
import { readWeights } from './tfjs-weights.js';

/**
 * Faces per run. onnxruntime's arena keeps the largest batch's memory for the session's life: one
 * embedder measured 245 MB after runs of 1 or 8 faces, 326 MB after 32, 725 MB after 128, and a
 * face took no less time in the big batch (10 ms against 6 ms at 8).
 */
const BATCH = 8;

/** One output row per face of a net run on `faces` at `side`, BATCH faces a run. */
async function rows(net: OnnxNet, faces: readonly RgbImage[], side: number, output: string, size: number) {
  const found: Float32Array[] = [];
  for (let i = 0; i < faces.length; i += BATCH) {
    const batch = faces.slice(i, i + BATCH);
    const out = outputOf(await net(centredSquares(batch, side), [batch.length, side, side, 3]), output);
    for (let k = 0; k < batch.length; k++) found.push(out.slice(k * size, (k + 1) * size));
  }
  return found;
}

export async function onnxruntimeEmbedder(ort: Ort, modelDir: string, threads: number): Promise<Embedder> {
  const landmarks = await onnxNet(
    ort,
    landmarkOnnx(await readWeights(modelDir, LANDMARK_MODEL)),
    LANDMARK_INPUT,
    threads,
  );
  const descriptors = await onnxNet(
    ort,
    descriptorOnnx(await readWeights(modelDir, DESCRIPTOR_MODEL)),
    DESCRIPTOR_INPUT,
    threads,
  );
  return {
    backend: 'onnxruntime',
    async embed(chips, padding, stages) {
      const mark = stageClock(stages);
      const faces = chips.map((chip) => {
        const image = toRgb(chip);
        const inner = innerBox(chip.width, chip.height, padding);
        const crop = inner.width < 8 || inner.height < 8 ? null : cropFace(image, inner);
        return { image, inner, crop };
      });
      const cropped = faces.flatMap((f) => (f.crop ? [f.crop] : []));
      mark('crop');
      const points = await rows(landmarks, cropped, LANDMARK_SIDE, LANDMARK_OUTPUT, 136);
      mark('landmarks');
      let next = 0;
      const aligned = faces.map((f) => {
        if (!f.crop) return null;
        const out = points[next++];
        if (!out) return null;
        const box = dlibBox(landmarkPositions(out, f.crop, f.inner, LANDMARK_SIDE), f.crop);
        return box.width < 8 || box.height < 8 ? null : cropFace(f.image, box);
      });
      mark('align');
      const found = await rows(
        descriptors,
        aligned.filter((a): a is RgbImage => a !== null),
        DESCRIPTOR_SIDE,
        DESCRIPTOR_OUTPUT,
        128,
      );
      mark('descriptor');
      next = 0;
      return aligned.map((a) => (a ? (found[next++] ?? null) : null));
    },
  };
}
