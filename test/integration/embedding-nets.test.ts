/**
 * The embedding step on onnxruntime (face-api's landmark and recognition nets as ONNX graphs built
 * from their weight files, face-api's cropping and alignment in plain arithmetic) against face-api's
 * own nets on tfjs, on chips of the identity set: the same aligned faces, and the same 128-d
 * descriptors to float32 rounding, one chip at a time or several in one run.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { onnxruntimeEmbedder } from '../../src/neural/embedding-onnxruntime.js';
import { tfjsEmbedder } from '../../src/neural/embedding-tfjs.js';
import { faceApiModelDir, loadFaceApi, loadNets } from '../../src/neural/face-api.js';
import { loadOnnxruntime } from '../../src/neural/onnxruntime.js';
import type { RasterImage } from '../../src/vision/chip.js';
import { decodeImage } from '../../src/vision/decode.js';
import { neuralMissing, onnxruntimeMissing } from '../helpers/neural-skip.js';
import { sharedDir } from '../helpers/paths.js';

const stages = () => ({ crop: 0, landmarks: 0, align: 0, descriptor: 0 });

/** The top-left `width`×`height` of `image`. */
function crop(image: RasterImage, width: number, height: number): RasterImage {
  const c = image.channels;
  const pixels = new Uint8Array(width * height * c);
  for (let y = 0; y < height; y++)
    pixels.set(image.pixels.subarray(y * image.width * c, (y * image.width + width) * c), y * width * c);
  return { width, height, channels: image.channels, pixels };
}

test('the embedding nets on onnxruntime give face-api its own descriptors', {
  skip: neuralMissing || onnxruntimeMissing,
}, async () => {
  const api = await loadFaceApi();
  await loadNets(api, ['landmarks', 'descriptor']);
  const identity = join(sharedDir, 'data/identity');
  const chips: RasterImage[] = [];
  for (const person of readdirSync(identity).filter((p) => !p.includes('.'))) {
    for (const file of readdirSync(join(identity, person)).slice(0, 2))
      chips.push(await decodeImage(join(identity, person, file), { maxPixels: 1e8 }));
  }
  // Chips narrower and wider than square, by an odd number of pixels, check the centred padding;
  // one too small to hold a face checks the null.
  const first = chips[0] as RasterImage;
  chips.push(
    crop(first, first.width - 37, first.height),
    crop(first, first.width, first.height - 41),
    crop(first, 20, 20),
  );
  const theirs = await tfjsEmbedder(api).embed(chips, 0.5, stages());
  const ours = await onnxruntimeEmbedder(loadOnnxruntime(), faceApiModelDir(), 1);
  const together = await ours.embed(chips, 0.5, stages());
  assert.equal(theirs.at(-1), null, 'a 20 px chip holds no face');
  let compared = 0;
  for (const [i, chip] of chips.entries()) {
    const [alone] = await ours.embed([chip], 0.5, stages());
    const t = theirs[i];
    const o = together[i];
    if (!t) {
      assert.equal(o, null, `chip ${i}: face-api found no face, onnxruntime did`);
      continue;
    }
    assert.ok(o && alone, `chip ${i} (${chip.width}x${chip.height}): face-api found a face, onnxruntime did not`);
    let worst = 0;
    for (let k = 0; k < 128; k++)
      worst = Math.max(worst, Math.abs((o[k] ?? 0) - (t[k] ?? 0)), Math.abs((alone[k] ?? 0) - (t[k] ?? 0)));
    assert.ok(worst < 1e-4, `chip ${i} (${chip.width}x${chip.height}): descriptors differ by up to ${worst}`);
    compared++;
  }
  assert.ok(compared >= 16, `only ${compared} faces compared`);
});
