/**
 * The recognition net on onnxruntime (descriptor-onnx.ts, built from face-api's weight file)
 * against face-api's own computeFaceDescriptor on tfjs, on aligned faces of the identity set:
 * the same 128-d descriptors, to float32 rounding, one face at a time or several in one run.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { onnxruntimeDescriptor } from '../../src/neural/descriptor-onnxruntime.js';
import { checkNeuralPackages, faceApiModelDir, loadFaceApi, loadNets } from '../../src/neural/face-api.js';
import { alignedFace, tfjsDescribe } from '../../src/neural/face-ops.js';
import { loadOnnxruntime } from '../../src/neural/onnxruntime.js';
import type { RgbImage } from '../../src/neural/rotate-rgb.js';
import { decodeImage } from '../../src/vision/decode.js';
import { sharedDir } from '../helpers/paths.js';

let missing: string | false = false;
try {
  checkNeuralPackages();
} catch (err) {
  missing = (err as Error).message;
}

test('the recognition net on onnxruntime gives face-api its own descriptors', { skip: missing }, async () => {
  const api = await loadFaceApi();
  await loadNets(api, ['landmarks', 'descriptor']);
  const identity = join(sharedDir, 'data/identity');
  const faces: RgbImage[] = [];
  for (const person of readdirSync(identity).slice(0, 4)) {
    for (const file of readdirSync(join(identity, person)).slice(0, 2)) {
      const chip = await decodeImage(join(identity, person, file), { maxPixels: 1e8 });
      const face = await alignedFace(api, chip, 0.5);
      if (face) faces.push(face);
    }
  }
  assert.ok(faces.length >= 6, `only ${faces.length} faces aligned`);
  // Faces narrower and wider than square, by an odd number of pixels, check the centred padding.
  const first = faces[0] as RgbImage;
  faces.push(crop(first, first.width - 7, first.height), crop(first, first.width, first.height - 9));
  const theirs = await tfjsDescribe(api)(faces);
  const describe = await onnxruntimeDescriptor(loadOnnxruntime(), faceApiModelDir());
  const together = await describe(faces);
  for (const [i, face] of faces.entries()) {
    const [alone] = await describe([face]);
    const t = theirs[i];
    const o = together[i];
    assert.ok(t && o && alone, `face ${i}`);
    assert.equal(o.length, 128);
    let worst = 0;
    for (let k = 0; k < 128; k++)
      worst = Math.max(worst, Math.abs((o[k] ?? 0) - (t[k] ?? 0)), Math.abs((alone[k] ?? 0) - (t[k] ?? 0)));
    assert.ok(worst < 1e-4, `face ${i} (${face.width}x${face.height}): descriptors differ by up to ${worst}`);
  }
});

/** The top-left `width`×`height` of `image`. */
function crop(image: RgbImage, width: number, height: number): RgbImage {
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    pixels.set(image.pixels.subarray(y * image.width * 3, (y * image.width + width) * 3), y * width * 3);
  return { width, height, pixels };
}
