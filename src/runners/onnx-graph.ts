/**
 * Reads what the ONNX runner needs to know about a graph's outputs that onnxruntime-node cannot
 * tell it: the declared type of each non-tensor output (a sequence, a map), the ZipMap node that
 * makes one from a probability tensor (with its class labels), and whether weights live in
 * external files; and which integer inputs index a table (an embedding's rows), so generated ids
 * stay inside it. Also writes the one change the runner makes: more graph outputs.
 */
import protobuf from 'protobufjs/minimal.js';

export type ClassLabel = number | string;

export interface GraphOutput {
  name: string;
  /** The declared type as ONNX writes it: "tensor(float)", "seq(map(int64, tensor(float)))". */
  type: string;
  tensor: boolean;
}

/** A ZipMap node: probabilities (a float tensor, rows × classes) zipped with class labels into seq(map). */
export interface ZipMap {
  input: string;
  output: string;
  classes: ClassLabel[];
}

export interface GraphFacts {
  outputs: GraphOutput[];
  /** ZipMap nodes of the main graph, by output name. */
  zipmaps: Map<string, ZipMap>;
  /** The op type that produces each value of the main graph, by value name. */
  producers: Map<string, string>;
  /** The node that produces each value, with its inputs, for tracing a value back to its source. */
  nodes: Map<string, { op: string; inputs: string[] }>;
  /** Class labels of classifier nodes' outputs (label and scores), by value name. */
  classifierLabels: Map<string, ClassLabel[]>;
  /** Softmax nodes' outputs, with their `axis` attribute (null: the opset's default). */
  softmaxAxis: Map<string, number | null>;
  /** An initializer's data lives in a file beside the model. */
  externalData: boolean;
  /** Gather nodes (an embedding lookup: rows of `data` picked by `indices`), with their `axis`. */
  gathers: { data: string; indices: string; axis: number | null }[];
  /** Each initializer's first dim (a table's row count), by name. */
  initializerRows: Map<string, number>;
}

// Field numbers from onnx.proto.
const MODEL_GRAPH = 7;
const GRAPH = { node: 1, initializer: 5, output: 12 } as const;
const TENSOR = { dims: 1, name: 8 } as const;
const NODE = { input: 1, output: 2, op_type: 4, attribute: 5, domain: 7 } as const;
const ATTRIBUTE = { name: 1, i: 3, ints: 8, strings: 9 } as const;
const VALUE_INFO = { name: 1, type: 2 } as const;
const TYPE = { tensor: 1, sequence: 4, map: 5, sparse_tensor: 8, optional: 9 } as const;
const TENSOR_DATA_LOCATION = 14;
const EXTERNAL = 1;

/** TensorProto.DataType names, as ONNX prints them. */
const ELEM_TYPES = [
  'undefined', 'float', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool', 'float16',
  'double', 'uint32', 'uint64', 'complex64', 'complex128', 'bfloat16', 'float8e4m3fn', 'float8e4m3fnuz',
  'float8e5m2', 'float8e5m2fnuz', 'uint4', 'int4', 'float4e2m1',
];
export const ELEM_FLOAT = 1;

type Reader = protobuf.Reader;

/** Walks a length-delimited message's fields. */
function fields(bytes: Uint8Array, visit: (field: number, wire: number, reader: Reader) => boolean | void): void {
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 0) throw new Error('invalid field number 0');
    if (!visit(field, wire, reader)) reader.skipType(wire);
  }
}

/** Throws when the bytes are not a well-formed ModelProto. */
export function readGraphFacts(model: Uint8Array): GraphFacts {
  const facts: GraphFacts = {
    outputs: [],
    zipmaps: new Map(),
    producers: new Map(),
    nodes: new Map(),
    classifierLabels: new Map(),
    softmaxAxis: new Map(),
    externalData: false,
    gathers: [],
    initializerRows: new Map(),
  };
  // A ModelProto may carry its graph in several pieces: protobuf merges them in order.
  fields(model, (field, wire, reader) => {
    if (field !== MODEL_GRAPH || wire !== 2) return false;
    readGraph(reader.bytes(), facts);
    return true;
  });
  return facts;
}

function readGraph(bytes: Uint8Array, facts: GraphFacts): void {
  fields(bytes, (field, wire, reader) => {
    if (wire !== 2) return false;
    if (field === GRAPH.node) readNode(reader.bytes(), facts);
    else if (field === GRAPH.output) facts.outputs.push(readValueInfo(reader.bytes()));
    else if (field === GRAPH.initializer) {
      const tensor = reader.bytes();
      facts.externalData ||= isExternal(tensor);
      const { name, rows } = tensorRows(tensor);
      if (name && rows !== null) facts.initializerRows.set(name, rows);
    }
    else return false;
    return true;
  });
}

