/**
 * face-api's SSD MobileNet v1 layers from its weight file (tfjs-weights.ts), with the batch norms
 * folded into the depthwise filters in float32 at every step, as tf ops would. Both backends run
 * on these (ssd-onnx.ts, ssd-tfjs.ts), through the one walk of its layers here (ssdFeatureMaps).
 * Filters keep TensorFlow's layout. Pure.
 */
import type { Weight, WeightLookup } from './tfjs-weights.js';

export interface SsdConv {
  readonly filter: Weight;
  readonly bias: Float32Array;
}

/** The SSD's layers, whatever holds a convolution's weights (arrays here, tensors on tfjs). */
export interface SsdLayers<C> {
  readonly conv0: C;
  /** Layers 1–13: a depthwise then a pointwise convolution each. */
  readonly pairs: readonly { readonly depthwise: C; readonly pointwise: C }[];
  /** The 8 extra feature layers. */
  readonly extra: readonly C[];
  /** Box and class predictors on the 6 feature maps. */
  readonly predictors: readonly { readonly box: C; readonly cls: C }[];
}

export interface SsdWeights extends SsdLayers<SsdConv> {
  /** 5118 anchors: centre y, centre x, height, width. */
  readonly anchors: Float32Array;
}

/** The weight file's name in face-api's model folder. */
export const SSD_MODEL = 'ssd_mobilenetv1_model';

/** tf.batchNorm's epsilon in face-api's depthwise layers. */
const BATCH_NORM_EPSILON = 0.0010000000474974513;

/** MobileNet layers (1–13) that halve the resolution. */
const SSD_STRIDE_TWO: ReadonlySet<number> = new Set([2, 4, 6, 12]);

/**
 * The feature maps the predictors read (layer 11, layer 13, then every second extra layer), by
 * one walk of the layers for both backends. `relu6` runs a convolution with its bias and ReLU6;
 * `release` is told of each activation once no later layer reads it (tfjs frees it there).
 */
export function ssdFeatureMaps<T, C>(
  w: SsdLayers<C>,
  input: T,
  relu6: (x: T, c: C, stride: number, depthwise: boolean) => T,
  release: (x: T) => void = () => {},
): T[] {
  const features: T[] = [];
  let out = relu6(input, w.conv0, 2, false);
  w.pairs.forEach((pair, i) => {
    const layer = i + 1;
    const d = relu6(out, pair.depthwise, SSD_STRIDE_TWO.has(layer) ? 2 : 1, true);
    if (!features.includes(out)) release(out);
    out = relu6(d, pair.pointwise, 1, false);
    release(d);
    if (layer === 11) features.push(out);
  });
  features.push(out);
  w.extra.forEach((c, i) => {
    const next = relu6(out, c, i % 2 === 1 ? 2 : 1, false);
    if (!features.includes(out)) release(out);
    out = next;
    if (i % 2 === 1) features.push(out);
  });
  return features;
}

export function ssdWeights(get: WeightLookup): SsdWeights {
  const conv = (prefix: string, bias: string): SsdConv => ({
    filter: get(`${prefix}/weights`),
    bias: get(`${prefix}/${bias}`).values,
  });
  const depthwise = (prefix: string): SsdConv => {
    const filter = get(`${prefix}/depthwise_weights`);
    const gamma = get(`${prefix}/BatchNorm/gamma`).values;
    const beta = get(`${prefix}/BatchNorm/beta`).values;
    const mean = get(`${prefix}/BatchNorm/moving_mean`).values;
    const variance = get(`${prefix}/BatchNorm/moving_variance`).values;
    const f = Math.fround;
    const scale = gamma.map((g, c) => f(g / f(Math.sqrt(f((variance[c] ?? 0) + BATCH_NORM_EPSILON)))));
    const channels = scale.length;
    const values = filter.values.map((v, i) => v * (scale[i % channels] ?? 0));
    const bias = beta.map((b, c) => b - f((mean[c] ?? 0) * (scale[c] ?? 0)));
    return { filter: { shape: filter.shape, values }, bias };
  };
  return {
    conv0: conv('MobilenetV1/Conv2d_0_pointwise', 'convolution_bn_offset'),
    pairs: Array.from({ length: 13 }, (_, i) => ({
      depthwise: depthwise(`MobilenetV1/Conv2d_${i + 1}_depthwise`),
      pointwise: conv(`MobilenetV1/Conv2d_${i + 1}_pointwise`, 'convolution_bn_offset'),
    })),
    extra: Array.from({ length: 8 }, (_, i) => conv(`Prediction/Conv2d_${i}_pointwise`, 'convolution_bn_offset')),
    predictors: Array.from({ length: 6 }, (_, i) => ({
      box: conv(`Prediction/BoxPredictor_${i}/BoxEncodingPredictor`, 'biases'),
      cls: conv(`Prediction/BoxPredictor_${i}/ClassPredictor`, 'biases'),
    })),
    anchors: get('Output/extra_dim').values,
  };
}
