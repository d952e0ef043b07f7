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

/** The chip's face aligned as face-api's withFaceLandmarks() does; null when no landmarks could be placed. */
export async function alignedFace(
  api: FaceApi,
  chip: RasterImage,
  padding: number,
  stages: EmbedStages = { crop: 0, landmarks: 0, align: 0, descriptor: 0 },
): Promise<RgbImage | null> {
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
    const [alignedTensor] = await api.extractFaceTensors(input, [aligned]);
    if (!alignedTensor) return null;
    owned.push(alignedTensor);
    const [height = 0, width = 0] = alignedTensor.shape;
    const pixels = Uint8Array.from(alignedTensor.dataSync());
    mark('align');
    return { width, height, pixels };
  } finally {
    for (const t of owned) t.dispose();
  }
}

/** face-api's own recognition net on aligned faces. */
export async function tfjsDescriptors(api: FaceApi, faces: readonly RgbImage[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const face of faces) {
    const t = tensorOf(api, face);
    try {
      out.push(await api.nets.faceRecognitionNet.computeFaceDescriptor(t));
    } finally {
      t.dispose();
    }
  }
  return out;
}

/** The embedder on face-api's nets (call after loadNets(api, ['landmarks', 'descriptor'])). */
export function tfjsEmbedder(api: FaceApi): Embedder {
  return {
    backend: 'tfjs-wasm',
    async embed(chips, padding, stages) {
      const out: (Float32Array | null)[] = [];
      for (const chip of chips) {
        const face = await alignedFace(api, chip, padding, stages);
        const s = performance.now();
        out.push(face ? ((await tfjsDescriptors(api, [face]))[0] ?? null) : null);
        stages.descriptor += performance.now() - s;
      }
      return out;
    },
  };
}
