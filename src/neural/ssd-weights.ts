/**
 * face-api's SSD MobileNet v1 weights, read straight from its npm package (a tfjs weights
 * manifest and one .bin of uint8-quantized values), so the detector needs no tfjs to load them.
 * Batch norms are folded into the depthwise filters, as ssd-tfjs.ts does with tf ops. Filters
 * keep TensorFlow's layout: [h, w, in, out], depthwise [h, w, in, 1]. Pure but for `readSsdWeights`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

export interface Weight {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

export interface SsdConv {
  readonly filter: Weight;
  readonly bias: Float32Array;
}

export interface SsdWeights {
  readonly conv0: SsdConv;
  /** Layers 1–13: a depthwise then a pointwise convolution each. */
  readonly pairs: readonly { readonly depthwise: SsdConv; readonly pointwise: SsdConv }[];
  /** The 8 extra feature layers. */
  readonly extra: readonly SsdConv[];
  /** Box and class predictors on the 6 feature maps. */
  readonly predictors: readonly { readonly box: SsdConv; readonly cls: SsdConv }[];
  /** 5118 anchors: centre y, centre x, height, width. */
  readonly anchors: Float32Array;
}

/** tf.batchNorm's epsilon in face-api's depthwise layers. */
export const BATCH_NORM_EPSILON = 0.0010000000474974513;

const manifestSchema = z.array(
  z.object({
    paths: z.array(z.string()).min(1),
    weights: z.array(
      z.object({
        name: z.string(),
        shape: z.array(z.number().int().nonnegative()),
        dtype: z.enum(['float32', 'int32']),
        quantization: z.object({ dtype: z.enum(['uint8', 'uint16']), scale: z.number(), min: z.number() }).optional(),
      }),
    ),
  }),
);

export type WeightsManifest = z.infer<typeof manifestSchema>;

/** Every weight of a manifest by name, dequantized as tfjs does (value × scale + min). */
export function decodeWeights(manifest: WeightsManifest, bin: Uint8Array, where: string): Map<string, Weight> {
  const out = new Map<string, Weight>();
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  let at = 0;
  for (const group of manifest)
    for (const w of group.weights) {
      const count = w.shape.reduce((n, d) => n * d, 1);
      const q = w.quantization;
      const size = q ? (q.dtype === 'uint8' ? 1 : 2) : 4;
      if (at + count * size > bin.length)
        throw new Error(`${where}: ${w.name} runs past the end of the weights (${bin.length} bytes)`);
      const values = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        const o = at + i * size;
        values[i] = q
          ? (q.dtype === 'uint8' ? view.getUint8(o) : view.getUint16(o, true)) * q.scale + q.min
          : w.dtype === 'float32'
            ? view.getFloat32(o, true)
            : view.getInt32(o, true);
      }
      out.set(w.name, { shape: w.shape, values });
      at += count * size;
    }
  return out;
}

/** The SSD's layers from the decoded weights; an error names the first one missing. */
export function ssdWeights(weights: ReadonlyMap<string, Weight>, where: string): SsdWeights {
  const get = (name: string): Weight => {
    const w = weights.get(name);
    if (!w) throw new Error(`${where} has no weight ${name}; is @vladmandic/face-api 1.7.x installed?`);
    return w;
  };
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
    // Float32 at every step, as tf ops compute it, so both backends see the same filters.
    const scale = gamma.map((g, c) =>
      Math.fround(g / Math.fround(Math.sqrt(Math.fround(variance[c]! + BATCH_NORM_EPSILON)))),
    );
    const channels = scale.length;
    const values = filter.values.map((v, i) => v * scale[i % channels]!);
    const bias = beta.map((b, c) => b - Math.fround(mean[c]! * scale[c]!));
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

/** The SSD's weights from face-api's model folder. */
export async function readSsdWeights(modelDir: string): Promise<SsdWeights> {
  const manifestFile = join(modelDir, 'ssd_mobilenetv1_model-weights_manifest.json');
  let manifest: WeightsManifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(await readFile(manifestFile, 'utf8')));
  } catch (err) {
    throw new Error(`${manifestFile}: not a tfjs weights manifest (${err instanceof Error ? err.message : err})`);
  }
  const bins = await Promise.all(manifest.flatMap((g) => g.paths).map((p) => readFile(join(modelDir, p))));
  const bin = new Uint8Array(Buffer.concat(bins));
  return ssdWeights(decodeWeights(manifest, bin, manifestFile), manifestFile);
}
