/**
 * The SSD as an ONNX graph, built from face-api's weights (ssd-weights.ts): the same layers
 * ssd-tfjs.ts runs with tf ops, for onnxruntime's native CPU kernels. It takes the same NHWC
 * input (ssd-input.ts) and returns the same box encodings and face scores. Pure.
 */
import { GraphBuilder } from './onnx-graph.js';
import { type SsdConv, type SsdWeights, ssdFeatureMaps } from './ssd-weights.js';

export const SSD_INPUT = 'input';
export const SSD_ENCODINGS = 'encodings';
export const SSD_SCORES = 'scores';

/** The ONNX model bytes of the SSD for an `side`×`side` input. */
export function ssdOnnx(w: SsdWeights, side: number): Uint8Array {
  const g = new GraphBuilder('ssd_mobilenetv1');
  const input = g.input(SSD_INPUT, [1, side, side, 3]);
  const features = ssdFeatureMaps(w, g.transpose(input, [0, 3, 1, 2]), (x, c: SsdConv, stride, depthwise) =>
    g.relu6(g.conv(x, { ...c, stride, pad: 'same', depthwise })),
  );
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
