/**
 * Finds the tensors of an ONNX file whose data lives in other files ("external data"), with the
 * location, offset and length each names, without decoding the weights themselves.
 *
 * Covered: the graph's initializers and sparse initializers, tensors in node attributes (Constant's
 * `value`, any `t` / `tensors` / `sparse_tensor(s)`), subgraphs in attributes (If, Loop, Scan) at
 * any depth, the nodes of model-local functions, and training-info graphs. Tensors are listed in
 * the order they appear in the file, so "order of first reference" is the file's byte order.
 */
import protobuf from 'protobufjs/minimal.js';

export interface ExternalDataRef {
  /** The tensor's name (a Constant's tensor may have none: then the node's output). */
  tensor: string;
  /** As written in the model: a path relative to the model's directory, by the ONNX spec. */
  location: string | null;
  /** Decimal strings as written; null when absent (offset 0, length to the end of the file). */
  offset: string | null;
  length: string | null;
}

type Reader = protobuf.Reader;

// Field numbers from onnx.proto.
const MODEL = { GRAPH: 7, TRAINING_INFO: 20, FUNCTIONS: 25 } as const;
const TRAINING_INFO = { INITIALIZATION: 1, ALGORITHM: 2 } as const;
const FUNCTION = { NODE: 7 } as const;
const GRAPH = { NODE: 1, INITIALIZER: 5, SPARSE_INITIALIZER: 15 } as const;
const NODE = { OUTPUT: 2, ATTRIBUTE: 5 } as const;
const ATTRIBUTE = { T: 5, G: 6, TENSORS: 10, GRAPHS: 11, SPARSE_TENSOR: 22, SPARSE_TENSORS: 23 } as const;
const SPARSE_TENSOR = { VALUES: 1, INDICES: 2 } as const;
const TENSOR = { NAME: 8, EXTERNAL_DATA: 13, DATA_LOCATION: 14 } as const;
const DATA_LOCATION_EXTERNAL = 1;
const LENGTH_DELIMITED = 2;
const VARINT = 0;

// Protobuf itself allows 100 levels; deeper means a hostile or broken file, not a model.
const MAX_DEPTH = 100;

/** Every tensor stored as external data, in file order. Throws when the bytes are not a well-formed ModelProto. */
export function readExternalDataRefs(bytes: Uint8Array): ExternalDataRef[] {
  const refs: ExternalDataRef[] = [];
  fields(bytes, 0, (reader, field) => {
    if (field === MODEL.GRAPH) graph(reader.bytes(), refs, 1);
    else if (field === MODEL.FUNCTIONS) fields(reader.bytes(), 1, (r, f) => (f === FUNCTION.NODE ? node(r.bytes(), refs, 2) : skip(r)));
    else if (field === MODEL.TRAINING_INFO) {
      fields(reader.bytes(), 1, (r, f) => (f === TRAINING_INFO.INITIALIZATION || f === TRAINING_INFO.ALGORITHM ? graph(r.bytes(), refs, 2) : skip(r)));
    } else skip(reader);
  });
  return refs;
}

function graph(bytes: Uint8Array, refs: ExternalDataRef[], depth: number): void {
  fields(bytes, depth, (r, f) => {
    if (f === GRAPH.NODE) node(r.bytes(), refs, depth + 1);
    else if (f === GRAPH.INITIALIZER) tensor(r.bytes(), refs, null, depth + 1);
    else if (f === GRAPH.SPARSE_INITIALIZER) sparse(r.bytes(), refs, null, depth + 1);
    else skip(r);
  });
}

function node(bytes: Uint8Array, refs: ExternalDataRef[], depth: number): void {
  // The first output names a Constant's tensor when the tensor itself has no name; outputs come first in the file.
  let output: string | null = null;
  fields(bytes, depth, (r, f) => {
    if (f === NODE.OUTPUT) {
      const name = r.string();
      output ??= name;
    } else if (f === NODE.ATTRIBUTE) attribute(r.bytes(), refs, output, depth + 1);
    else skip(r);
  });
}

function attribute(bytes: Uint8Array, refs: ExternalDataRef[], fallbackName: string | null, depth: number): void {
  fields(bytes, depth, (r, f) => {
    if (f === ATTRIBUTE.T || f === ATTRIBUTE.TENSORS) tensor(r.bytes(), refs, fallbackName, depth + 1);
    else if (f === ATTRIBUTE.SPARSE_TENSOR || f === ATTRIBUTE.SPARSE_TENSORS) sparse(r.bytes(), refs, fallbackName, depth + 1);
    else if (f === ATTRIBUTE.G || f === ATTRIBUTE.GRAPHS) graph(r.bytes(), refs, depth + 1);
    else skip(r);
  });
}

function sparse(bytes: Uint8Array, refs: ExternalDataRef[], fallbackName: string | null, depth: number): void {
  fields(bytes, depth, (r, f) => (f === SPARSE_TENSOR.VALUES || f === SPARSE_TENSOR.INDICES ? tensor(r.bytes(), refs, fallbackName, depth + 1) : skip(r)));
}

function tensor(bytes: Uint8Array, refs: ExternalDataRef[], fallbackName: string | null, depth: number): void {
  let name = '';
  let external = false;
  const entries: [string, string][] = [];
  walk(bytes, depth, (r, f, wire) => {
    if (f === TENSOR.NAME && wire === LENGTH_DELIMITED) name = r.string();
    else if (f === TENSOR.DATA_LOCATION && wire === VARINT) external = r.int32() === DATA_LOCATION_EXTERNAL;
    else if (f === TENSOR.EXTERNAL_DATA && wire === LENGTH_DELIMITED) entries.push(entry(r.bytes()));
    else r.skipType(wire);
  });
  // onnxruntime reads external data only when data_location says EXTERNAL (utils::HasExternalData); so do we.
  if (!external) return;
  // A repeated key: the last one wins, as in onnxruntime's loop over the entries.
  const value = (key: string) => entries.filter(([k]) => k === key).at(-1)?.[1] ?? null;
  refs.push({ tensor: name || fallbackName || '(unnamed)', location: value('location'), offset: value('offset'), length: value('length') });
}

function entry(bytes: Uint8Array): [string, string] {
  let key = '';
  let value = '';
  walk(bytes, 0, (r, f, wire) => {
    if (f === 1 && wire === LENGTH_DELIMITED) key = r.string();
    else if (f === 2 && wire === LENGTH_DELIMITED) value = r.string();
    else r.skipType(wire);
  });
  return [key, value];
}

/** Visits each length-delimited field; others are skipped. */
function fields(bytes: Uint8Array, depth: number, visit: (reader: Reader, field: number) => void): void {
  walk(bytes, depth, (r, f, wire) => (wire === LENGTH_DELIMITED ? visit(r, f) : r.skipType(wire)));
}

function walk(bytes: Uint8Array, depth: number, visit: (reader: Reader, field: number, wire: number) => void): void {
  if (depth > MAX_DEPTH) throw new Error(`messages nested deeper than ${MAX_DEPTH} levels`);
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    if (field === 0) throw new Error('invalid field number 0');
    // Every read moves the reader forward or throws past the end, so this loop ends.
    visit(reader, field, tag & 7);
  }
}

const skip = (r: Reader) => r.skipType(LENGTH_DELIMITED);
