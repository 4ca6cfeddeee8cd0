#!/usr/bin/env python3
"""Write the external-data fixtures: the iris model saved with its weights in separate files.

Run with Debian's packages (apt-get install python3-onnx python3-numpy):
    /usr/bin/python3 scripts/models/external_data.py

Reads examples/iris/{model,baseline}.onnx and eval.csv; writes test/fixtures/external-data/:
  healthy/model.onnx + weights.bin   the candidate, every initializer in one weights file
                                     (onnx.save_model(save_as_external_data=True,
                                     all_tensors_to_one_file=True, size_threshold=0))
  swapped/model.onnx + weights.bin   the same graph file, byte for byte, with the baseline's
                                     weights in weights.bin (same layout, other values)
  multi/model.onnx + mean, scale, W, bias_const
                                     one file per tensor; the bias comes from a Constant node,
                                     whose tensor attribute is external too (convert_attribute)
  escape/model.onnx                  the healthy graph with location "../escape.bin"
  escape.bin                         a valid weights file there, so only the location is wrong
  absolute/model.onnx                the healthy graph with location "/tmp/weights.bin"
  subgraph/model.onnx + weights.bin  an If node whose branches hold external Constants; the
                                     else-branch's location is "../escape.bin"
  .gitattributes                     weights files are binary, whatever their name
  expected.json                      for each model: the files in hash order, the sha256 of their
                                     concatenated bytes (cat model.onnx weights.bin | sha256sum),
                                     and its accuracy on eval.csv computed here with numpy
"""
import copy
import csv
import hashlib
import json
import os
import shutil

import numpy as np
import onnx
from onnx import external_data_helper, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IRIS = os.path.join(ROOT, "examples", "iris")
OUT = os.path.join(ROOT, "test", "fixtures", "external-data")


def save_external(model, folder, one_file=True, convert_attribute=False):
    os.makedirs(folder, exist_ok=True)
    onnx.save_model(
        copy.deepcopy(model),
        os.path.join(folder, "model.onnx"),
        save_as_external_data=True,
        all_tensors_to_one_file=one_file,
        location="weights.bin" if one_file else None,
        size_threshold=0,
        convert_attribute=convert_attribute,
    )


def relocate(folder, location):
    """The healthy graph with every external location replaced."""
    model = onnx.load(os.path.join(OUT, "healthy", "model.onnx"), load_external_data=False)
    for t in model.graph.initializer:
        for entry in t.external_data:
            if entry.key == "location":
                entry.value = location
    os.makedirs(folder, exist_ok=True)
    onnx.save_model(model, os.path.join(folder, "model.onnx"))


def accuracy(model):
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    with open(os.path.join(IRIS, "eval.csv")) as f:
        rows = list(csv.reader(f))[1:]
    x = np.array([[float(v) for v in r[:4]] for r in rows], dtype=np.float32)
    y = np.array([int(r[4]) for r in rows])
    logits = ((x - inits["mean"]) / inits["scale"]) @ inits["W"] + inits["b"]
    return float((logits.argmax(axis=1) == y).mean())


