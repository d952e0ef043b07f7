/**
 * The SSD on onnxruntime's native CPU kernels: a 512² pass takes ~37 ms on one core of this
 * machine against ~215 ms on tfjs-wasm (README, design). The graph is built at start-up from
 * face-api's weights (ssd-onnx.ts), so nothing is downloaded or shipped.
 */
import { type Ort, onnxNet, outputOf } from './onnxruntime.js';
import { SSD_INPUT_SIDE, type SsdModel } from './ssd-net.js';
import { SSD_ENCODINGS, SSD_INPUT, SSD_SCORES, ssdOnnx } from './ssd-onnx.js';
import { SSD_MODEL, ssdWeights } from './ssd-weights.js';
import { readWeights } from './tfjs-weights.js';

export async function onnxruntimeSsd(ort: Ort, modelDir: string, threads: number): Promise<SsdModel> {
  const weights = ssdWeights(await readWeights(modelDir, SSD_MODEL));
  const run = await onnxNet(ort, ssdOnnx(weights, SSD_INPUT_SIDE), SSD_INPUT, threads);
  const dims = [1, SSD_INPUT_SIDE, SSD_INPUT_SIDE, 3];
  return {
    anchors: weights.anchors,
    backend: 'onnxruntime',
    async forward(input) {
      const out = await run(input, dims);
      return { encodings: outputOf(out, SSD_ENCODINGS), scores: outputOf(out, SSD_SCORES) };
    },
  };
}
