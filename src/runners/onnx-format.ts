/**
 * Reads what the artifact check reports about an ONNX file (IR version, opsets, producer) from the
 * top-level fields of its ModelProto, without decoding the graph or its weights.
 */
import protobuf from 'protobufjs/minimal.js';

export interface OnnxFormat {
  ir_version: number;
  opsets: { domain: string; version: number }[];
  producer: string | null;
  has_graph: boolean;
}

// Field numbers from onnx.proto (ModelProto / OperatorSetIdProto).
const IR_VERSION = 1;
const PRODUCER_NAME = 2;
const PRODUCER_VERSION = 3;
const GRAPH = 7;
const OPSET_IMPORT = 8;

/** Throws when the bytes are not a well-formed ModelProto. */
export function readOnnxFormat(bytes: Uint8Array): OnnxFormat {
  const reader = protobuf.Reader.create(bytes);
  const format: OnnxFormat = { ir_version: 0, opsets: [], producer: null, has_graph: false };
  let producerName = '';
  let producerVersion = '';
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === IR_VERSION && wire === 0) format.ir_version = Number(reader.int64());
    else if (field === PRODUCER_NAME && wire === 2) producerName = reader.string();
    else if (field === PRODUCER_VERSION && wire === 2) producerVersion = reader.string();
    else if (field === OPSET_IMPORT && wire === 2) format.opsets.push(readOpset(reader.bytes()));
    else if (field === GRAPH && wire === 2) {
      format.has_graph = true;
      reader.skipType(wire);
    } else if (field === 0) throw new Error('invalid field number 0');
    else reader.skipType(wire);
  }
  if (format.ir_version === 0 || !format.has_graph) {
    throw new Error('no ONNX ModelProto found (missing ir_version or graph)');
  }
  format.producer = producerName ? `${producerName}${producerVersion ? ` ${producerVersion}` : ''}` : null;
  return format;
}

function readOpset(bytes: Uint8Array): { domain: string; version: number } {
  const reader = protobuf.Reader.create(bytes);
  let domain = '';
  let version = 0;
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 2) domain = reader.string();
    else if (tag >>> 3 === 2 && (tag & 7) === 0) version = Number(reader.int64());
    else reader.skipType(tag & 7);
  }
  return { domain: domain || 'ai.onnx', version };
}