function readNode(bytes: Uint8Array, facts: GraphFacts): void {
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes: Uint8Array[] = [];
  let op = '';
  let domain = '';
  fields(bytes, (field, wire, reader) => {
    if (wire !== 2) return false;
    if (field === NODE.input) inputs.push(reader.string());
    else if (field === NODE.output) outputs.push(reader.string());
    else if (field === NODE.op_type) op = reader.string();
    else if (field === NODE.domain) domain = reader.string();
    else if (field === NODE.attribute) attributes.push(reader.bytes());
    else return false;
    return true;
  });
  for (const o of outputs) {
    if (!o) continue;
    facts.producers.set(o, op);
    facts.nodes.set(o, { op, inputs });
  }
  if (op === 'ZipMap' && domain === 'ai.onnx.ml' && inputs[0] && outputs[0]) {
    facts.zipmaps.set(outputs[0], { input: inputs[0], output: outputs[0], classes: zipMapClasses(attributes) });
  }
  if (op === 'Softmax' && (domain === '' || domain === 'ai.onnx') && outputs[0]) facts.softmaxAxis.set(outputs[0], intAttribute(attributes, 'axis'));
  if (op === 'Gather' && (domain === '' || domain === 'ai.onnx') && inputs[0] && inputs[1]) facts.gathers.push({ data: inputs[0], indices: inputs[1], axis: intAttribute(attributes, 'axis') });
  if (CLASSIFIERS.has(op) && domain === 'ai.onnx.ml') {
    // Both outputs (the label, the per-class scores) are in the order of the class labels.
    const classes = zipMapClasses(attributes);
    if (classes.length > 0) for (const o of outputs) if (o) facts.classifierLabels.set(o, classes);
  }
}

