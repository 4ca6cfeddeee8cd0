#!/usr/bin/env python3
"""scikit-learn classifiers exported the way skl2onnx exports them by default (with ZipMap).

Run with Debian's packages (apt-get install python3-sklearn python3-onnx):
    /usr/bin/python3 scripts/models/make_sklearn_zipmap.py

skl2onnx is not packaged in Debian, so the graphs are written with onnx.helper, node for node
as skl2onnx's converters write them (skl2onnx/_parse.py `_apply_zipmap`,
operator_converters/linear_classifier.py, scaler_op.py, zip_map.py), with its names, opsets and
IR version (skl2onnx 1.13 with onnx 1.12: Cast-13 makes the main opset 13, IR version 7):

  float_input[None, F] -Scaler-> variable -LinearClassifier-> label, probability_tensor
      multiclass: probability_tensor -Normalizer(L1)-> probabilities
      binary:     LinearClassifier writes probabilities itself (coefficients [-w, w], LOGISTIC)
  label -Cast(int64)-> output_label  (int classes)  |  label -Identity-> output_label (str classes)
  probabilities -ZipMap(classlabels_int64s | classlabels_strings)-> output_probability
      seq(map(int64 | string, float))

Writes into test/fixtures/models/sklearn-zipmap/:
  iris_int.onnx / iris_str.onnx        LogisticRegression, 3 classes (0, 1, 2 | setosa, ...)
  cancer_int.onnx / cancer_str.onnx    LogisticRegression, 2 classes (0, 1 | malignant, benign)
  cancer_str_baseline.onnx             the same with C=0.002: a weaker baseline (string classes)
  iris_int_external.onnx (+ .data)    iris_int with its scaling weights in an external data file
  iris_unnormalised.onnx               broken: LOGISTIC one-vs-rest scores without the Normalizer
  iris_seq_tensor.onnx                 broken: output_probability is seq(tensor(float)), no ZipMap
  iris_int.csv / iris_str.csv / cancer_int.csv / cancer_str.csv   eval rows (float32 values)
  expected.json    scikit-learn's predict / predict_proba on those rows and sklearn.metrics
"""
import csv
import json
import os

import numpy as np
import onnx
import sklearn
from onnx import TensorProto, helper, numpy_helper
from onnx.external_data_helper import convert_model_to_external_data
from sklearn import metrics as skm
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures", "models", "sklearn-zipmap")


def export(pipe, n_features, path, zipmap=True, normalise=True, external=False):
    """The graph skl2onnx's convert_sklearn(pipe, initial_types=[('float_input', FloatTensorType([None, F]))]) writes."""
    scaler = pipe.named_steps["standardscaler"]
    clf = pipe.named_steps["logisticregression"]
    classes = clf.classes_
    strings = classes.dtype.kind in "US" or classes.dtype == object
    k = len(classes)
    coefficients = clf.coef_.flatten().astype(float).tolist()
    intercepts = clf.intercept_.astype(float).tolist()
    if k == 2:
        coefficients = [-c for c in coefficients] + coefficients
        intercepts = [-c for c in intercepts] + intercepts
    attrs = dict(coefficients=coefficients, intercepts=intercepts, multi_class=1 if k > 2 else 0)
    # sklearn 1.2, lbfgs, multi_class='auto': softmax for > 2 classes, the logistic function for 2.
    attrs["post_transform"] = "SOFTMAX" if k > 2 and normalise else "LOGISTIC"
    if strings:
        attrs["classlabels_strings"] = [str(c) for c in classes]
        zip_attrs = dict(classlabels_strings=[str(c) for c in classes])
    else:
        attrs["classlabels_ints"] = [int(c) for c in classes]
        zip_attrs = dict(classlabels_int64s=[int(c) for c in classes])
    initializers = []
    if external:
        # skl2onnx's Scaler written as Sub and Mul (its option div='div' does alike) so that
        # the graph has initializers, which are saved in a file beside the model.
        initializers = [
            numpy_helper.from_array(scaler.mean_.astype(np.float32), "offset"),
            numpy_helper.from_array((1.0 / scaler.scale_).astype(np.float32), "scale"),
        ]
        nodes = [
            helper.make_node("Sub", ["float_input", "offset"], ["centred"], name="Sub"),
            helper.make_node("Mul", ["centred", "scale"], ["variable"], name="Mul"),
        ]
    else:
        nodes = [
            helper.make_node(
                "Scaler", ["float_input"], ["variable"], name="Scaler", domain="ai.onnx.ml",
                offset=scaler.mean_.astype(np.float32).tolist(), scale=(1.0 / scaler.scale_).astype(np.float32).tolist(),
            )
        ]
    if k > 2:
        nodes.append(helper.make_node("LinearClassifier", ["variable"], ["label", "probability_tensor"], name="LinearClassifier", domain="ai.onnx.ml", **attrs))
        if normalise:
            nodes.append(helper.make_node("Normalizer", ["probability_tensor"], ["probabilities"], name="Normalizer", domain="ai.onnx.ml", norm="L1"))
        else:
            nodes.append(helper.make_node("Identity", ["probability_tensor"], ["probabilities"], name="Identity1"))
    else:
        nodes.append(helper.make_node("LinearClassifier", ["variable"], ["label", "probabilities"], name="LinearClassifier", domain="ai.onnx.ml", **attrs))
    if strings:
        nodes.append(helper.make_node("Identity", ["label"], ["output_label"], name="Identity"))
    else:
        nodes.append(helper.make_node("Cast", ["label"], ["output_label"], name="Cast", to=TensorProto.INT64))
    label_type = TensorProto.STRING if strings else TensorProto.INT64
    if zipmap:
        nodes.append(helper.make_node("ZipMap", ["probabilities"], ["output_probability"], name="ZipMap", domain="ai.onnx.ml", **zip_attrs))
        prob_type = onnx.TypeProto()  # onnx 1.12's helper has no make_map_type_proto
        prob_type.sequence_type.elem_type.map_type.key_type = label_type
        prob_type.sequence_type.elem_type.map_type.value_type.tensor_type.elem_type = TensorProto.FLOAT
    else:
        # Not a ZipMap: a sequence of per-row tensors, which onnxruntime-node cannot return either.
        nodes.append(helper.make_node("SplitToSequence", ["probabilities"], ["output_probability"], name="SplitToSequence", axis=0, keepdims=0))
        prob_type = helper.make_sequence_type_proto(helper.make_tensor_type_proto(TensorProto.FLOAT, None))
    graph = helper.make_graph(
        nodes,
        "LogisticRegression",
        [helper.make_tensor_value_info("float_input", TensorProto.FLOAT, [None, n_features])],
        [
            helper.make_tensor_value_info("output_label", label_type, [None]),
            helper.make_value_info("output_probability", prob_type),
        ],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("ai.onnx.ml", 1)])
    model.ir_version = 7
    model.producer_name = "skl2onnx"
    model.producer_version = "1.13"
    model.domain = "ai.onnx"
    model.model_version = 0
    onnx.checker.check_model(model)
    if external:
        if os.path.exists(os.path.join(OUT, path + ".data")):
            os.remove(os.path.join(OUT, path + ".data"))  # onnx.save appends to an existing data file
        convert_model_to_external_data(model, all_tensors_to_one_file=True, location=path + ".data", size_threshold=0)
    onnx.save(model, os.path.join(OUT, path))


