/**
 * The embedding of one upright face chip (68 landmarks → dlib-style aligned crop → 128-d
 * descriptor, as face-api's own withFaceLandmarks().withFaceDescriptors() computes it).
 * Every tensor is disposed before returning.
 */
import type { RasterImage } from '../vision/chip.js';
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

export async function chipEmbedding(
  api: FaceApi,
  chip: RasterImage,
  padding: number,
  stages?: EmbedStages,
): Promise<Float32Array | null> {
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