def digest(folder, names):
    """The documented recipe: sha256 over the graph file, then each external file in order of first reference."""
    h = hashlib.sha256()
    files = []
    for name in names:
        with open(os.path.join(folder, name), "rb") as f:
            data = f.read()
        h.update(data)
        files.append({"path": name, "size_bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    return {"sha256": h.hexdigest(), "files": files}


def with_constant_bias(model):
    """The bias as a Constant node's tensor attribute instead of an initializer."""
    m = copy.deepcopy(model)
    bias = next(t for t in m.graph.initializer if t.name == "b")
    m.graph.initializer.remove(bias)
    bias_const = copy.deepcopy(bias)
    bias_const.name = "bias_const"
    m.graph.node.insert(0, helper.make_node("Constant", [], ["b"], value=bias_const))
    onnx.checker.check_model(m)
    return m


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    candidate = onnx.load(os.path.join(IRIS, "model.onnx"))
    baseline = onnx.load(os.path.join(IRIS, "baseline.onnx"))
    expected = {}

    save_external(candidate, os.path.join(OUT, "healthy"))
    expected["healthy"] = {**digest(os.path.join(OUT, "healthy"), ["model.onnx", "weights.bin"]), "accuracy": accuracy(candidate)}

    # The baseline saved the same way has the same layout; its weights.bin goes beside the candidate's graph.
    scratch = os.path.join(OUT, "scratch")
    save_external(baseline, scratch)
    os.makedirs(os.path.join(OUT, "swapped"))
    shutil.copyfile(os.path.join(OUT, "healthy", "model.onnx"), os.path.join(OUT, "swapped", "model.onnx"))
    shutil.copyfile(os.path.join(scratch, "weights.bin"), os.path.join(OUT, "swapped", "weights.bin"))
    shutil.rmtree(scratch)
    swapped = onnx.load(os.path.join(OUT, "swapped", "model.onnx"))
    # Same layout: the candidate's graph reads exactly the baseline's tensors from the swapped file.
    for a, b in zip(swapped.graph.initializer, baseline.graph.initializer):
        assert np.array_equal(numpy_helper.to_array(a), numpy_helper.to_array(b)), a.name
    expected["swapped"] = {**digest(os.path.join(OUT, "swapped"), ["model.onnx", "weights.bin"]), "accuracy": accuracy(swapped)}

    multi = with_constant_bias(candidate)
    save_external(multi, os.path.join(OUT, "multi"), one_file=False, convert_attribute=True)
    refs = []
    loaded = onnx.load(os.path.join(OUT, "multi", "model.onnx"), load_external_data=False)
    # Order of first reference in the file: nodes (GraphProto field 1) are serialised before initializers (5).
    for t in [a.t for n in loaded.graph.node for a in n.attribute if a.HasField("t")] + list(loaded.graph.initializer):
        loc = next(e.value for e in t.external_data if e.key == "location")
        if loc not in refs:
            refs.append(loc)
    expected["multi"] = {**digest(os.path.join(OUT, "multi"), ["model.onnx"] + refs), "accuracy": accuracy(candidate)}

    # An If whose else-branch holds a Constant stored outside, pointing out of the directory:
    # a location hidden in a subgraph must be found too.
    branch = lambda name, values: helper.make_graph(
        [helper.make_node("Constant", [], [name + "_out"], value=numpy_helper.from_array(np.array(values, dtype=np.float32), name))],
        name + "_graph", [], [helper.make_tensor_value_info(name + "_out", onnx.TensorProto.FLOAT, [3])])
    nested = helper.make_model(
        helper.make_graph(
            [helper.make_node("If", ["cond"], ["y"], then_branch=branch("then_const", [1, 2, 3]), else_branch=branch("else_const", [4, 5, 6]))],
            "subgraph_external", [helper.make_tensor_value_info("cond", onnx.TensorProto.BOOL, [])],
            [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [3])]),
        opset_imports=[helper.make_opsetid("", 13)])
    nested.ir_version = 8
    onnx.checker.check_model(nested)
    # onnx 1.12 does not move tensors inside subgraphs out (convert_attribute stops at the top graph): by hand.
    os.makedirs(os.path.join(OUT, "subgraph"))
    with open(os.path.join(OUT, "subgraph", "weights.bin"), "wb") as f:
        branches = {a.name: a for a in nested.graph.node[0].attribute}
        for attr, location in [(branches["else_branch"], "../escape.bin"), (branches["then_branch"], "weights.bin")]:
            t = attr.g.node[0].attribute[0].t
            offset = f.tell()
            f.write(t.raw_data)
            external_data_helper.set_external_data(t, location, offset, len(t.raw_data))
            t.ClearField("raw_data")
            t.data_location = onnx.TensorProto.EXTERNAL
    onnx.save_model(nested, os.path.join(OUT, "subgraph", "model.onnx"))

    relocate(os.path.join(OUT, "escape"), "../escape.bin")
    shutil.copyfile(os.path.join(OUT, "healthy", "weights.bin"), os.path.join(OUT, "escape.bin"))
    relocate(os.path.join(OUT, "absolute"), "/tmp/weights.bin")

    # Weights files have no telling extension: keep git from normalising line endings in them.
    with open(os.path.join(OUT, ".gitattributes"), "w") as f:
        f.write("* binary\n*.json text diff merge\n.gitattributes text diff merge\n")
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")
    for name, e in expected.items():
        print(f"{name}: sha256 {e['sha256'][:16]}…, accuracy {e['accuracy']:.4f}, files {[x['path'] for x in e['files']]}")


if __name__ == "__main__":
    main()
