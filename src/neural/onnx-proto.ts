/**
 * Just enough of ONNX's protobuf encoding to write a graph of convolutions: face-api's three nets
 * are built from its weights at start-up (ssd-onnx.ts, landmark-onnx.ts, descriptor-onnx.ts), so
 * no model file is shipped or downloaded. Field numbers are onnx.proto's (ModelProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto, ValueInfoProto). Pure.
 */

/** Protobuf wire types. */
const VARINT = 0;
const LENGTH_DELIMITED = 2;

/**
 * A message under construction: fields appended in order, bytes joined once at the end. A nested
 * message's parts are taken over, not joined, so a model's weights are copied once, by `finish`
 * (joining at each level held three copies of the SSD's 22 MB at once).
 */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  private varint(value: number): void {
    const bytes: number[] = [];
    let v = BigInt(value);
    // Negative int64s are written as their 10-byte two's complement, as protobuf does.
    if (v < 0n) v += 1n << 64n;
    while (v > 127n) {
      bytes.push(Number(v & 127n) | 128);
      v >>= 7n;
    }
    bytes.push(Number(v));
    this.push(Uint8Array.from(bytes));
  }

  private key(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  int(field: number, value: number): this {
    this.key(field, VARINT);
    this.varint(value);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, LENGTH_DELIMITED);
    this.varint(value.length);
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, value: ProtoWriter): this {
    this.key(field, LENGTH_DELIMITED);
    this.varint(value.length);
    for (const p of value.parts) this.push(p);
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** TensorProto.DataType values used here. */
const FLOAT = 1;
const INT64 = 7;

/** AttributeProto.AttributeType values used here. */
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_INTS = 7;

export type Attribute = { readonly name: string } & (
  | { readonly int: number }
  | { readonly ints: readonly number[] }
  | { readonly string: string }
);

function attribute(a: Attribute): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name);
  if ('int' in a) return w.int(20, ATTR_INT).int(3, a.int);
  if ('string' in a) return w.int(20, ATTR_STRING).bytes(4, new TextEncoder().encode(a.string));
  w.int(20, ATTR_INTS);
  for (const i of a.ints) w.int(8, i);
  return w;
}

export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: readonly Attribute[];
}

export interface OnnxInitializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly values: Float32Array | BigInt64Array;
}

/** A graph input or output: float32, with fixed sizes or named (free) ones. */
export interface OnnxValue {
  readonly name: string;
  readonly dims: readonly (number | string)[];
}

function valueInfo(v: OnnxValue): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims)
    shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().int(1, FLOAT).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

function initializer(t: OnnxInitializer): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.values instanceof Float32Array ? FLOAT : INT64).string(8, t.name);
  // raw_data is little-endian, as typed arrays are on every platform Node runs on here.
  return w.bytes(9, new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength));
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxInitializer[];
  readonly inputs: readonly OnnxValue[];
  readonly outputs: readonly OnnxValue[];
}

/** IR version 8 and the default opset 13: every operator used here is defined there. */
export function onnxModel(graph: OnnxGraph): Uint8Array {
  const g = new ProtoWriter();
  for (const n of graph.nodes) {
    const node = new ProtoWriter();
    for (const i of n.inputs) node.string(1, i);
    for (const o of n.outputs) node.string(2, o);
    node.string(4, n.op);
    for (const a of n.attributes ?? []) node.message(5, attribute(a));
    g.message(1, node);
  }
  g.string(2, graph.name);
  for (const t of graph.initializers) g.message(5, initializer(t));
  for (const v of graph.inputs) g.message(11, valueInfo(v));
  for (const v of graph.outputs) g.message(12, valueInfo(v));
  const opset = new ProtoWriter().string(1, '').int(2, 13);
  return new ProtoWriter().int(1, 8).string(2, 'facetag').message(7, g).message(8, opset).finish();
}
