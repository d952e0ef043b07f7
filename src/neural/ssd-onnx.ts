/**
 * The SSD as an ONNX graph, built from face-api's weights (ssd-weights.ts): the same layers
 * ssd-tfjs.ts runs with tf ops, for onnxruntime's native CPU kernels. It takes the same NHWC
 * input (ssd-input.ts) and returns the same box encodings and face scores. Pure.
 */
import { type OnnxGraph, type OnnxInitializer, type OnnxNode, onnxModel } from './onnx-proto.js';
import type { SsdConv, SsdWeights, Weight } from './ssd-weights.js';

export const SSD_INPUT = 'input';
export const SSD_ENCODINGS = 'encodings';
export const SSD_SCORES = 'scores';

/** MobileNet layers that halve the resolution. */
const STRIDE_TWO = new Set([2, 4, 6, 12]);

/** TensorFlow's [h, w, in, out] filter as ONNX's [out, in, h, w]. */
function convFilter(w: Weight): { dims: number[]; values: Float32Array } {
  const [h = 0, wd = 0, cin = 0, cout = 0] = w.shape;
  const values = new Float32Array(w.values.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < wd; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++)
          values[((o * cin + i) * h + y) * wd + x] = w.values[((y * wd + x) * cin + i) * cout + o]!;
  return { dims: [cout, cin, h, wd], values };
}

/** A depthwise [h, w, in, 1] filter as a grouped ONNX convolution's [in, 1, h, w]. */
function depthwiseFilter(w: Weight): { dims: number[]; values: Float32Array } {
  const [h = 0, wd = 0, cin = 0] = w.shape;
  const values = new Float32Array(w.values.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < wd; x++)
      for (let i = 0; i < cin; i++) values[(i * h + y) * wd + x] = w.values[(y * wd + x) * cin + i]!;
  return { dims: [cin, 1, h, wd], values };
}

const int64 = (name: string, values: readonly number[]): OnnxInitializer => ({
  name,
  dims: [values.length],
  values: BigInt64Array.from(values.map(BigInt)),
});

/** The ONNX model bytes of the SSD for an `side`×`side` input. */
export function ssdOnnx(w: SsdWeights, side: number): Uint8Array {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxInitializer[] = [
    { name: 'zero', dims: [], values: new Float32Array([0]) },
    { name: 'six', dims: [], values: new Float32Array([6]) },
    int64('boxShape', [1, -1, 4]),
    int64('classShape', [1, -1, 3]),
    int64('faceClass', [1]),
    int64('faceClassEnd', [2]),
    int64('lastAxis', [2]),
    int64('scoreShape', [1, -1]),
  ];
  let count = 0;
  /** TensorFlow's 'same' padding is ONNX's SAME_UPPER (the extra pixel after, on stride 2). */
  const conv = (x: string, c: SsdConv, stride: number, kind: 'relu6' | 'depthwise' | 'linear'): string => {
    const id = count++;
    const f = kind === 'depthwise' ? depthwiseFilter(c.filter) : convFilter(c.filter);
    initializers.push(
      { name: `w${id}`, dims: f.dims, values: f.values },
      { name: `b${id}`, dims: [c.bias.length], values: c.bias },
    );
    const attributes = [
      { name: 'strides', ints: [stride, stride] },
      { name: 'auto_pad', string: 'SAME_UPPER' },
      { name: 'kernel_shape', ints: f.dims.slice(2) },
      ...(kind === 'depthwise' ? [{ name: 'group', int: f.dims[0] ?? 1 }] : []),
    ];
    nodes.push({ op: 'Conv', inputs: [x, `w${id}`, `b${id}`], outputs: [`conv${id}`], attributes });
    if (kind === 'linear') return `conv${id}`;
    nodes.push({ op: 'Clip', inputs: [`conv${id}`, 'zero', 'six'], outputs: [`relu${id}`] });
    return `relu${id}`;
  };
  nodes.push({
    op: 'Transpose',
    inputs: [SSD_INPUT],
    outputs: ['nchw'],
    attributes: [{ name: 'perm', ints: [0, 3, 1, 2] }],
  });
  // Feature maps the predictors read: layer 11, layer 13, then every second extra layer.
  const features: string[] = [];
  let out = conv('nchw', w.conv0, 2, 'relu6');
  w.pairs.forEach((pair, i) => {
    const d = conv(out, pair.depthwise, STRIDE_TWO.has(i + 1) ? 2 : 1, 'depthwise');
    out = conv(d, pair.pointwise, 1, 'relu6');
    if (i + 1 === 11) features.push(out);
  });
  features.push(out);
  w.extra.forEach((c, i) => {
    out = conv(out, c, i % 2 === 1 ? 2 : 1, 'relu6');
    if (i % 2 === 1) features.push(out);
  });
  /** A predictor's NCHW output as tfjs reshapes its NHWC one: [1, anchors, size]. */
  const flat = (x: string, shape: string): string => {
    nodes.push(
      { op: 'Transpose', inputs: [x], outputs: [`${x}_nhwc`], attributes: [{ name: 'perm', ints: [0, 2, 3, 1] }] },
      { op: 'Reshape', inputs: [`${x}_nhwc`, shape], outputs: [`${x}_flat`] },
    );
    return `${x}_flat`;
  };
  const boxes = features.map((f, i) =>
    flat(conv(f, (w.predictors[i] as SsdWeights['predictors'][number]).box, 1, 'linear'), 'boxShape'),
  );
  const classes = features.map((f, i) =>
    flat(conv(f, (w.predictors[i] as SsdWeights['predictors'][number]).cls, 1, 'linear'), 'classShape'),
  );
  nodes.push(
    { op: 'Concat', inputs: boxes, outputs: [SSD_ENCODINGS], attributes: [{ name: 'axis', int: 1 }] },
    { op: 'Concat', inputs: classes, outputs: ['classes'], attributes: [{ name: 'axis', int: 1 }] },
    // Class 1 is "face"; its sigmoid is the score, as face-api computes it.
    { op: 'Slice', inputs: ['classes', 'faceClass', 'faceClassEnd', 'lastAxis'], outputs: ['faceLogits'] },
    { op: 'Sigmoid', inputs: ['faceLogits'], outputs: ['faceScores'] },
    { op: 'Reshape', inputs: ['faceScores', 'scoreShape'], outputs: [SSD_SCORES] },
  );
  const graph: OnnxGraph = {
    name: 'ssd_mobilenetv1',
    nodes,
    initializers,
    inputs: [{ name: SSD_INPUT, dims: [1, side, side, 3] }],
    outputs: [
      { name: SSD_ENCODINGS, dims: [1, 'anchors', 4] },
      { name: SSD_SCORES, dims: [1, 'anchors'] },
    ],
  };
  return onnxModel(graph);
}
