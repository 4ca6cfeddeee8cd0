#!/usr/bin/env python3
"""Models and data for the slice tests: a candidate that is bad for one country, and one that is not.

Run with Debian's python3 (numpy, scikit-learn, onnx):  /usr/bin/python3 scripts/models/make_slice_models.py
Writes test/fixtures/slices/:
  eval.csv        3,000 rows: features x0, x1, age, is_de (what the models take), then country (text),
                  which the models do not take, and the label y
  baseline.onnx   a logistic regression (scikit-learn) on [x0, x1, age, is_de], exported with onnx.helper
  candidate_ok.onnx   the same model with its coefficients nudged by ~5%: no slice regresses
  candidate_bad_de.onnx   the baseline with 2.5 taken from the logit of German rows (is_de = 1):
                  accuracy in DE falls by ~20 points, every other country's predictions are the baseline's
  reference.json  per-slice accuracy of each model, computed here with numpy, for the tests to match
Inputs: `input` float [N, 4]; outputs `probabilities` float [N, 2], `label` int64 [N].
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper
from sklearn.linear_model import LogisticRegression

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "fixtures", "slices")
rng = np.random.default_rng(15)

COUNTRIES = [("US", 1200), ("DE", 800), ("FR", 900), ("LU", 40), ("", 60)]  # "" = a missing cell


def draw(n_by_country):
    rows = []
    for country, n in n_by_country:
        x0 = rng.standard_normal(n)
        x1 = rng.standard_normal(n)
        age = rng.uniform(18, 80, n)
        z = 1.2 * x0 - 0.9 * x1 + 0.03 * (age - 45)
        y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
        rows += [(x0[i], x1[i], age[i], 1.0 if country == "DE" else 0.0, country, int(rng.integers(1, 4)), y[i]) for i in range(n)]
    order = rng.permutation(len(rows))
    return [rows[i] for i in order]


def features(rows):
    return np.array([[r[0], r[1], r[2], r[3]] for r in rows])


def export(coef, intercept, path):
    w = np.stack([-coef / 2, coef / 2], axis=1).astype(np.float32)
    b = np.array([-intercept / 2, intercept / 2], dtype=np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["input", "W"], ["logits_nb"]),
            helper.make_node("Add", ["logits_nb", "b"], ["logits"]),
            helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
            helper.make_node("ArgMax", ["probabilities"], ["label"], axis=1, keepdims=0),
        ],
        "logreg",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 4])],
        [
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 2]),
            helper.make_tensor_value_info("label", TensorProto.INT64, ["N"]),
        ],
        [
            helper.make_tensor("W", TensorProto.FLOAT, list(w.shape), w.flatten().tolist()),
            helper.make_tensor("b", TensorProto.FLOAT, [2], b.tolist()),
        ],
    )
    model = helper.make_model(graph, producer_name="model-gate-tests", opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


def predict(coef, intercept, x):
    # As the ONNX graph computes it: float32 weights and inputs, argmax of the softmax (ties to class 0).
    z = x.astype(np.float32) @ coef.astype(np.float32) + np.float32(intercept)
    return (z > 0).astype(int)


train = draw([(c, n * 2) for c, n in COUNTRIES])
model = LogisticRegression(max_iter=1000).fit(features(train), [r[6] for r in train])
base = (model.coef_[0].copy(), float(model.intercept_[0]))
ok = (base[0] * (1 + 0.05 * rng.standard_normal(4)), base[1] + 0.02)
bad = (base[0].copy(), base[1])
bad[0][3] -= 2.5

os.makedirs(OUT, exist_ok=True)
evaluation = draw(COUNTRIES)
with open(os.path.join(OUT, "eval.csv"), "w") as f:
    f.write("x0,x1,age,is_de,country,y\n")
    for r in evaluation:
        f.write(f"{r[0]:.6f},{r[1]:.6f},{r[2]:.3f},{r[3]:.0f},{r[4]},{r[6]}\n")
export(*base, os.path.join(OUT, "baseline.onnx"))
export(*ok, os.path.join(OUT, "candidate_ok.onnx"))
export(*bad, os.path.join(OUT, "candidate_bad_de.onnx"))

# Values read back from the CSV as written (rounded), as the gate reads them.
x = np.array([[float(f"{r[0]:.6f}"), float(f"{r[1]:.6f}"), float(f"{r[2]:.3f}"), r[3]] for r in evaluation])
y = np.array([r[6] for r in evaluation])
country = np.array([r[4] if r[4] else "(missing)" for r in evaluation])
age = x[:, 2]
reference = {}
for name, (coef, b0) in {"baseline": base, "candidate_ok": ok, "candidate_bad_de": bad}.items():
    right = predict(coef, b0, x) == y
    reference[name] = {
        "country": {c: float(right[country == c].mean()) for c in sorted(set(country))},
        "age": {
            "< 30": float(right[age < 30].mean()),
            "[30, 60)": float(right[(age >= 30) & (age < 60)].mean()),
            ">= 60": float(right[age >= 60].mean()),
        },
        "rows": {c: int((country == c).sum()) for c in sorted(set(country))},
    }
with open(os.path.join(OUT, "reference.json"), "w") as f:
    json.dump(reference, f, indent=1, sort_keys=True)
    f.write("\n")
print(json.dumps({k: v["country"] for k, v in reference.items()}, indent=1))
