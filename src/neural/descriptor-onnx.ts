/**
 * face-api's face recognition net (a ResNet-34-like net from dlib: 150² RGB in, a 128-d
 * descriptor out) as an ONNX graph built from its weight file (tfjs-weights.ts), layer for layer
 * as face-api's FaceRecognitionNet runs it with tf ops. Each conv's scale layer (x × w + b) is
 * folded into the conv. Input: faces padded to a square and scaled to 150 (centred-square.ts),
 * 0..255, any number at once. Pure.
 */
import { faceNetInput } from './landmark-onnx.js';
import { GraphBuilder } from './onnx-graph.js';
import type { Weight, WeightLookup } from './tfjs-weights.js';

export const DESCRIPTOR_MODEL = 'face_recognition_model';
export const DESCRIPTOR_SIDE = 150;
export const DESCRIPTOR_INPUT = 'faces';
export const DESCRIPTOR_OUTPUT = 'descriptors';

/** `prefix`'s conv with its scale layer folded in: conv(x, W·s) + (b·s + t). */
function scaledConv(get: WeightLookup, prefix: string): { filter: Weight; bias: Float32Array } {
  const filter = get(`${prefix}/conv/filters`);
  const bias = get(`${prefix}/conv/bias`).values;
  const s = get(`${prefix}/scale/weights`).values;
  const t = get(`${prefix}/scale/biases`).values;
  const out = s.length;
  return {
    filter: { shape: filter.shape, values: filter.values.map((v, i) => v * (s[i % out] ?? 0)) },
    bias: bias.map((b, o) => b * (s[o] ?? 0) + (t[o] ?? 0)),
  };
}

/** Output side of a 'valid' window of `k` at stride `s`. */
const valid = (side: number, k: number, s: number) => Math.floor((side - k) / s) + 1;

export function descriptorOnnx(get: WeightLookup): Uint8Array {
  const g = new GraphBuilder('face_recognition');
  const relu = (x: string) => g.op('Relu', [x]);
  const conv = (x: string, prefix: string, stride: number, pad: 'same' | 'valid') =>
    g.conv(x, { ...scaledConv(get, prefix), stride, pad });
  let side = valid(DESCRIPTOR_SIDE, 7, 2);
  let out = relu(conv(faceNetInput(g, DESCRIPTOR_INPUT, DESCRIPTOR_SIDE), 'conv32_down', 2, 'valid'));
  out = g.op(
    'MaxPool',
    [out],
    [
      { name: 'kernel_shape', ints: [3, 3] },
      { name: 'strides', ints: [2, 2] },
    ],
  );
  side = valid(side, 3, 2);
  let channels = 32;
  const residual = (x: string, name: string) =>
    relu(g.op('Add', [conv(relu(conv(x, `${name}/conv1`, 1, 'same')), `${name}/conv2`, 1, 'same'), x]));
  /**
   * Halves the side: the skip path is a 2×2 average pool padded with zero channels; where the
   * conv's 'valid' side comes out one short of the pool's, face-api pads it with a zero row and column.
   */
  const residualDown = (x: string, name: string, outChannels: number) => {
    let main = conv(relu(conv(x, `${name}/conv1`, 2, 'valid')), `${name}/conv2`, 1, 'same');
    const convSide = valid(side, 3, 2);
    const poolSide = Math.floor(side / 2);
    if (convSide !== poolSide) main = g.op('Pad', [main, g.int64s([0, 0, 0, 0, 0, 0, 1, 1])]);
    let skip = g.op(
      'AveragePool',
      [x],
      [
        { name: 'kernel_shape', ints: [2, 2] },
        { name: 'strides', ints: [2, 2] },
      ],
    );
    if (outChannels !== channels) skip = g.op('Pad', [skip, g.int64s([0, 0, 0, 0, 0, outChannels - channels, 0, 0])]);
    side = poolSide;
    channels = outChannels;
    return relu(g.op('Add', [skip, main]));
  };
  for (const name of ['conv32_1', 'conv32_2', 'conv32_3']) out = residual(out, name);
  out = residualDown(out, 'conv64_down', 64);
  for (const name of ['conv64_1', 'conv64_2', 'conv64_3']) out = residual(out, name);
  out = residualDown(out, 'conv128_down', 128);
  for (const name of ['conv128_1', 'conv128_2']) out = residual(out, name);
  out = residualDown(out, 'conv256_down', 256);
  for (const name of ['conv256_1', 'conv256_2']) out = residual(out, name);
  out = residualDown(out, 'conv256_down_out', 256);
  const pooled = g.reshape(g.op('GlobalAveragePool', [out]), [-1, channels]);
  const fc = get('fc');
  g.output(g.op('MatMul', [pooled, g.floats(fc.values, fc.shape)]), DESCRIPTOR_OUTPUT, ['faces', 128]);
  return g.build();
}