def write_csv(path, names, x, y):
    with open(os.path.join(OUT, path), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(names + ["target"])
        for row, label in zip(x, y):
            w.writerow([repr(float(v)) for v in row] + [label])


def reference(pipe, x, y):
    """What scikit-learn says on the rows the model is fed (float32 values, as the ONNX input)."""
    proba = pipe.predict_proba(x)
    pred = pipe.predict(x)
    classes = list(pipe.classes_)
    out = {
        "classes": [c if isinstance(c, str) else int(c) for c in classes],
        "predict": [p if isinstance(p, str) else int(p) for p in pred],
        "predict_proba": proba.tolist(),
        "accuracy": skm.accuracy_score(y, pred),
        "balanced_accuracy": skm.balanced_accuracy_score(y, pred),
        "f1_macro": skm.f1_score(y, pred, average="macro"),
        "precision_macro": skm.precision_score(y, pred, average="macro", zero_division=0),
        "recall_macro": skm.recall_score(y, pred, average="macro"),
        "log_loss": skm.log_loss(y, proba, labels=classes),
    }
    if len(classes) == 2:
        out["roc_auc"] = skm.roc_auc_score([classes.index(v) for v in y], proba[:, 1])
        out["brier"] = skm.brier_score_loss([classes.index(v) for v in y], proba[:, 1])
    else:
        out["roc_auc"] = skm.roc_auc_score(y, proba, multi_class="ovr", labels=classes)
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {"sklearn": sklearn.__version__, "onnx": onnx.__version__}

    iris = load_iris()
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    x_tr, x_ev, y_tr, y_ev = train_test_split(iris.data, iris.target, test_size=60, random_state=7, stratify=iris.target)
    x_ev = x_ev.astype(np.float32).astype(np.float64)
    text = np.array(["setosa", "versicolor", "virginica"])
    for suffix, ytr, yev in (("int", y_tr, y_ev), ("str", text[y_tr], text[y_ev])):
        pipe = make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=1000)).fit(x_tr, ytr)
        export(pipe, 4, f"iris_{suffix}.onnx")
        write_csv(f"iris_{suffix}.csv", names, x_ev, [v if isinstance(v, str) else int(v) for v in yev])
        expected[f"iris_{suffix}"] = reference(pipe, x_ev, list(yev))
        if suffix == "int":
            export(pipe, 4, "iris_seq_tensor.onnx", zipmap=False)
            export(pipe, 4, "iris_int_external.onnx", external=True)
            ovr = make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=1000, multi_class="ovr")).fit(x_tr, ytr)
            export(ovr, 4, "iris_unnormalised.onnx", normalise=False)

    cancer = load_breast_cancer()
    names = [n.replace(" ", "_") for n in cancer.feature_names]
    x_tr, x_ev, y_tr, y_ev = train_test_split(cancer.data, cancer.target, test_size=120, random_state=3, stratify=cancer.target)
    x_tr = x_tr.astype(np.float32).astype(np.float64)
    x_ev = x_ev.astype(np.float32).astype(np.float64)
    text = np.array(["malignant", "benign"])  # cancer.target_names: 0 = malignant, 1 = benign
    for suffix, ytr, yev in (("int", y_tr, y_ev), ("str", text[y_tr], text[y_ev])):
        pipe = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=5000)).fit(x_tr, ytr)
        export(pipe, len(names), f"cancer_{suffix}.onnx")
        write_csv(f"cancer_{suffix}.csv", names, x_ev, [v if isinstance(v, str) else int(v) for v in yev])
        expected[f"cancer_{suffix}"] = reference(pipe, x_ev, list(yev))
        if suffix == "str":
            base = make_pipeline(StandardScaler(), LogisticRegression(C=0.0005, max_iter=5000)).fit(x_tr, ytr)
            export(base, len(names), "cancer_str_baseline.onnx")
            expected["cancer_str_baseline"] = reference(base, x_ev, list(yev))

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    for k, v in expected.items():
        if isinstance(v, dict):
            print(k, v["classes"], "accuracy", round(v["accuracy"], 4), "log_loss", round(v["log_loss"], 4))


if __name__ == "__main__":
    main()
