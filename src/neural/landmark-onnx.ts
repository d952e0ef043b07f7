/**
 * face-api's 68-point landmark net (four dense blocks of separable convolutions, then a fully
 * connected layer) as an ONNX graph built from its weight file (tfjs-weights.ts), layer for layer
 * as face-api's FaceLandmark68Net runs it with tf ops. Input: faces padded to a square and scaled
 * to 112 (centred-square.ts), 0..255, any number at once. Output: 136 values a face, x and y
 * interleaved, in the padded square's units (0..1); face-align.ts maps them back. Pure.
 */
import { GraphBuilder } from './onnx-graph.js';
import type { WeightLookup } from './tfjs-weights.js';

export const LANDMARK_MODEL = 'face_landmark_68_model';
export const LANDMARK_SIDE = 112;
export const LANDMARK_INPUT = 'faces';
export const LANDMARK_OUTPUT = 'landmarks';

/** face-api's mean RGB, subtracted before dividing by 255 (the recognition net's too). */
const MEAN_RGB = [122.782, 117.001, 104.298];

/**
 * A graph input of faces (`name`: n × side × side × 3, 0..255) as face-api's landmark and
 * recognition nets take it: the mean RGB taken off, divided by 255, in ONNX's NCHW layout.
 */
export function faceNetInput(g: GraphBuilder, name: string, side: number): string {
  const input = g.input(name, ['faces', side, side, 3]);
  const normalised = g.op('Div', [
    g.op('Sub', [input, g.floats(Float32Array.from(MEAN_RGB), [1, 1, 1, 3])]),
    g.floats(new Float32Array([255]), []),
  ]);
  return g.transpose(normalised, [0, 3, 1, 2]);
}

export function landmarkOnnx(get: WeightLookup): Uint8Array {
  const g = new GraphBuilder('face_landmark_68');
  const relu = (x: string) => g.op('Relu', [x]);
  const add = (a: string, b: string) => g.op('Add', [a, b]);
  /** tf.separableConv2d ('same') then the bias: a depthwise conv with no bias, then a pointwise one with it. */
  const separable = (x: string, prefix: string, stride: number) => {
    const depthwise = get(`${prefix}/depthwise_filter`);
    const channels = depthwise.shape[2] ?? 0;
    const d = g.conv(x, {
      filter: depthwise,
      bias: new Float32Array(channels),
      stride,
      pad: 'same',
      depthwise: true,
    });
    return g.conv(d, {
      filter: get(`${prefix}/pointwise_filter`),
      bias: get(`${prefix}/bias`).values,
      stride: 1,
      pad: 'same',
    });
  };
  /** face-api's denseBlock4: each conv sees the sum of all before it. */
  const denseBlock = (x: string, name: string, first: boolean) => {
    const out1 = relu(
      first
        ? g.conv(x, {
            filter: get(`${name}/conv0/filters`),
            bias: get(`${name}/conv0/bias`).values,
            stride: 2,
            pad: 'same',
          })
        : separable(x, `${name}/conv0`, 2),
    );
    const out2 = separable(out1, `${name}/conv1`, 1);
    const out3 = separable(relu(add(out1, out2)), `${name}/conv2`, 1);
    const out4 = separable(relu(add(out1, add(out2, out3))), `${name}/conv3`, 1);
    return relu(add(out1, add(out2, add(out3, out4))));
  };
  let out = denseBlock(faceNetInput(g, LANDMARK_INPUT, LANDMARK_SIDE), 'dense0', true);
  for (const name of ['dense1', 'dense2', 'dense3']) out = denseBlock(out, name, false);
  out = g.op(
    'AveragePool',
    [out],
    [
      { name: 'kernel_shape', ints: [7, 7] },
      { name: 'strides', ints: [2, 2] },
    ],
  );
  const fc = get('fc/weights');
  const features = g.reshape(out, [-1, fc.shape[0] ?? 0]);
  const landmarks = add(g.op('MatMul', [features, g.floats(fc.values, fc.shape)]), g.floats(get('fc/bias').values));
  g.output(landmarks, LANDMARK_OUTPUT, ['faces', 136]);
  return g.build();
}
