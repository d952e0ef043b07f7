/**
 * The SSD on tfjs-wasm, the fallback where onnxruntime cannot load (ssd-onnxruntime.ts): face-api's
 * SSD MobileNet v1, run layer by layer on its loaded weights. face-api wraps the whole
 * pass in one tf.tidy, so every activation of all 27 layers stays allocated until the end; the
 * wasm heap then grows to ~220 MB per worker and never shrinks. Here each activation is freed as
 * soon as the next layer has read it, batch norms are folded into the depthwise filters once, and
 * every convolution runs fused with its bias and ReLU6, so a worker needs ~130 MB and a pass is
 * ~20 % faster. Outputs agree with face-api's `locateFaces` (test/integration/ssd-net.test.ts).
 */
import type { FaceApi, Tensor, TfOps } from './face-api.js';
import type { SsdOutputs } from './ssd-decode.js';
import { SSD_INPUT_SIDE, type SsdModel } from './ssd-net.js';
import { BATCH_NORM_EPSILON } from './ssd-weights.js';

/** MobileNet layers that halve the resolution. */
const STRIDE_TWO = new Set([2, 4, 6, 12]);

interface Conv {
  readonly filter: Tensor;
  readonly bias: Tensor;
}

interface Weights {
  readonly conv0: Conv;
  /** Layers 1–13: a depthwise then a pointwise convolution each. */
  readonly pairs: readonly { readonly depthwise: Conv; readonly pointwise: Conv }[];
  /** The 8 extra feature layers. */
  readonly extra: readonly Conv[];
  /** Box and class predictors on the 6 feature maps. */
  readonly predictors: readonly { readonly box: Conv; readonly cls: Conv }[];
  readonly anchors: Float32Array;
}

function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && Array.isArray((v as Tensor).shape);
}

/** The tensor at `path` in face-api's params, or an error naming what is missing. */
function tensorAt(params: unknown, path: string): Tensor {
  let node: unknown = params;
  for (const key of path.split('.'))
    node = typeof node === 'object' && node !== null ? Reflect.get(node, key) : undefined;
  if (!isTensor(node))
    throw new Error(`face-api's SSD weights have no tensor at ${path}; is @vladmandic/face-api 1.7.x installed?`);
  return node;
}

function prepare(tf: TfOps, params: unknown): Weights {
  const m = (path: string) => tensorAt(params, `mobilenetv1.${path}`);
  const p = (path: string) => tensorAt(params, `prediction_layer.${path}`);
  const pointwise = (at: (s: string) => Tensor, name: string): Conv => ({
    filter: at(`${name}.filters`),
    bias: at(`${name}.batch_norm_offset`),
  });
  // Folded tensors are new and kept (freed again if preparing fails); face-api's own stay with its net.
  const folded: Tensor[] = [];
  const depthwise = (name: string): Conv =>
    tf.tidy(() => {
      const scale = tf.div(
        m(`${name}.batch_norm_scale`),
        tf.sqrt(tf.add(m(`${name}.batch_norm_variance`), BATCH_NORM_EPSILON)),
      );
      const filter = tf.mul(m(`${name}.filters`), tf.reshape(scale, [1, 1, -1, 1]));
      const bias = tf.sub(m(`${name}.batch_norm_offset`), tf.mul(m(`${name}.batch_norm_mean`), scale));
      folded.push(tf.keep(filter), tf.keep(bias));
      return { filter, bias };
    });
  const plain = (name: string): Conv => ({ filter: p(`${name}.filters`), bias: p(`${name}.bias`) });
  try {
    return {
      anchors: Float32Array.from(tensorAt(params, 'output_layer.extra_dim').dataSync()),
      conv0: pointwise(m, 'conv_0'),
      pairs: Array.from({ length: 13 }, (_, i) => ({
        depthwise: depthwise(`conv_${i + 1}.depthwise_conv`),
        pointwise: pointwise(m, `conv_${i + 1}.pointwise_conv`),
      })),
      extra: Array.from({ length: 8 }, (_, i) => pointwise(p, `conv_${i}`)),
      predictors: Array.from({ length: 6 }, (_, i) => ({
        box: plain(`box_predictor_${i}.box_encoding_predictor`),
        cls: plain(`box_predictor_${i}.class_predictor`),
      })),
    };
  } catch (err) {
    for (const t of folded) t.dispose();
    throw err;
  }
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
  const relu6 = (x: Tensor, c: Conv, stride: number, depthwise = false) => {
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
    // Feature maps the predictors read: layer 11, layer 13, then every second extra layer.
    const features: Tensor[] = [];
    let out = relu6(input, w.conv0, 2);
    w.pairs.forEach((pair, i) => {
      const layer = i + 1;
      const d = relu6(out, pair.depthwise, STRIDE_TWO.has(layer) ? 2 : 1, true);
      if (!features.includes(out)) free(out);
      out = relu6(d, pair.pointwise, 1);
      free(d);
      if (layer === 11) features.push(out);
    });
    features.push(out);
    w.extra.forEach((c, i) => {
      const next = relu6(out, c, i % 2 === 1 ? 2 : 1);
      if (!features.includes(out)) free(out);
      out = next;
      if (i % 2 === 1) features.push(out);
    });
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

/** The SSD on face-api's loaded weights (call after loadNets(api, ['detector'])). */
export function tfjsSsd(api: FaceApi): SsdModel {
  const { tf } = api;
  const weights = prepare(tf, api.nets.ssdMobilenetv1.params);
  return {
    anchors: weights.anchors,
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
