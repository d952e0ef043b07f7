/**
 * Builds the ONNX graphs of face-api's nets from their TensorFlow-layout weights (tfjs-weights.ts):
 * convolutions with TensorFlow's padding rules, the activations the nets use, and plain ops.
 * Node names are made up as they are added; the caller names only the graph's inputs and outputs.
 * Pure.
 */
import { type Attribute, type OnnxInitializer, type OnnxNode, type OnnxValue, onnxModel } from './onnx-proto.js';
import type { Weight } from './tfjs-weights.js';

export interface ConvSpec {
  /** TensorFlow layout: [h, w, in, out]; depthwise [h, w, in, 1]. */
  readonly filter: Weight;
  readonly bias: Float32Array;
  readonly stride: number;
  /** TensorFlow's 'same' (ONNX SAME_UPPER: the extra pixel after, on stride 2) or 'valid'. */
  readonly pad: 'same' | 'valid';
  readonly depthwise?: boolean;
}

/** The filter's four sizes, or an error: a wrong shape would otherwise make a wrong filter quietly. */
function filterShape(w: Weight, depthwise: boolean): [number, number, number, number] {
  const [h = 0, wd = 0, cin = 0, last = 0] = w.shape;
  if (w.shape.length !== 4 || h * wd * cin * last !== w.values.length || (depthwise && last !== 1))
    throw new Error(`a ${depthwise ? 'depthwise ' : ''}filter of shape [${w.shape.join(', ')}] cannot be converted`);
  return [h, wd, cin, last];
}

/** TensorFlow's [h, w, in, out] filter as ONNX's [out, in, h, w]. */
export function convFilter(w: Weight): { dims: number[]; values: Float32Array } {
  const [h, wd, cin, cout] = filterShape(w, false);
  const values = new Float32Array(w.values.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < wd; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++)
          values[((o * cin + i) * h + y) * wd + x] = w.values[((y * wd + x) * cin + i) * cout + o]!;
  return { dims: [cout, cin, h, wd], values };
}

/** A depthwise [h, w, in, 1] filter as a grouped ONNX convolution's [in, 1, h, w]. */
export function depthwiseFilter(w: Weight): { dims: number[]; values: Float32Array } {
  const [h, wd, cin] = filterShape(w, true);
  const values = new Float32Array(w.values.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < wd; x++)
      for (let i = 0; i < cin; i++) values[(i * h + y) * wd + x] = w.values[(y * wd + x) * cin + i]!;
  return { dims: [cin, 1, h, wd], values };
}

export class GraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: OnnxInitializer[] = [];
  private readonly inputs: OnnxValue[] = [];
  private readonly outputs: OnnxValue[] = [];
  private count = 0;

  constructor(private readonly name: string) {}

  private fresh(prefix: string): string {
    return `${prefix}${this.count++}`;
  }

  input(name: string, dims: OnnxValue['dims']): string {
    this.inputs.push({ name, dims });
    return name;
  }

  /** Names `x` as a graph output (an Identity node, so any value can be one). */
  output(x: string, name: string, dims: OnnxValue['dims']): void {
    this.nodes.push({ op: 'Identity', inputs: [x], outputs: [name] });
    this.outputs.push({ name, dims });
  }

  floats(values: Float32Array, dims: readonly number[] = [values.length]): string {
    const name = this.fresh('const');
    this.initializers.push({ name, dims, values });
    return name;
  }

  int64s(values: readonly number[]): string {
    const name = this.fresh('const');
    this.initializers.push({ name, dims: [values.length], values: BigInt64Array.from(values.map(BigInt)) });
    return name;
  }

  op(op: string, inputs: readonly string[], attributes: readonly Attribute[] = []): string {
    const out = this.fresh(op.toLowerCase());
    this.nodes.push({ op, inputs, outputs: [out], attributes });
    return out;
  }

  conv(x: string, c: ConvSpec): string {
    const f = c.depthwise ? depthwiseFilter(c.filter) : convFilter(c.filter);
    const attributes: Attribute[] = [
      { name: 'strides', ints: [c.stride, c.stride] },
      { name: 'auto_pad', string: c.pad === 'same' ? 'SAME_UPPER' : 'VALID' },
      { name: 'kernel_shape', ints: f.dims.slice(2) },
      ...(c.depthwise ? [{ name: 'group', int: f.dims[0] ?? 1 }] : []),
    ];
    return this.op('Conv', [x, this.floats(f.values, f.dims), this.floats(c.bias)], attributes);
  }

  relu6(x: string): string {
    return this.op('Clip', [x, this.floats(new Float32Array([0]), []), this.floats(new Float32Array([6]), [])]);
  }

  transpose(x: string, perm: readonly number[]): string {
    return this.op('Transpose', [x], [{ name: 'perm', ints: perm }]);
  }

  reshape(x: string, shape: readonly number[]): string {
    return this.op('Reshape', [x, this.int64s(shape)]);
  }

  build(): Uint8Array {
    return onnxModel({
      name: this.name,
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: this.inputs,
      outputs: this.outputs,
    });
  }
}
