/**
 * The SSD on tfjs-wasm, the fallback where onnxruntime cannot load (ssd-onnxruntime.ts): face-api's
 * SSD MobileNet v1, run layer by layer on the same weights as onnxruntime. face-api wraps the whole
 * pass in one tf.tidy, so every activation of all 27 layers stays allocated until the end; the
 * wasm heap then grows to ~220 MB per worker and never shrinks. Here each activation is freed as
 * soon as the next layer has read it, batch norms come folded into the depthwise filters, and
 * every convolution runs fused with its bias and ReLU6, so a worker needs ~130 MB and a pass is
 * ~20 % faster. Outputs agree with face-api's `locateFaces` (test/integration/ssd-net.test.ts).
 */
import type { FaceApi, Tensor, TfOps } from './face-api.js';
import type { SsdOutputs } from './ssd-decode.js';
import { SSD_INPUT_SIDE, type SsdModel } from './ssd-net.js';
import { type SsdConv, type SsdLayers, type SsdWeights, ssdFeatureMaps } from './ssd-weights.js';

interface Conv {
  readonly filter: Tensor;
  readonly bias: Tensor;
}

type Weights = SsdLayers<Conv>;

/** The layers' weights (ssd-weights.ts: read and folded once, for both backends) as tensors. */
function tensors(tf: TfOps, w: SsdWeights): Weights {
  const conv = (c: SsdConv): Conv => {
    const [h = 0, wd = 0, cin = 0, cout = 0] = c.filter.shape;
    return { filter: tf.tensor4d(c.filter.values, [h, wd, cin, cout]), bias: tf.tensor1d(c.bias) };
  };
  return {
    conv0: conv(w.conv0),
    pairs: w.pairs.map((p) => ({ depthwise: conv(p.depthwise), pointwise: conv(p.pointwise) })),
    extra: w.extra.map(conv),
    predictors: w.predictors.map((p) => ({ box: conv(p.box), cls: conv(p.cls) })),
  };
}

function forward(tf: TfOps, w: Weights, input: Tensor): SsdOutputs {
  // Every tensor this pass holds; whatever is left at the end, an error midway included, is
  // freed there (the wasm heap never shrinks, so a leak would stay for the worker's life).
  const live = new Set<Tensor>();
  const hold = (t: Tensor) => {
    live.add(t);
    return t;
  };
  const free = (t: Tensor) => {
    if (live.delete(t)) t.dispose();
  };
  const relu6 = (x: Tensor, c: Conv, stride: number, depthwise: boolean) => {
    const args = {
      x,
      filter: c.filter,
      bias: c.bias,
      strides: [stride, stride] as [number, number],
      pad: 'same' as const,
    };
    return hold(
      depthwise
        ? tf.fused.depthwiseConv2d({ ...args, activation: 'relu6' })
        : tf.fused.conv2d({ ...args, activation: 'relu6' }),
    );
  };
  try {
    const features = ssdFeatureMaps(w, input, relu6, free);
    const [encodings, scores] = tf
      .tidy(() => {
        const linear = (x: Tensor, c: Conv) =>
          tf.fused.conv2d({ x, filter: c.filter, bias: c.bias, strides: [1, 1], pad: 'same' });
        const predictor = (i: number) => w.predictors[i] as Weights['predictors'][number];
        const boxes = features.map((f, i) => tf.reshape(linear(f, predictor(i).box), [1, -1, 4]));
        const classes = features.map((f, i) => tf.reshape(linear(f, predictor(i).cls), [1, -1, 3]));
        return [tf.concat(boxes, 1), tf.sigmoid(tf.slice(tf.concat(classes, 1), [0, 0, 1], [-1, -1, 1]))] as const;
      })
      .map(hold);
    // Read outside the tidy: tidy walks what it returns looking for tensors.
    return {
      encodings: Float32Array.from((encodings as Tensor).dataSync()),
      scores: Float32Array.from((scores as Tensor).dataSync()),
    };
  } finally {
    for (const t of live) t.dispose();
  }
}

/** The SSD on tfjs-wasm, on the weights read from face-api's model folder (ssd-weights.ts). */
export function tfjsSsd(api: FaceApi, w: SsdWeights): SsdModel {
  const { tf } = api;
  const weights = tensors(tf, w);
  return {
    anchors: w.anchors,
    backend: 'tfjs-wasm',
    forward: async (input) => {
      const tensor = tf.tensor4d(input, [1, SSD_INPUT_SIDE, SSD_INPUT_SIDE, 3]);
      try {
        return forward(tf, weights, tensor);
      } finally {
        tensor.dispose();
      }
    },
  };
}
