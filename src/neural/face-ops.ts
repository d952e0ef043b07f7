/**
 * An upright face chip's aligned face (68 landmarks → dlib-style aligned crop, as face-api's own
 * withFaceLandmarks() computes it), for the recognition net (descriptor-onnxruntime.ts, or
 * face-api's own on tfjs: tfjsDescribe). Every tensor is disposed before returning.
 */
import type { RasterImage } from '../vision/chip.js';
import type { Describe } from './descriptor-onnxruntime.js';
import type { FaceApi, Tensor } from './face-api.js';
import { type RgbImage, toRgb } from './rotate-rgb.js';

function tensorOf(api: FaceApi, image: RgbImage): Tensor {
  return api.tf.tensor3d(image.pixels, [image.height, image.width, 3], 'int32');
}

/** The face box inside a chip cut with `padding` (a fraction of the box per side). */
export function innerBox(width: number, height: number, padding: number) {
  const w = width / (1 + 2 * padding);
  const h = height / (1 + 2 * padding);
  return { x: padding * w, y: padding * h, width: w, height: h };
}

/** Milliseconds per stage, summed over the chips of a task (bench:neural reads them). */
export interface EmbedStages {
  crop: number;
  landmarks: number;
  align: number;
  descriptor: number;
}

/**
 * The chip's face aligned as dlib does (68 landmarks, then the aligned crop), as face-api's
 * withFaceLandmarks() computes it; null when no landmarks could be placed.
 */
export async function alignedFace(
  api: FaceApi,
  chip: RasterImage,
  padding: number,
  stages?: EmbedStages,
): Promise<RgbImage | null> {
  let s = performance.now();
  /** Adds the time since the last mark to `stage`. */
  const mark = (stage: keyof EmbedStages): void => {
    const now = performance.now();
    if (stages) stages[stage] += now - s;
    s = now;
  };
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

/** face-api's own recognition net on tfjs-wasm: the fallback where onnxruntime cannot load. */
export function tfjsDescribe(api: FaceApi): Describe {
  return async (faces) => {
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
  };
}
