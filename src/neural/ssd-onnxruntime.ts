/**
 * The SSD on onnxruntime's native CPU kernels: a 512² pass takes ~37 ms on one core of this
 * machine against ~215 ms on tfjs-wasm (README, design). The graph is built at start-up from
 * face-api's weights (ssd-onnx.ts), so nothing is downloaded or shipped. Only what facetag calls
 * of onnxruntime-node is typed here.
 */
import { createRequire } from 'node:module';
import type { SsdOutputs } from './ssd-decode.js';
import { SSD_INPUT_SIDE, type SsdModel } from './ssd-net.js';
import { SSD_ENCODINGS, SSD_INPUT, SSD_SCORES, ssdOnnx } from './ssd-onnx.js';
import { readSsdWeights } from './ssd-weights.js';

interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}

interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

interface Ort {
  readonly InferenceSession: {
    create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession>;
  };
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

function isOrt(m: unknown): m is Ort {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Partial<Ort>;
  return typeof o.InferenceSession?.create === 'function' && typeof o.Tensor === 'function';
}

const require = createRequire(import.meta.url);

/** onnxruntime-node, or why it cannot load here (no binary for the platform, a broken install). */
export function loadOnnxruntime(load: (id: string) => unknown = require): Ort {
  const m = load('onnxruntime-node');
  if (!isOrt(m)) throw new Error('onnxruntime-node loaded, but without InferenceSession and Tensor');
  return m;
}

function floats(t: OrtTensor | undefined, name: string): Float32Array {
  if (!t || !(t.data instanceof Float32Array)) throw new Error(`onnxruntime returned no float32 ${name}`);
  return t.data;
}

/** The SSD from face-api's model folder on onnxruntime, one thread (the pool runs a worker per core). */
export async function onnxruntimeSsd(ort: Ort, modelDir: string): Promise<SsdModel> {
  const weights = await readSsdWeights(modelDir);
  const session = await ort.InferenceSession.create(ssdOnnx(weights, SSD_INPUT_SIDE), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const dims = [1, SSD_INPUT_SIDE, SSD_INPUT_SIDE, 3];
  return {
    anchors: weights.anchors,
    backend: 'onnxruntime',
    async forward(input): Promise<SsdOutputs> {
      const out = await session.run({ [SSD_INPUT]: new ort.Tensor('float32', input, dims) });
      return { encodings: floats(out[SSD_ENCODINGS], SSD_ENCODINGS), scores: floats(out[SSD_SCORES], SSD_SCORES) };
    },
  };
}
