#!/usr/bin/env python3
"""A pickled scikit-learn classifier behind model-gate's command runner.

    model-gate validate --command 'python3 examples/serving/sklearn_adapter.py model.pkl' ...

The protocol is JSON Lines on stdin/stdout: print one ready line, then answer each request line
with one response line carrying the same id. Anything else (logs, warnings) goes to stderr.
"""
import json
import pickle
import sys

import numpy as np
import sklearn

with open(sys.argv[1], "rb") as f:
    model = pickle.load(f)
n_features = model.n_features_in_
classes = model.classes_


def send(message):
    # Python writes NaN and Infinity as bare tokens; model-gate reads them.
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


send({
    "ready": True,
    "model": {"framework": f"scikit-learn {sklearn.__version__}", "class": type(model).__name__, "classes": classes.tolist()},
    "inputs": [{"name": "input", "datatype": "FP64", "shape": [-1, n_features]}],
    "outputs": [
        {"name": "label", "datatype": "INT64", "shape": [-1]},
        {"name": "probabilities", "datatype": "FP64", "shape": [-1, len(classes)]},
    ],
})

for line in sys.stdin:
    request = json.loads(line)
    try:
        if len(request["inputs"]) != 1 or request["inputs"][0]["name"] != "input":
            raise ValueError('expected one input named "input"')
        tensor = request["inputs"][0]
        if tensor["datatype"] != "FP64":
            raise ValueError(f'input must be FP64, got {tensor["datatype"]}')
        x = np.asarray(tensor["data"], dtype=np.float64).reshape(tensor["shape"])
        if x.ndim != 2 or x.shape[1] != n_features:
            raise ValueError(f"expected shape [n, {n_features}], got {list(x.shape)}")
        if x.shape[0] == 0:
            label, proba = np.zeros(0, dtype=np.int64), np.zeros((0, len(classes)))
        else:
            proba = model.predict_proba(x)  # rejects NaN and Inf with a ValueError
            label = classes[proba.argmax(axis=1)]
        send({"id": request["id"], "outputs": [
            {"name": "label", "datatype": "INT64", "shape": [len(label)], "data": label.astype(int).tolist()},
            {"name": "probabilities", "datatype": "FP64", "shape": list(proba.shape), "data": proba.ravel().tolist()},
        ]})
    except Exception as error:  # the request is refused, the adapter keeps serving
        send({"id": request.get("id"), "error": f"{type(error).__name__}: {error}"})
