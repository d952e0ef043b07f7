/**
 * The SSD as an ONNX graph, built from face-api's weights (ssd-weights.ts): the same layers
 * ssd-tfjs.ts runs with tf ops, for onnxruntime's native CPU kernels. It takes the same NHWC
 * input (ssd-input.ts) and returns the same box encodings and face scores. Pure.
 */
import { GraphBuilder } from './onnx-graph.js';
import { SSD_STRIDE_TWO, type SsdConv, type SsdWeights } from './ssd-weights.js';

export const SSD_INPUT = 'input';
export const SSD_ENCODINGS = 'encodings';
export const SSD_SCORES = 'scores';

/** The ONNX model bytes of the SSD for an `side`×`side` input. */
export function ssdOnnx(w: SsdWeights, side: number): Uint8Array {
  const g = new GraphBuilder('ssd_mobilenetv1');
  const relu6 = (x: string, c: SsdConv, stride: number, depthwise = false) =>
    g.relu6(g.conv(x, { ...c, stride, pad: 'same', depthwise }));
  const input = g.input(SSD_INPUT, [1, side, side, 3]);
  // Feature maps the predictors read: layer 11, layer 13, then every second extra layer.
  const features: string[] = [];
  let out = relu6(g.transpose(input, [0, 3, 1, 2]), w.conv0, 2);
  w.pairs.forEach((pair, i) => {
    out = relu6(relu6(out, pair.depthwise, SSD_STRIDE_TWO.has(i + 1) ? 2 : 1, true), pair.pointwise, 1);
    if (i + 1 === 11) features.push(out);
  });
  features.push(out);
  w.extra.forEach((c, i) => {
    out = relu6(out, c, i % 2 === 1 ? 2 : 1);
    if (i % 2 === 1) features.push(out);
  });
  /** A predictor's NCHW output as tfjs reshapes its NHWC one: [1, anchors, size]. */
  const predict = (c: SsdConv, f: string, size: number) =>
    g.reshape(g.transpose(g.conv(f, { ...c, stride: 1, pad: 'same' }), [0, 2, 3, 1]), [1, -1, size]);
  const boxes: string[] = [];
  const classes: string[] = [];
  features.forEach((f, i) => {
    const p = w.predictors[i];
    if (!p) throw new Error(`the SSD has no predictor for feature map ${i}`);
    boxes.push(predict(p.box, f, 4));
    classes.push(predict(p.cls, f, 3));
  });
  const axis = [{ name: 'axis', int: 1 }];
  g.output(g.op('Concat', boxes, axis), SSD_ENCODINGS, [1, 'anchors', 4]);
  // Class 1 is "face"; its sigmoid is the score, as face-api computes it.
  const logits = g.op('Slice', [g.op('Concat', classes, axis), g.int64s([1]), g.int64s([2]), g.int64s([2])]);
  g.output(g.reshape(g.op('Sigmoid', [logits]), [1, -1]), SSD_SCORES, [1, 'anchors']);
  return g.build();
}
