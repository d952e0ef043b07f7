/**
 * The embedding step on face-api's own nets on tfjs-wasm: the fallback where onnxruntime cannot
 * load, and the reference the onnxruntime nets are tested against. Every tensor is disposed
 * before returning.
 */
import type { RasterImage } from '../vision/chip.js';
import { type Embedder, type EmbedStages, innerBox, stageClock } from './embedder.js';
import type { FaceApi, Tensor } from './face-api.js';
import { type RgbImage, toRgb } from './rotate-rgb.js';

function tensorOf(api: FaceApi, image: RgbImage): Tensor {
  return api.tf.tensor3d(image.pixels, [image.height, image.width, 3], 'int32');
}

/**
 * One chip's descriptor, as face-api's withFaceLandmarks().withFaceDescriptors() computes it;
 * null when no landmarks could be placed.
 */
async function chipDescriptor(
  api: FaceApi,
  chip: RasterImage,
  padding: number,
  stages: EmbedStages,
): Promise<Float32Array | null> {
  const mark = stageClock(stages);
  const input = tensorOf(api, toRgb(chip));
  const owned: Tensor[] = [input];
  try {
    const inner = innerBox(chip.width, chip.height, padding);
    if (inner.width < 8 || inner.height < 8) return null;
    const box = new api.Rect(inner.x, inner.y, inner.width, inner.height);
    const [face] = await api.extractFaceTensors(input, [box]);
    mark('crop');
    if (!face) return null;
    owned.push(face);
    const landmarks = (await api.nets.faceLandmark68Net.detectLandmarks(face)).shiftBy(box.x, box.y);
    mark('landmarks');
    const aligned = landmarks.align(null, { useDlibAlignment: true });
    if (aligned.width < 8 || aligned.height < 8) return null;
    const [alignedFace] = await api.extractFaceTensors(input, [aligned]);
    mark('align');
    if (!alignedFace) return null;
    owned.push(alignedFace);
    const descriptor = await api.nets.faceRecognitionNet.computeFaceDescriptor(alignedFace);
    mark('descriptor');
    return descriptor;
  } finally {
    for (const t of owned) t.dispose();
  }
}

/** The embedder on face-api's nets (call after loadNets(api, ['landmarks', 'descriptor'])). */
export function tfjsEmbedder(api: FaceApi): Embedder {
  return {
    backend: 'tfjs-wasm',
    async embed(chips, padding, stages) {
      const out: (Float32Array | null)[] = [];
      for (const chip of chips) out.push(await chipDescriptor(api, chip, padding, stages));
      return out;
    },
  };
}