/** ai.onnx.ml classifiers that name their classes (skl2onnx's export of scikit-learn classifiers). */
const CLASSIFIERS: ReadonlySet<string> = new Set(['LinearClassifier', 'TreeEnsembleClassifier', 'SVMClassifier']);
/** Ops that keep a value's columns in order, so class labels pass through them. */
const ORDER_KEEPING: ReadonlySet<string> = new Set(['Identity', 'Cast', 'Normalizer', 'Softmax', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']);

/** The class labels a classifier node gives a value, followed back through ops that keep column order. */
export function classLabelsOf(facts: GraphFacts, value: string): ClassLabel[] | null {
  let name = value;
  for (let hops = 0; hops < 16; hops++) {
    const labels = facts.classifierLabels.get(name);
    if (labels) return labels;
    const node = facts.nodes.get(name);
    if (!node || !ORDER_KEEPING.has(node.op) || !node.inputs[0]) return null;
    name = node.inputs[0];
  }
  return null;
}

/**
 * The rows of the smallest table the graph input `input` indexes (a Gather on axis 0 of an
 * initializer, the input fed to it as it is or through a Cast), or null when it indexes none: ids
 * at or above it make onnxruntime fail ("indices element out of data bounds").
 */
export function idTableRows(facts: GraphFacts, input: string): number | null {
  let rows: number | null = null;
  for (const g of facts.gathers) {
    if (g.axis !== null && g.axis !== 0) continue;
    const cast = facts.nodes.get(g.indices);
    const from = cast && (cast.op === 'Cast' || cast.op === 'Identity') ? cast.inputs[0] : g.indices;
    if (from !== input) continue;
    const table = facts.initializerRows.get(g.data);
    if (table !== undefined && table > 0) rows = rows === null ? table : Math.min(rows, table);
  }
  return rows;
}

/** A TensorProto's name and first dim (null for a scalar); its data is skipped, not read. */
function tensorRows(tensor: Uint8Array): { name: string; rows: number | null } {
  let name = '';
  let rows: number | null = null;
  fields(tensor, (f, w, r) => {
    if (f === TENSOR.name && w === 2) name = r.string();
    else if (f === TENSOR.dims && w === 0) {
      const d = Number(r.int64());
      rows ??= d;
    } else if (f === TENSOR.dims && w === 2) {
      const packed = protobuf.Reader.create(r.bytes());
      if (packed.pos < packed.len) rows ??= Number(packed.int64());
    } else return false;
    return true;
  });
  return { name, rows };
}

/** classlabels_int64s or classlabels_strings, in column order. */
function zipMapClasses(attributes: Uint8Array[]): ClassLabel[] {
  for (const bytes of attributes) {
    let name = '';
    const ints: number[] = [];
    const strings: string[] = [];
    fields(bytes, (field, wire, reader) => {
      if (field === ATTRIBUTE.name && wire === 2) name = reader.string();
      else if (field === ATTRIBUTE.ints && wire === 0) ints.push(Number(reader.int64()));
      else if (field === ATTRIBUTE.ints && wire === 2) {
        // Packed repeated int64 (proto3 writers pack them).
        const packed = protobuf.Reader.create(reader.bytes());
        while (packed.pos < packed.len) ints.push(Number(packed.int64()));
      } else if (field === ATTRIBUTE.strings && wire === 2) strings.push(reader.string());
      else return false;
      return true;
    });
    if (name === 'classlabels_int64s') return ints;
    if (name === 'classlabels_strings') return strings;
  }
  return [];
}

/** An int attribute by name, or null when the node leaves it to its default. */
function intAttribute(attributes: Uint8Array[], wanted: string): number | null {
  for (const bytes of attributes) {
    let name = '';
    let value: number | null = null;
    fields(bytes, (field, wire, reader) => {
      if (field === ATTRIBUTE.name && wire === 2) name = reader.string();
      else if (field === ATTRIBUTE.i && wire === 0) value = Number(reader.int64());
      else return false;
      return true;
    });
    if (name === wanted) return value;
  }
  return null;
}

function readValueInfo(bytes: Uint8Array): GraphOutput {
  let name = '';
  let type: TypeInfo = { text: 'unknown', tensor: false };
  fields(bytes, (field, wire, reader) => {
    if (field === VALUE_INFO.name && wire === 2) name = reader.string();
    else if (field === VALUE_INFO.type && wire === 2) type = readType(reader.bytes());
    else return false;
    return true;
  });
  return { name, type: type.text, tensor: type.tensor };
}

interface TypeInfo {
  text: string;
  tensor: boolean;
}

/** A TypeProto as text, e.g. seq(map(string, tensor(float))). */
function readType(bytes: Uint8Array): TypeInfo {
  let info: TypeInfo = { text: 'unknown', tensor: false };
  fields(bytes, (field, wire, reader) => {
    if (wire !== 2) return false;
    const inner = reader.bytes();
    if (field === TYPE.tensor) info = { text: `tensor(${elemTypeOf(inner)})`, tensor: true };
    else if (field === TYPE.sparse_tensor) info = { text: `sparse_tensor(${elemTypeOf(inner)})`, tensor: false };
    else if (field === TYPE.sequence) info = { text: `seq(${innerType(inner, 1)})`, tensor: false };
    else if (field === TYPE.optional) info = { text: `optional(${innerType(inner, 1)})`, tensor: false };
    else if (field === TYPE.map) {
      let key = 'unknown';
      let value = 'unknown';
      fields(inner, (f, w, r) => {
        if (f === 1 && w === 0) key = ELEM_TYPES[r.int32()] ?? 'unknown';
        else if (f === 2 && w === 2) value = readType(r.bytes()).text;
        else return false;
        return true;
      });
      info = { text: `map(${key}, ${value})`, tensor: false };
    } else return false;
    return true;
  });
  return info;
}

function innerType(bytes: Uint8Array, field: number): string {
  let text = 'unknown';
  fields(bytes, (f, w, r) => {
    if (f !== field || w !== 2) return false;
    text = readType(r.bytes()).text;
    return true;
  });
  return text;
}

function elemTypeOf(tensorType: Uint8Array): string {
  let elem = 'unknown';
  fields(tensorType, (f, w, r) => {
    if (f !== 1 || w !== 0) return false;
    elem = ELEM_TYPES[r.int32()] ?? 'unknown';
    return true;
  });
  return elem;
}

function isExternal(tensor: Uint8Array): boolean {
  let external = false;
  fields(tensor, (f, w, r) => {
    if (f !== TENSOR_DATA_LOCATION || w !== 0) return false;
    external = r.int32() === EXTERNAL;
    return true;
  });
  return external;
}

/**
 * The model with more graph outputs: tensors of the given element type and undeclared shape.
 * A second `graph` field at the end of the ModelProto merges into the first (protobuf's rule
 * for a repeated non-repeated message field), appending to its repeated `output`; the original
 * bytes are untouched.
 */
export function withGraphOutputs(model: Uint8Array, outputs: readonly { name: string; elemType: number }[]): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32((MODEL_GRAPH << 3) | 2).fork();
  for (const o of outputs) {
    w.uint32((GRAPH.output << 3) | 2).fork();
    w.uint32((VALUE_INFO.name << 3) | 2).string(o.name);
    w.uint32((VALUE_INFO.type << 3) | 2).fork();
    w.uint32((TYPE.tensor << 3) | 2).fork();
    w.uint32((1 << 3) | 0).int32(o.elemType);
    w.ldelim().ldelim().ldelim();
  }
  w.ldelim();
  const tail = w.finish();
  const out = new Uint8Array(model.length + tail.length);
  out.set(model, 0);
  out.set(tail, model.length);
  return out;
}
