#!/usr/bin/env python3
"""Build the iris example: a scikit-learn classifier exported to ONNX, with its data.

Run with Debian's packages (apt-get install python3-sklearn python3-onnx):
    /usr/bin/python3 examples/iris/make_model.py

Writes, next to this script:
  model.onnx      candidate: LogisticRegression (C=1.0) on standardised features
  baseline.onnx   the "production" model: LogisticRegression (C=0.05), a weaker fit
  eval.csv        labelled hold-out rows (features + `species`)
  reference.csv   the training rows (features + `species`), the reference distribution

The ONNX graph is written by hand with onnx.helper (skl2onnx is not packaged in Debian):
  float_input[N,4] -> (x - mean) / scale -> MatMul W -> Add b -> Softmax -> probabilities[N,3]
                                                                -> ArgMax -> label[N]
sklearn_proba.csv holds scikit-learn's predict_proba on eval.csv for the candidate; the test suite
runs model.onnx through onnxruntime on the same rows and asserts that the two agree.
"""
import csv
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def export(pipe, name, doc):
    scaler, clf = pipe.named_steps["standardscaler"], pipe.named_steps["logisticregression"]
    inits = [
        numpy_helper.from_array(scaler.mean_.astype(np.float32), "mean"),
        numpy_helper.from_array(scaler.scale_.astype(np.float32), "scale"),
        numpy_helper.from_array(clf.coef_.T.astype(np.float32), "W"),
        numpy_helper.from_array(clf.intercept_.astype(np.float32), "b"),
    ]
    nodes = [
        helper.make_node("Sub", ["float_input", "mean"], ["centred"]),
        helper.make_node("Div", ["centred", "scale"], ["scaled"]),
        helper.make_node("MatMul", ["scaled", "W"], ["logits_nb"]),
        helper.make_node("Add", ["logits_nb", "b"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
        helper.make_node("ArgMax", ["probabilities"], ["label"], axis=1, keepdims=0),
    ]
    graph = helper.make_graph(
        nodes,
        "iris_logreg",
        [helper.make_tensor_value_info("float_input", TensorProto.FLOAT, ["N", 4])],
        [
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 3]),
            helper.make_tensor_value_info("label", TensorProto.INT64, ["N"]),
        ],
        inits,
    )
    model = helper.make_model(
        graph,
        producer_name="model-gate-examples",
        producer_version="1",
        doc_string=doc,
        opset_imports=[helper.make_opsetid("", 13)],
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = os.path.join(HERE, name)
    onnx.save(model, path)
    return model


def write_csv(path, x, y):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(FEATURES + ["species"])
        for row, label in zip(x, y):
            w.writerow([f"{v:.1f}" for v in row] + [int(label)])


def main():
    iris = load_iris()
    x_train, x_eval, y_train, y_eval = train_test_split(
        iris.data, iris.target, test_size=0.4, random_state=7, stratify=iris.target
    )
    candidate = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
    baseline = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=1000))
    candidate.fit(x_train, y_train)
    baseline.fit(x_train, y_train)
    export(candidate, "model.onnx", "iris LogisticRegression C=1.0")
    export(baseline, "baseline.onnx", "iris LogisticRegression C=0.05")
    write_csv(os.path.join(HERE, "eval.csv"), x_eval, y_eval)
    write_csv(os.path.join(HERE, "reference.csv"), x_train, y_train)
    with open(os.path.join(HERE, "sklearn_proba.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["p0", "p1", "p2"])
        for row in candidate.predict_proba(x_eval):
            w.writerow([repr(float(v)) for v in row])
    print(
        f"candidate accuracy {candidate.score(x_eval, y_eval):.4f}, "
        f"baseline accuracy {baseline.score(x_eval, y_eval):.4f} on {len(y_eval)} eval rows"
    )


if __name__ == "__main__":
    main()
