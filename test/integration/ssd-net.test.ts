/**
 * facetag's SSD, on both backends (onnxruntime on the graph built from face-api's weight files,
 * and tfjs-wasm layer by layer on face-api's loaded weights), against face-api's own locateFaces:
 * the same faces, scores and boxes (to float32 rounding), upright and on turned canvases.
 * Skipped, with the reason, when the neural packages are not installed.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { type FaceApi, faceApiModelDir, loadFaceApi, loadNets } from '../../src/neural/face-api.js';
import { loadOnnxruntime } from '../../src/neural/onnxruntime.js';
import { rotateRgb } from '../../src/neural/rotate-rgb.js';
import { shrinkRaster } from '../../src/neural/shrink.js';
import { SSD_INPUT_SIDE, type SsdNet, ssdNet } from '../../src/neural/ssd-net.js';
import { onnxruntimeSsd } from '../../src/neural/ssd-onnxruntime.js';
import { tfjsSsd } from '../../src/neural/ssd-tfjs.js';
import { SSD_MODEL, ssdWeights } from '../../src/neural/ssd-weights.js';
import { readWeights } from '../../src/neural/tfjs-weights.js';
import { decodeImage } from '../../src/vision/decode.js';
import { neuralMissing, onnxruntimeMissing } from '../helpers/neural-skip.js';
import { sharedDir } from '../helpers/paths.js';

const PHOTOS = ['pic00072.jpg', 'pic03263.jpg', '2008_002079.jpg'];

const backends: Record<SsdNet['backend'], (api: FaceApi) => Promise<SsdNet>> = {
  onnxruntime: async () => ssdNet(await onnxruntimeSsd(loadOnnxruntime(), faceApiModelDir(), 1)),
  'tfjs-wasm': async (api) => ssdNet(tfjsSsd(api, ssdWeights(await readWeights(faceApiModelDir(), SSD_MODEL)))),
};

for (const [backend, make] of Object.entries(backends))
  test(`the SSD on ${backend} finds what face-api finds, with the same scores and boxes`, {
    skip: neuralMissing || (backend === 'onnxruntime' && onnxruntimeMissing),
  }, async () => {
    const api = await loadFaceApi();
    await loadNets(api, ['detector']);
    const net = await make(api);
    assert.equal(net.backend, backend);
    await sameAsFaceApi(api, net);
  });

async function sameAsFaceApi(api: FaceApi, net: SsdNet): Promise<void> {
  let compared = 0;
  for (const name of PHOTOS) {
    const decoded = await decodeImage(join(sharedDir, 'data/detection/images', name), { maxPixels: 1e8 });
    const { image } = shrinkRaster(decoded, SSD_INPUT_SIDE);
    for (const angle of [0, 45, 90, 315]) {
      const { image: canvas } = rotateRgb(image, angle);
      const input = api.tf.tensor3d(canvas.pixels, [canvas.height, canvas.width, 3], 'int32');
      const theirs = await api.nets.ssdMobilenetv1.locateFaces(
        input,
        new api.SsdMobilenetv1Options({ minConfidence: 0.3, maxResults: 200 }),
      );
      input.dispose();
      const ours = await net.locate(canvas, 0.3);
      const where = `${name} at ${angle}°`;
      assert.equal(ours.length, theirs.length, `${where}: ${ours.length} faces, face-api ${theirs.length}`);
      for (const [i, t] of theirs.entries()) {
        const o = ours[i];
        assert.ok(o, where);
        assert.ok(Math.abs(o.score - t.score) < 1e-4, `${where} face ${i}: score ${o.score} vs ${t.score}`);
        for (const k of ['x', 'y', 'width', 'height'] as const)
          assert.ok(Math.abs(o[k] - t.box[k]) < 0.01, `${where} face ${i}: ${k} ${o[k]} vs ${t.box[k]}`);
      }
      compared += theirs.length;
    }
  }
  assert.ok(compared >= 20, `only ${compared} faces compared`);
}

test('four small canvases in one pass find the faces each finds alone, in its own pixels', {
  skip: neuralMissing || onnxruntimeMissing,
}, async () => {
  const net = ssdNet(await onnxruntimeSsd(loadOnnxruntime(), faceApiModelDir(), 1));
  let compared = 0;
  for (const name of ['2019/01/IMG_0001.jpg', '2019/01/IMG_0004.jpg', '2019/02/IMG_0012.jpg']) {
    const image = await decodeImage(join(sharedDir, 'data/library/photos', name), { maxPixels: 1e8 });
    const canvases = [0, 90, 180, 270].map((a) => rotateRgb(image, a).image);
    const together = await net.locateMosaic(canvases, 0.5);
    for (const [i, canvas] of canvases.entries()) {
      // The centred face (a 150 px crop around it) is found upright, and where one pass of its
      // canvas alone finds it; the other quarter turns may find it too, at the same place.
      const alone = await net.locate(canvas, 0.5);
      for (const box of together[i] ?? []) {
        const match = alone.find((b) => Math.hypot(b.x - box.x, b.y - box.y) < 0.15 * box.width);
        if (i === 0)
          assert.ok(match, `${name}: the upright face found in the mosaic at ${box.x},${box.y} is not found alone`);
        if (match) {
          assert.ok(
            Math.abs(match.width - box.width) < 0.2 * match.width,
            `${name} canvas ${i}: width ${box.width} vs ${match.width}`,
          );
          compared++;
        }
      }
    }
    const upright = (together[0] ?? []).find(
      (b) => Math.abs(b.x + b.width / 2 - 75) < 15 && Math.abs(b.y + b.height / 2 - 75) < 15,
    );
    assert.ok(upright && upright.score > 0.8, `${name}: centred face upright ${upright ? upright.score : 'not found'}`);
  }
  assert.ok(compared >= 3, `only ${compared} faces compared`);
});
