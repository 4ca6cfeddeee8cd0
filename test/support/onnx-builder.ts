/**
 * Writes small ONNX models for tests and benchmarks: real protobuf, loaded by the real
 * onnxruntime. The message subset below follows onnx/onnx.proto field numbers.
 */
import protobuf from 'protobufjs';

const ONNX_SUBSET = `
syntax = "proto3";
package onnx;
message TensorProto {
  repeated int64 dims = 1;
  int32 data_type = 2;
  repeated float float_data = 4;
  repeated int64 int64_data = 7;
  string name = 8;
}
message TensorShapeProto {
  message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; }
  Tensor tensor_type = 1;
}
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message AttributeProto {
  string name = 1;
  float f = 2;
  int64 i = 3;
  repeated int64 ints = 8;
  int32 type = 20;
}
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  string name = 3;
  string op_type = 4;
  repeated AttributeProto attribute = 5;
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
  GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
}
`;

const root = protobuf.parse(ONNX_SUBSET).root;
const ModelProto = root.lookupType('onnx.ModelProto');

const ELEM_TYPE = { float32: 1, int32: 6, int64: 7, float64: 11 } as const;
type ElemType = keyof typeof ELEM_TYPE;

export interface ValueSpec {
  name: string;
  type: ElemType;
  shape: (number | string)[];
}

export type AttrValue = number | number[] | { float: number };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
}

export interface InitSpec {
  name: string;
  dims: number[];
  values: ArrayLike<number>;
  type?: 'float32' | 'int64';
}

export interface ModelSpec {
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  initializers?: InitSpec[];
  opset?: number;
}

const valueInfo = (v: ValueSpec) => ({
  name: v.name,
  type: {
    tensorType: {
      elemType: ELEM_TYPE[v.type],
      shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  },
});

function attribute(name: string, value: AttrValue) {
  if (Array.isArray(value)) return { name, ints: value, type: 7 };
  if (typeof value === 'object') return { name, f: value.float, type: 1 };
  return { name, i: value, type: 2 };
}

export function buildModel(spec: ModelSpec): Uint8Array {
  const message = ModelProto.fromObject({
    irVersion: 8,
    producerName: 'model-gate-tests',
    opsetImport: [{ domain: '', version: spec.opset ?? 13 }],
    graph: {
      name: 'test',
      node: spec.nodes.map((n, i) => ({
        name: `n${i}`,
        opType: n.op,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      initializer: (spec.initializers ?? []).map((t) =>
        t.type === 'int64'
          ? { name: t.name, dims: t.dims, dataType: ELEM_TYPE.int64, int64Data: Array.from(t.values) }
          : { name: t.name, dims: t.dims, dataType: ELEM_TYPE.float32, floatData: Array.from(t.values) },
      ),
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
    },
  });
  return ModelProto.encode(message).finish();
}

/** A dense MLP (ReLU between layers, Softmax at the end), seeded weights: the benchmark's model. */
export function mlp(widths: number[], seed = 1): Uint8Array {
  let state = seed >>> 0;
  const random = () => {
    // xorshift32: deterministic weights without a dependency.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 4294967296 - 0.5) * 0.1;
  };
  const nodes: NodeSpec[] = [];
  const initializers: InitSpec[] = [];
  let current = 'x';
  for (let l = 0; l + 1 < widths.length; l++) {
    const [a, b] = [widths[l]!, widths[l + 1]!];
    initializers.push({ name: `W${l}`, dims: [a, b], values: Float32Array.from({ length: a * b }, random) });
    initializers.push({ name: `b${l}`, dims: [b], values: Float32Array.from({ length: b }, random) });
    nodes.push({ op: 'MatMul', inputs: [current, `W${l}`], outputs: [`m${l}`] });
    nodes.push({ op: 'Add', inputs: [`m${l}`, `b${l}`], outputs: [`a${l}`] });
    const last = l + 2 === widths.length;
    nodes.push(
      last
        ? { op: 'Softmax', inputs: [`a${l}`], outputs: ['probabilities'], attrs: { axis: 1 } }
        : { op: 'Relu', inputs: [`a${l}`], outputs: [`h${l}`] },
    );
    current = `h${l}`;
  }
  return buildModel({
    inputs: [{ name: 'x', type: 'float32', shape: ['N', widths[0]!] }],
    outputs: [{ name: 'probabilities', type: 'float32', shape: ['N', widths.at(-1)!] }],
    nodes,
    initializers,
  });
}
