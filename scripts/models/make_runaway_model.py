#!/usr/bin/env python3
"""A model that never answers: a Loop of 10^15 iterations around an Add, exported with onnx.helper.

Run with Debian's python3-onnx:  /usr/bin/python3 scripts/models/make_runaway_model.py
Writes test/fixtures/models/runaway/loop.onnx: input `x` float [N, 4], output `y` float [N, 4]
(x plus the iteration count, if it ever finished). The gate must stop the call at its deadline.
"""
import os

import onnx
from onnx import TensorProto, helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "fixtures", "models", "runaway")

body = helper.make_graph(
    [
        helper.make_node("Identity", ["cond_in"], ["cond_out"]),
        helper.make_node("Add", ["acc_in", "one"], ["acc_out"]),
    ],
    "body",
    [
        helper.make_tensor_value_info("i", TensorProto.INT64, []),
        helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
        helper.make_tensor_value_info("acc_in", TensorProto.FLOAT, ["N", 4]),
    ],
    [
        helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
        helper.make_tensor_value_info("acc_out", TensorProto.FLOAT, ["N", 4]),
    ],
    [helper.make_tensor("one", TensorProto.FLOAT, [], [1.0])],
)
graph = helper.make_graph(
    [helper.make_node("Loop", ["trip", "cond", "x"], ["y"], body=body)],
    "runaway",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])],
    [
        helper.make_tensor("trip", TensorProto.INT64, [], [10**15]),
        helper.make_tensor("cond", TensorProto.BOOL, [], [True]),
    ],
)
model = helper.make_model(graph, producer_name="model-gate-tests", opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 7
onnx.checker.check_model(model)
os.makedirs(OUT, exist_ok=True)
onnx.save(model, os.path.join(OUT, "loop.onnx"))
