/**
 * The ONNX graph reader and the output rewrite, on models written here as proto3 (packed repeated
 * int64, as protobuf 3 writers emit them) and loaded by the real onnxruntime.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { readGraphFacts, withGraphOutputs } from '../../src/runners/onnx-graph.ts';
import { openOnnxRunner } from '../../src/runners/onnx.ts';
import type { OrtModule } from '../../src/runners/onnxruntime-loader.ts';

const SUBSET = `
syntax = "proto3";
package onnx;
message TensorShapeProto {
  message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; }
  message Sequence { TypeProto elem_type = 1; }
  message Map { int32 key_type = 1; TypeProto value_type = 2; }
  oneof value { Tensor tensor_type = 1; Sequence sequence_type = 4; Map map_type = 5; }
}
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message AttributeProto { string name = 1; int64 i = 3; repeated int64 ints = 8; repeated bytes strings = 9; int32 type = 20; }
message NodeProto { repeated string input = 1; repeated string output = 2; string op_type = 4; repeated AttributeProto attribute = 5; string domain = 7; }
message GraphProto { repeated NodeProto node = 1; string name = 2; repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12; }
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message ModelProto { int64 ir_version = 1; GraphProto graph = 7; repeated OperatorSetIdProto opset_import = 8; }
`;
const ModelProto = protobuf.parse(SUBSET).root.lookupType('onnx.ModelProto');

const tensor = (elem: number, dims?: (number | string)[]) => ({
  tensorType: { elemType: elem, ...(dims ? { shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } : {}) },
});
const seqMap = (key: number) => ({ sequenceType: { elemType: { mapType: { keyType: key, valueType: tensor(1) } } } });

function model(nodes: object[], outputs: object[]): Uint8Array {
  const message = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 15 }, { domain: 'ai.onnx.ml', version: 1 }],
    graph: { name: 'g', node: nodes, input: [{ name: 'x', type: tensor(1, ['N', 3]) }], output: outputs },
  };
  return ModelProto.encode(ModelProto.fromObject(message)).finish();
}

const softmax = { input: ['x'], output: ['p'], opType: 'Softmax', attribute: [{ name: 'axis', i: 1, type: 2 }] };
const zipmap = (attribute: object) => ({ input: ['p'], output: ['zipped'], opType: 'ZipMap', domain: 'ai.onnx.ml', attribute: [attribute] });
// Packed repeated int64, negative values included (ten-byte varints).
const INT_LABELS = { name: 'classlabels_int64s', ints: [10, 20, -5], type: 7 };

function write(bytes: Uint8Array): string {
  const path = join(mkdtempSync(join(tmpdir(), 'mg-graph-')), 'model.onnx');
  writeFileSync(path, bytes);
  return path;
}

describe('readGraphFacts', () => {
  it('reads output types, ZipMap class labels (packed int64, strings) and what makes each value', () => {
    const ints = readGraphFacts(model([softmax, zipmap(INT_LABELS)], [{ name: 'zipped', type: seqMap(7) }, { name: 'p', type: tensor(1, ['N', 3]) }]));
    expect(ints.outputs).toEqual([
      { name: 'zipped', type: 'seq(map(int64, tensor(float)))', tensor: false },
      { name: 'p', type: 'tensor(float)', tensor: true },
    ]);
    expect(ints.zipmaps.get('zipped')).toEqual({ input: 'p', output: 'zipped', classes: [10, 20, -5] });
    expect(ints.producers.get('p')).toBe('Softmax');
    expect(ints.externalData).toBe(false);

    const strings = { name: 'classlabels_strings', strings: ['a', 'b', 'c'].map((s) => Buffer.from(s)), type: 8 };
    const text = readGraphFacts(model([softmax, zipmap(strings)], [{ name: 'zipped', type: seqMap(8) }]));
    expect(text.zipmaps.get('zipped')!.classes).toEqual(['a', 'b', 'c']);
    expect(text.outputs[0]!.type).toBe('seq(map(string, tensor(float)))');
  });

  it('appended graph outputs merge into the graph: the original outputs stay, the new ones follow', () => {
    const bytes = model([softmax, zipmap(INT_LABELS)], [{ name: 'zipped', type: seqMap(7) }]);
    const facts = readGraphFacts(withGraphOutputs(bytes, [{ name: 'p', elemType: 1 }]));
    expect(facts.outputs.map((o) => `${o.name}: ${o.type}`)).toEqual(['zipped: seq(map(int64, tensor(float)))', 'p: tensor(float)']);
    expect(facts.zipmaps.size).toBe(1);
  });

  it('is not fooled by a non-ONNX file', () => {
    expect(() => readGraphFacts(readFileSync('package.json'))).toThrow();
  });
});

describe('the ONNX runner on non-tensor outputs', () => {
  it('reads a ZipMap output as its probability tensor with the class labels', async () => {
    const runner = await openOnnxRunner(ort as unknown as OrtModule, write(model([softmax, zipmap(INT_LABELS)], [{ name: 'zipped', type: seqMap(7) }])));
    try {
      expect(runner.signature.outputs).toEqual([
        { name: 'zipped', dtype: 'float32', shape: ['N', 3], classes: [10, 20, -5], source: { op: 'ZipMap', tensor: 'p', type: 'seq(map(int64, tensor(float)))' } },
      ]);
      const out = await runner.infer({ x: { dtype: 'float32', dims: [1, 3], data: Float32Array.from([0, 0, 0]) } });
      expect(Object.keys(out)).toEqual(['zipped']);
      expect(Array.from(out.zipped!.data as Float32Array)).toEqual([1 / 3, 1 / 3, 1 / 3].map(Math.fround));
    } finally {
      await runner.close();
    }
  });

  it('a model with no readable output fails each call naming the output and the fix', async () => {
    const seq = { input: ['x'], output: ['s'], opType: 'SequenceConstruct' };
    const runner = await openOnnxRunner(
      ort as unknown as OrtModule,
      write(model([seq], [{ name: 's', type: { sequenceType: { elemType: tensor(1) } } }])),
    );
    try {
      expect(runner.signature.outputs).toEqual([]);
      expect(runner.signature.unreadable).toEqual([{ name: 's', type: 'seq(tensor(float))', problem: expect.stringContaining('output "s" is seq(tensor(float)), made by a SequenceConstruct node') }]);
      await expect(runner.infer({ x: { dtype: 'float32', dims: [1, 3], data: Float32Array.from([0, 0, 0]) } })).rejects.toThrow(
        /^the model has no output that can be read: output "s" is seq\(tensor\(float\)\).*export the model with "s" as a tensor/,
      );
    } finally {
      await runner.close();
    }
  });
});
