/**
 * face-api's weight files read without tfjs (ssd-weights.ts), the ONNX bytes written for them
 * (onnx-proto.ts), and onnxruntime-node refused plainly when it does not look like itself.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtoWriter } from '../../src/neural/onnx-proto.js';
import { loadOnnxruntime } from '../../src/neural/onnxruntime.js';
import { ssdWeights } from '../../src/neural/ssd-weights.js';
import { decodeWeights, type WeightsManifest, weightLookup } from '../../src/neural/tfjs-weights.js';

const manifest: WeightsManifest = [
  {
    paths: ['x.bin'],
    weights: [
      { name: 'q', shape: [2, 2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
      { name: 'f', shape: [2], dtype: 'float32' },
    ],
  },
];

function bin(): Uint8Array {
  const b = new Uint8Array(4 + 8);
  b.set([0, 1, 2, 255]);
  new DataView(b.buffer).setFloat32(4, 1.5, true);
  new DataView(b.buffer).setFloat32(8, -2.25, true);
  return b;
}

test('quantized weights come back as value x scale + min, float32 ones as they are, in manifest order', () => {
  const w = decodeWeights(manifest, bin(), 'm.json');
  assert.deepEqual(Array.from(w.get('q')?.values ?? []), [-1, -0.5, 0, 126.5]);
  assert.deepEqual(w.get('q')?.shape, [2, 2]);
  assert.deepEqual(Array.from(w.get('f')?.values ?? []), [1.5, -2.25]);
});

test('a weights file shorter than its manifest says is refused, naming the file and the weight', () => {
  assert.throws(() => decodeWeights(manifest, bin().subarray(0, 9), 'm.json'), /m\.json: f runs past the end/);
});

test('a missing layer is named, with the package to check', () => {
  assert.throws(
    () => ssdWeights(weightLookup(decodeWeights(manifest, bin(), 'm.json'), 'm.json')),
    /m\.json has no weight MobilenetV1\/Conv2d_0_pointwise\/weights; is @vladmandic\/face-api/,
  );
});

test('protobuf fields are written as key, then varint or length and bytes', () => {
  const inner = new ProtoWriter().int(1, 300);
  const bytes = new ProtoWriter().int(1, 8).string(2, 'ab').message(3, inner).int(4, -1).finish();
  assert.deepEqual(
    Array.from(bytes),
    [
      [0x08, 8],
      [0x12, 2, 0x61, 0x62],
      [0x1a, 3, 0x08, 0xac, 0x02],
      [0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
    ].flat(),
  );
});

test('an onnxruntime-node without InferenceSession is refused with a reason', () => {
  assert.throws(() => loadOnnxruntime(() => ({ Tensor: class {} })), /without InferenceSession/);
  assert.throws(
    () =>
      loadOnnxruntime(() => {
        throw new Error('libonnxruntime.so.1: cannot open shared object file');
      }),
    /libonnxruntime/,
  );
});
