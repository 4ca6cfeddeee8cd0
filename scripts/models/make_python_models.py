#!/usr/bin/env python3
"""Tiny models in their own frameworks' formats, for examples/serving/python_adapter.py, trained at
test time (they are small and quick) with Debian's packages:

    apt-get install python3-sklearn python3-xgboost python3-torch
    /usr/bin/python3 scripts/models/make_python_models.py OUT_DIR [sklearn] [xgboost] [torch]

Trains on examples/iris/reference.csv, evaluates on examples/iris/eval.csv, and writes into OUT_DIR:
  eval_named.csv        the eval rows with the species as text (setosa, versicolor, virginica)
  candidate.pkl         scikit-learn LogisticRegression, text classes (pickle)
  stump.joblib          scikit-learn DecisionTreeClassifier(max_depth=1), text classes (joblib)
  regressor.pkl         scikit-learn Ridge predicting petal_width from the other three (eval_reg.csv)
  xgb.json / xgb.ubj    XGBClassifier(multi:softprob), classes 0, 1, 2
  mlp.pt                TorchScript MLP returning logits, classes 0, 1, 2
  mlp.onnx              the same MLP exported with torch.onnx.export, softmax included
                        (input "features" float32[batch, 4] -> "probabilities" [batch, 3])
  expected.json         each model's metrics on the eval rows, from sklearn.metrics
"""
import csv
import json
import os
import pickle
import sys

import numpy as np

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
NAMES = ["setosa", "versicolor", "virginica"]


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return np.array([[float(r[c]) for c in FEATURES] for r in rows]), np.array([int(r["species"]) for r in rows])


def classification_metrics(y, pred, proba, classes):
    from sklearn import metrics

    return {
        "accuracy": metrics.accuracy_score(y, pred),
        "f1_macro": metrics.f1_score(y, pred, average="macro"),
        "log_loss": metrics.log_loss(y, proba, labels=classes),
        "predictions": [p.item() if hasattr(p, "item") else p for p in pred],
    }


def main():
    out = sys.argv[1]
    wanted = set(sys.argv[2:]) or {"sklearn", "xgboost", "torch"}
    os.makedirs(out, exist_ok=True)
    x_train, y_train = read("examples/iris/reference.csv")
    x_eval, y_eval = read("examples/iris/eval.csv")
    named_train, named_eval = np.array(NAMES)[y_train], np.array(NAMES)[y_eval]
    expected = {}
    with open(os.path.join(out, "eval_named.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(FEATURES + ["species"])
        for row, label in zip(x_eval, named_eval):
            w.writerow([*row.tolist(), label])

    if "sklearn" in wanted:
        import joblib
        from sklearn.linear_model import LogisticRegression, Ridge
        from sklearn import metrics
        from sklearn.tree import DecisionTreeClassifier

        model = LogisticRegression(max_iter=1000).fit(x_train, named_train)
        with open(os.path.join(out, "candidate.pkl"), "wb") as f:
            pickle.dump(model, f)
        expected["candidate"] = classification_metrics(named_eval, model.predict(x_eval), model.predict_proba(x_eval), model.classes_)
        stump = DecisionTreeClassifier(max_depth=1, random_state=0).fit(x_train, named_train)
        joblib.dump(stump, os.path.join(out, "stump.joblib"))
        expected["stump"] = classification_metrics(named_eval, stump.predict(x_eval), stump.predict_proba(x_eval), stump.classes_)
        # Regression: petal_width from the other three.
        reg = Ridge(alpha=1.0).fit(x_train[:, :3], x_train[:, 3])
        with open(os.path.join(out, "regressor.pkl"), "wb") as f:
            pickle.dump(reg, f)
        with open(os.path.join(out, "eval_reg.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(FEATURES)
            for row in x_eval:
                w.writerow(row.tolist())
        pred = reg.predict(x_eval[:, :3])
        expected["regressor"] = {
            "rmse": metrics.mean_squared_error(x_eval[:, 3], pred) ** 0.5,
            "mae": metrics.mean_absolute_error(x_eval[:, 3], pred),
            "r2": metrics.r2_score(x_eval[:, 3], pred),
        }

    if "xgboost" in wanted:
        import xgboost as xgb

        model = xgb.XGBClassifier(n_estimators=20, max_depth=2, learning_rate=0.3, random_state=0).fit(x_train, y_train)
        model.save_model(os.path.join(out, "xgb.json"))
        model.save_model(os.path.join(out, "xgb.ubj"))
        proba = model.predict_proba(x_eval)
        expected["xgboost"] = classification_metrics(y_eval, model.predict(x_eval), proba, [0, 1, 2])

    if "torch" in wanted:
        import torch

        torch.manual_seed(0)
        mean, std = x_train.mean(axis=0), x_train.std(axis=0)

        class MLP(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.mean = torch.nn.Parameter(torch.tensor(mean, dtype=torch.float32).reshape(1, 4), requires_grad=False)
                self.std = torch.nn.Parameter(torch.tensor(std, dtype=torch.float32).reshape(1, 4), requires_grad=False)
                self.net = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))

            def forward(self, x):
                return self.net((x - self.mean) / self.std)

        net = MLP()
        opt = torch.optim.Adam(net.parameters(), lr=0.05)
        xt, yt = torch.tensor(x_train, dtype=torch.float32), torch.tensor(y_train)
        for _ in range(200):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(xt), yt).backward()
            opt.step()
        net.eval()
        torch.jit.script(net).save(os.path.join(out, "mlp.pt"))
        # The ONNX route: export the module with a softmax on top, the batch axis left open.
        with_softmax = torch.nn.Sequential(net, torch.nn.Softmax(dim=-1)).eval()
        torch.onnx.export(
            with_softmax,
            torch.zeros(1, 4),
            os.path.join(out, "mlp.onnx"),
            input_names=["features"],
            output_names=["probabilities"],
            dynamic_axes={"features": {0: "batch"}, "probabilities": {0: "batch"}},
            opset_version=13,
        )
        with torch.no_grad():
            proba = torch.softmax(net(torch.tensor(x_eval, dtype=torch.float32)), dim=-1).numpy().astype(np.float64)
        expected["torch"] = classification_metrics(y_eval, proba.argmax(axis=1), proba, [0, 1, 2])

    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    main()
