/**
 * face-api's weight files read without tfjs: a tfjs weights manifest (JSON) and its .bin of
 * mostly uint8-quantized values, dequantized as tfjs does. The nets' graphs are built from these
 * (ssd-onnx.ts, descriptor-onnx.ts). Pure but for `readWeights`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

export interface Weight {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

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

/** A lookup that names the file and the weight when one is missing. */
export type WeightLookup = (name: string) => Weight;

export function weightLookup(weights: ReadonlyMap<string, Weight>, where: string): WeightLookup {
  return (name) => {
    const w = weights.get(name);
    if (!w) throw new Error(`${where} has no weight ${name}; is @vladmandic/face-api 1.7.x installed?`);
    return w;
  };
}

/** The weights of face-api's `model` (e.g. ssd_mobilenetv1_model) from its model folder. */
export async function readWeights(modelDir: string, model: string): Promise<WeightLookup> {
  const manifestFile = join(modelDir, `${model}-weights_manifest.json`);
  let manifest: WeightsManifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(await readFile(manifestFile, 'utf8')));
  } catch (err) {
    throw new Error(`${manifestFile}: not a tfjs weights manifest (${err instanceof Error ? err.message : err})`);
  }
  const bins = await Promise.all(manifest.flatMap((g) => g.paths).map((p) => readFile(join(modelDir, p))));
  const bin = bins.length === 1 && bins[0] ? bins[0] : Buffer.concat(bins);
  return weightLookup(decodeWeights(manifest, bin, manifestFile), manifestFile);
}
