/**
 * A small ONNX model writer: the graph-building calls the ORT engine needs, encoded with
 * protobufjs against the part of the ONNX schema (onnx.proto3) they use. Field numbers are
 * those of the ONNX specification; only what the kit writes is declared.
 *
 * Weights are graph inputs rather than initializers, so one session serves every iteration:
 * the networks change after each optimiser step, the graph does not.
 */
import * as protobuf from 'protobufjs';

const ONNX_SUBSET = `
syntax = "proto3";
package onnx;
message AttributeProto {
  string name = 1;
  float f = 2;
  int64 i = 3;
  TensorProto t = 5;
  repeated int64 ints = 8;
  int32 type = 20;
}
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  string name = 3;
  string op_type = 4;
  repeated AttributeProto attribute = 5;
}
message TensorProto {
  repeated int64 dims = 1;
  int32 data_type = 2;
  string name = 8;
  bytes raw_data = 9;
}
message TensorShapeProto {
  message Dimension { int64 dim_value = 1; string dim_param = 2; }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; }
  Tensor tensor_type = 1;
}
message GraphProto {
  repeated NodeProto node = 1;
  string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message ModelProto {
  int64 ir_version = 1;
  string producer_name = 2;
  string producer_version = 3;
  GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
}
`;

const ModelProto = protobuf.parse(ONNX_SUBSET, { keepCase: true }).root.lookupType('onnx.ModelProto');

/** ONNX TensorProto.DataType codes used here. */
const ELEM = { float32: 1, int64: 7 } as const;
/** ONNX AttributeProto.AttributeType codes used here. */
const ATTR = { FLOAT: 1, INT: 2, INTS: 7 } as const;
/** IR version 8 with opset 17: ReduceMax/ReduceMean still take `axes` as an attribute. */
const IR_VERSION = 8;
export const OPSET = 17;

/** A dimension: a fixed size, or a name for one given at run time. */
export type Dim = number | string;
export type Attr = number | number[] | { float: number };

interface NodeMessage {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  attribute: object[];
}

export class GraphBuilder {
  private readonly nodes: NodeMessage[] = [];
  private readonly initializers: object[] = [];
  private readonly inputs: object[] = [];
  private readonly outputs: object[] = [];
  private readonly constants = new Map<string, string>();
  private counter = 0;

  constructor(readonly name: string) {}

  /** A float32 input of the graph; `null` dims leave its shape to the caller. */
  input(name: string, dims: readonly Dim[] | null, elem: keyof typeof ELEM = 'float32'): string {
    this.inputs.push(valueInfo(name, dims, elem));
    return name;
  }

  /** Marks `value` as an output of the graph under `name` (an Identity when renamed). */
  output(value: string, name: string, dims: readonly Dim[] | null, elem: keyof typeof ELEM = 'float32'): void {
    if (value !== name) this.op('Identity', [value], {}, name);
    this.outputs.push(valueInfo(name, dims, elem));
  }

  /** A float32 constant (deduplicated by value). */
  floats(values: ArrayLike<number>, dims: readonly number[]): string {
    return this.constant(Float32Array.from(values), dims, 'float32');
  }

  /** A float32 scalar constant, rounded to float32 as tfjs rounds a JS number. */
  scalar(value: number): string {
    return this.floats([value], []);
  }

  /** An int64 constant (shapes, indices, axes). */
  ints(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant(BigInt64Array.from(values.map((v) => BigInt(v))), dims, 'int64');
  }

  private constant(data: Float32Array | BigInt64Array, dims: readonly number[], elem: keyof typeof ELEM): string {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const key = `${elem}|${dims.join('x')}|${Buffer.from(bytes).toString('base64')}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = `c${this.constants.size}`;
    this.initializers.push({ name, dims: dims.slice(), data_type: ELEM[elem], raw_data: bytes });
    this.constants.set(key, name);
    return name;
  }

  /** Adds one node; returns the name of its (first) output. */
  op(type: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, outputName?: string): string {
    const out = outputName ?? `${type.toLowerCase()}${this.counter++}`;
    this.nodes.push({
      input: inputs.slice(),
      output: [out],
      name: `n${this.nodes.length}`,
      op_type: type,
      attribute: Object.entries(attrs).map(([name, v]) => attribute(name, v)),
    });
    return out;
  }

  /** The serialised ModelProto. */
  encode(): Uint8Array {
    const message = ModelProto.fromObject({
      ir_version: IR_VERSION,
      producer_name: 'qvpo-kit',
      producer_version: '1',
      opset_import: [{ domain: '', version: OPSET }],
      graph: { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    });
    return ModelProto.encode(message).finish();
  }
}

function valueInfo(name: string, dims: readonly Dim[] | null, elem: keyof typeof ELEM = 'float32'): object {
  const shape = dims ? { shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } : {};
  return { name, type: { tensor_type: { elem_type: ELEM[elem], ...shape } } };
}

function attribute(name: string, value: Attr): object {
  if (Array.isArray(value)) return { name, type: ATTR.INTS, ints: value };
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`ONNX attribute ${name}: integer expected, got ${value} (use { float } for floats)`);
    return { name, type: ATTR.INT, i: value };
  }
  return { name, type: ATTR.FLOAT, f: value.float };
}
