#!/usr/bin/env python3
"""model-gate's maintained adapter for Python models that are not ONNX files.

    model-gate validate --command 'python3 examples/serving/python_adapter.py model.pkl' ...
    model-gate validate --model candidate.onnx \\
        --baseline-command 'python3 examples/serving/python_adapter.py production.json'

It speaks the command runner's protocol (JSON Lines on stdin/stdout, see docs/frameworks.md and
the README's "A command" section): one ready line, then one answer line per request line, with
the request's id. Logs go to stderr; stdout carries nothing but protocol lines.

The model's kind comes from the file name, or --kind:
  sklearn      .pkl .pickle .joblib   a scikit-learn estimator or Pipeline (pickle or joblib)
  xgboost      .json .ubj             an XGBoost model saved with save_model (Booster or XGB*)
  lightgbm     .txt .lgb              a LightGBM text model (Booster.save_model); untested here
  torchscript  .pt .pth .ts           a TorchScript module (torch.jit.save); see --output

Inputs: one, "input" (FP64 [-1, n_features]); a scikit-learn model whose encoders learned text
categories (a ColumnTransformer over text and numeric columns; --text-columns) takes one input per
column instead, named like it, BYTES or FP64 [-1, 1], an empty text cell read as NaN.

Outputs: a classifier answers "label" (the model's own prediction; text classes as BYTES) and
"probabilities" (rows x classes, the columns named in the ready line's "classes"); a regressor
answers "prediction"; a TorchScript module with --output raw answers "output" as it is.

A request is refused with {"id": .., "error": ".."} (a clean refusal: the gate counts it as the
model rejecting a bad request) when the input's name, element type or shape is not the one the
ready line declared, or when the model raises. NaN and Infinity arrive as the bare tokens NaN,
Infinity and -Infinity, which Python's json module reads and writes as they are.
"""
import argparse
import hashlib
import json
import re
import os
import pickle
import sys

import numpy as np

KINDS = {
    ".pkl": "sklearn",
    ".pickle": "sklearn",
    ".joblib": "sklearn",
    ".json": "xgboost",
    ".ubj": "xgboost",
    ".txt": "lightgbm",
    ".lgb": "lightgbm",
    ".pt": "torchscript",
    ".pth": "torchscript",
    ".ts": "torchscript",
    ".torchscript": "torchscript",
}
NUMPY_OF = {"FP32": np.float32, "FP64": np.float64}


class Refused(Exception):
    """A request the adapter refuses: answered with an error line, the adapter keeps serving."""


def log(message):
    sys.stderr.write(f"python_adapter: {message}\n")
    sys.stderr.flush()


def send(message):
    # allow_nan (the default) writes NaN / Infinity bare, as the gate reads them.
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def class_list(values):
    """Class names as JSON values: integral numbers as ints, text as str."""
    out = []
    for v in values:
        if isinstance(v, (bytes, np.bytes_)):
            out.append(v.decode())
        elif isinstance(v, (str, np.str_)):
            out.append(str(v))
        elif float(v).is_integer():
            out.append(int(v))
        else:
            out.append(float(v))
    return out


def label_tensor(labels, classes):
    """The label output: BYTES for text classes, INT64 for integral ones, else FP64."""
    values = class_list(labels)
    if any(isinstance(c, str) for c in classes):
        datatype = "BYTES"
        values = [str(v) for v in values]
    elif all(isinstance(c, int) for c in classes):
        datatype = "INT64"
    else:
        datatype = "FP64"
    return {"name": "label", "datatype": datatype, "shape": [len(values)], "data": values}


class Model:
    """What every kind provides: the row shape it takes, its outputs, and predict()."""

    dtype = "FP64"
    classes = None  # class names in probability-column order, for a classifier
    task = "regression"  # or "classification", or "raw" (TorchScript --output raw)
    meta = {}

    def predict(self, x):  # -> {"probabilities": array, "labels": array} or {"prediction": array}
        raise NotImplementedError

    def name_classes(self, args, k):
        """Class names of a k-class booster: --classes, else 0 … k-1."""
        self.classes = class_list(args.classes) if args.classes else list(range(k))
        if len(self.classes) != k:
            raise SystemExit(f"--classes names {len(self.classes)} classes; the model has {k}")


class SklearnModel(Model):
    def __init__(self, path, args):
        if path.endswith(".joblib"):
            import joblib

            self.model = joblib.load(path)
        else:
            with open(path, "rb") as f:
                self.model = pickle.load(f)
        import sklearn

        m = self.model
        if not hasattr(m, "predict"):
            raise SystemExit(f"{path}: a {type(m).__name__} has no predict(); is it a scikit-learn estimator?")
        n = getattr(m, "n_features_in_", None) or args.features
        if not n:
            raise SystemExit(f"{path}: the estimator does not say how many features it takes (n_features_in_); pass --features N")
        self.row_shape = [int(n)]
        if hasattr(m, "predict_proba") and hasattr(m, "classes_"):
            self.task = "classification"
            self.classes = class_list(args.classes or m.classes_)
        names = getattr(m, "feature_names_in_", None)
        self.meta = {"framework": f"scikit-learn {sklearn.__version__}", "class": type(m).__name__}
        self.names = None
        self.text = set()
        if names is not None:
            self.meta["feature_names"] = [str(c) for c in names]
            try:  # fitted on a DataFrame (a ColumnTransformer may select columns by name): give it one
                import pandas

                self.names, self.pandas = list(names), pandas
            except ImportError:
                pass
            self.text = set(args.text_columns or text_columns(m)) & set(self.meta["feature_names"])
            if args.text_columns and set(args.text_columns) - self.text:
                raise SystemExit(f"--text-columns names {', '.join(sorted(set(args.text_columns) - self.text))}, which the model does not take; its columns are {', '.join(self.meta['feature_names'])}")
        if self.text:
            # Text columns cannot travel in one FP64 matrix: one input per column, named like it
            # (as skl2onnx converts a DataFrame), BYTES for text, FP64 for numbers.
            self.columns = self.meta["feature_names"]

    def predict(self, x):
        if self.text:
            return self.predict_frame(self.pandas.DataFrame({c: x[c] for c in self.columns}))
        if self.names is not None:
            x = self.pandas.DataFrame(x, columns=self.names)
        return self.predict_frame(x)

    def predict_frame(self, x):
        if self.task == "classification":
            return {"probabilities": self.model.predict_proba(x), "labels": self.model.predict(x)}
        return {"prediction": self.model.predict(x)}


class XGBoostModel(Model):
    def __init__(self, path, args):
        import xgboost as xgb

        self.xgb = xgb
        self.booster = xgb.Booster()
        self.booster.load_model(path)
        # One thread by default: OpenMP's start-up per call costs ~100 ms on a busy 2-core runner.
        self.booster.set_param({"nthread": args.threads})
        self.threads = args.threads
        config = json.loads(self.booster.save_config())
        learner = config["learner"]
        self.objective = learner["objective"]["name"]
        num_class = int(learner["learner_model_param"].get("num_class", "0") or 0)
        self.row_shape = [self.booster.num_features()]
        if self.objective.startswith("binary:") and self.objective != "binary:logitraw":
            self.task, k = "classification", 2
        elif self.objective in ("multi:softprob", "multi:softmax"):
            self.task, k = "classification", num_class
        else:
            self.task, k = "regression", 0
        if self.task == "classification":
            self.name_classes(args, k)
        self.meta = {"framework": f"xgboost {xgb.__version__}", "objective": self.objective}
        if self.booster.feature_names:
            self.meta["feature_names"] = list(self.booster.feature_names)

    def predict(self, x):
        # NaN is XGBoost's "missing value" by design; Inf is refused by DMatrix with a ValueError.
        out = self.booster.predict(self.xgb.DMatrix(x, missing=np.nan, feature_names=self.booster.feature_names, nthread=self.threads))
        if self.task == "regression":
            return {"prediction": out}
        if self.objective == "multi:softmax":
            index = out.astype(np.int64)
            proba = None
        else:
            proba = np.column_stack([1 - out, out]) if out.ndim == 1 else out
            index = proba.argmax(axis=1)
        labels = np.asarray(self.classes, dtype=object)[index]
        return {"probabilities": proba, "labels": labels} if proba is not None else {"labels": labels}


class LightGBMModel(Model):
    """Untested in model-gate's own tests (lightgbm is not packaged for Debian)."""

    def __init__(self, path, args):
        import lightgbm as lgb

        self.booster = lgb.Booster(model_file=path)
        self.threads = args.threads
        objective, num_class = "regression", 1
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("objective="):
                    objective = line.split("=", 1)[1].split()[0]
                elif line.startswith("num_class="):
                    num_class = int(line.split("=", 1)[1])
                elif line.startswith("Tree="):
                    break
        self.objective = objective
        self.row_shape = [self.booster.num_feature()]
        if objective in ("binary", "cross_entropy"):
            self.task, k = "classification", 2
        elif objective in ("multiclass", "softmax", "multiclassova", "ovr"):
            self.task, k = "classification", num_class
        else:
            self.task, k = "regression", 0
        if self.task == "classification":
            self.name_classes(args, k)
        self.meta = {"framework": f"lightgbm {lgb.__version__}", "objective": objective, "feature_names": self.booster.feature_name()}

    def predict(self, x):
        if not np.isfinite(x[~np.isnan(x)]).all():
            raise Refused("the input holds Inf")
        out = self.booster.predict(x, num_threads=self.threads)  # NaN is LightGBM's missing value
        if self.task == "regression":
            return {"prediction": out}
        proba = np.column_stack([1 - out, out]) if out.ndim == 1 else out
        return {"probabilities": proba, "labels": np.asarray(self.classes, dtype=object)[proba.argmax(axis=1)]}


class TorchScriptModel(Model):
    dtype = "FP32"

    def __init__(self, path, args):
        import torch

        self.torch = torch
        torch.set_num_threads(args.threads)
        self.module = torch.jit.load(path, map_location="cpu").eval()
        if args.shape:
            self.row_shape = [int(d) for d in args.shape.split(",")]
        elif args.features:
            self.row_shape = [args.features]
        else:
            # The first matrix of weights says how wide a row is for an MLP; anything else needs --shape.
            first = next((p for p in self.module.parameters() if p.dim() == 2), None)
            if first is None:
                raise SystemExit(f"{path}: cannot tell the input's shape from a TorchScript module: pass --shape (e.g. 3,224,224) or --features N")
            self.row_shape = [int(first.shape[1])]
            log(f"rows of {self.row_shape[0]} features, read from the first weight matrix (pass --features to say so)")
        self.output = args.output
        self.task = "raw" if args.output == "raw" else "classification"
        if self.task == "classification":
            with torch.no_grad():
                k = int(self.module(torch.zeros([1, *self.row_shape])).shape[-1])
            self.classes = class_list(args.classes) if args.classes else list(range(k))
            if len(self.classes) != k:
                raise SystemExit(f"--classes names {len(self.classes)} classes; the module gives {k} columns")
        self.meta = {"framework": f"torch {torch.__version__}", "output": args.output}

    def predict(self, x):
        with self.torch.no_grad():
            out = self.module(self.torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)))
        if self.output == "raw":
            return {"output": out.numpy()}
        proba = self.torch.softmax(out, dim=-1) if self.output == "logits" else out
        proba = proba.numpy()
        return {"probabilities": proba, "labels": np.asarray(self.classes, dtype=object)[proba.argmax(axis=1)]}


def text_columns(model):
    """Columns a fitted scikit-learn model reads as text: those its encoders (OneHotEncoder,
    OrdinalEncoder, …) learned text categories for, inside Pipelines and ColumnTransformers."""
    found = []

    def visit(est, columns):
        if est is None or isinstance(est, str):
            return
        for step in getattr(est, "steps", None) or []:  # Pipeline: every step sees the same columns first
            visit(step[1], columns)
            break
        for name, inner, cols in getattr(est, "transformers_", None) or []:  # ColumnTransformer
            if isinstance(cols, str):
                cols = [cols]
            elif hasattr(cols, "__len__") and len(cols) and not isinstance(cols[0], str):
                names = list(getattr(est, "feature_names_in_", []))
                cols = [names[i] for i in np.arange(len(names))[cols]] if names else []
            visit(inner, list(cols) if hasattr(cols, "__len__") else [])
        categories = getattr(est, "categories_", None)
        if categories is not None and columns:
            for column, values in zip(columns, categories):
                if any(isinstance(v, (str, bytes, np.str_, np.bytes_)) for v in values):
                    found.append(column)

    visit(model, list(getattr(model, "feature_names_in_", [])))
    return found


LOADERS = {"sklearn": SklearnModel, "xgboost": XGBoostModel, "lightgbm": LightGBMModel, "torchscript": TorchScriptModel}


def output_specs(model):
    if model.task == "classification":
        k = len(model.classes)
        label = label_tensor([], model.classes)
        return [
            {"name": "label", "datatype": label["datatype"], "shape": [-1], "classes": model.classes},
            {"name": "probabilities", "datatype": "FP64", "shape": [-1, k], "classes": model.classes},
        ]
    if model.task == "raw":
        return [{"name": "output", "datatype": model.dtype, "shape": [-1]}]
    return [{"name": "prediction", "datatype": "FP64", "shape": [-1]}]


def read_input(request, model, name):
    inputs = request.get("inputs")
    if not isinstance(inputs, list) or len(inputs) != 1:
        raise Refused(f'expected one input, "{name}"; got {len(inputs) if isinstance(inputs, list) else "none"}')
    tensor = inputs[0]
    if tensor.get("name") != name:
        raise Refused(f'unknown input "{tensor.get("name")}"; the model takes "{name}"')
    if tensor.get("datatype") != model.dtype:
        raise Refused(f'input "{name}" must be {model.dtype}, got {tensor.get("datatype")}')
    shape = tensor.get("shape")
    if not isinstance(shape, list) or list(shape[1:]) != model.row_shape:
        raise Refused(f'input "{name}" must have shape [n, {", ".join(map(str, model.row_shape))}], got {shape}')
    data = tensor.get("data")
    if not isinstance(data, list) or len(data) != int(np.prod(shape)):
        raise Refused(f'input "{name}": shape {shape} does not hold {len(data) if isinstance(data, list) else "no"} values')
    x = np.asarray(data, dtype=NUMPY_OF[model.dtype]).reshape(shape)
    # Trees and linear models compute in float64 whatever came in; TorchScript takes float32.
    return x.astype(np.float32 if isinstance(model, TorchScriptModel) else np.float64)


def read_columns(request, model):
    """A request for a model with text columns: one input per column, [n, 1] or [n], BYTES for a
    text column and FP64 for a number; returns ({column: 1-d array}, rows), "" read as NaN."""
    inputs = request.get("inputs")
    got = {t.get("name"): t for t in inputs if isinstance(t, dict)} if isinstance(inputs, list) else {}
    missing = [c for c in model.columns if c not in got]
    if missing:
        raise Refused(f'missing input{"s" if len(missing) > 1 else ""} {", ".join(missing)}; the model takes one input per column: {", ".join(model.columns)}')
    unknown = [n for n in got if n not in model.columns]
    if unknown:
        raise Refused(f'unknown input "{unknown[0]}"; the model takes {", ".join(model.columns)}')
    out, rows = {}, None
    for c in model.columns:
        t = got[c]
        want = "BYTES" if c in model.text else "FP64"
        if t.get("datatype") != want:
            raise Refused(f'input "{c}" must be {want}, got {t.get("datatype")}')
        shape, data = t.get("shape"), t.get("data")
        if not isinstance(shape, list) or len(shape) not in (1, 2) or (len(shape) == 2 and shape[1] != 1):
            raise Refused(f'input "{c}" must have shape [n, 1], got {shape}')
        if not isinstance(data, list) or len(data) != shape[0]:
            raise Refused(f'input "{c}": shape {shape} does not hold {len(data) if isinstance(data, list) else "no"} values')
        if rows is not None and shape[0] != rows:
            raise Refused(f'input "{c}" has {shape[0]} rows, the others {rows}')
        rows = shape[0]
        # An empty text cell is NaN, as pandas.read_csv reads it (and the model saw it in training).
        out[c] = np.asarray([np.nan if v == "" else str(v) for v in data], dtype=object) if want == "BYTES" else np.asarray(data, dtype=np.float64)
    return out, rows


def answer(model, x, n=None):
    n = x.shape[0] if n is None else n
    if n == 0:  # many estimators refuse an empty batch; the answer to no rows is no predictions
        if model.task == "classification":
            got = {"probabilities": np.zeros((0, len(model.classes))), "labels": np.zeros(0, dtype=object)}
        elif model.task == "raw":
            got = {"output": np.zeros((0,), dtype=np.float32)}
        else:
            got = {"prediction": np.zeros(0)}
    else:
        got = model.predict(x)
    outputs = []
    if "labels" in got:
        outputs.append(label_tensor(list(np.asarray(got["labels"]).ravel()), model.classes))
    if got.get("probabilities") is not None:
        p = np.asarray(got["probabilities"], dtype=np.float64)
        outputs.append({"name": "probabilities", "datatype": "FP64", "shape": list(p.shape), "data": p.ravel().tolist()})
    if "prediction" in got:
        p = np.asarray(got["prediction"], dtype=np.float64).ravel()
        outputs.append({"name": "prediction", "datatype": "FP64", "shape": [len(p)], "data": p.tolist()})
    if "output" in got:
        o = np.asarray(got["output"])
        outputs.append({"name": "output", "datatype": model.dtype, "shape": list(o.shape), "data": o.ravel().tolist()})
    return outputs


def main():
    parser = argparse.ArgumentParser(description="Serve a Python model to model-gate over its command protocol (JSON Lines).")
    parser.add_argument("model", help="the model file")
    parser.add_argument("--kind", choices=sorted(LOADERS), help="the model's framework (default: from the file extension)")
    parser.add_argument("--input-name", default="input", help='the input\'s name in the protocol (default "input")')
    parser.add_argument("--classes", type=lambda s: s.split(","), help="class names in probability-column order, comma-separated (default: the model's own, else 0..k-1)")
    parser.add_argument("--dtype", choices=sorted(NUMPY_OF), help="the input's element type (default FP64, FP32 for TorchScript); FP32 with --input-name matches an ONNX model's signature, to compare the two")
    parser.add_argument("--features", type=int, help="features per row, when the model does not say")
    parser.add_argument("--shape", help="torchscript: the input's dims after the batch, comma-separated (e.g. 3,224,224)")
    parser.add_argument("--threads", type=int, default=1, help="threads per prediction for XGBoost, LightGBM, torch and scikit-learn's OpenMP and BLAS (default 1: small batches are fastest so)")
    parser.add_argument("--text-columns", type=lambda s: s.split(","), help="sklearn: the columns the model reads as text, comma-separated (default: those its encoders learned text categories for); each column is then its own input")
    parser.add_argument("--output", choices=["raw", "logits", "probabilities"], default="raw", help="torchscript: what the module returns (logits get a softmax)")
    args = parser.parse_args()

    kind = args.kind or KINDS.get(os.path.splitext(args.model)[1].lower())
    if kind is None:
        parser.error(f"cannot tell the kind of {args.model} from its extension: pass --kind ({', '.join(sorted(LOADERS))})")
    try:
        model = LOADERS[kind](args.model, args)
    except ImportError as error:
        raise SystemExit(f"{kind} models need the Python package: {error}")
    if args.dtype:
        model.dtype = args.dtype

    if getattr(model, "text", None):
        inputs = [{"name": c, "datatype": "BYTES" if c in model.text else "FP64", "shape": [-1, 1]} for c in model.columns]
        log(f"one input per column (text: {', '.join(c for c in model.columns if c in model.text)})")
    else:
        inputs = [{"name": args.input_name, "datatype": model.dtype, "shape": [-1, *model.row_shape]}]
    limit_threads(args.threads)
    send({
        "ready": True,
        "model": {"kind": kind, "file": os.path.basename(args.model), "sha256": sha256_of(args.model), **model.meta},
        "inputs": inputs,
        "outputs": output_specs(model),
    })
    for line in sys.stdin:
        if not line.strip():
            continue
        request_id = None
        try:
            request = json.loads(line)  # reads the bare NaN / Infinity / -Infinity tokens
            request_id = request.get("id")
            if getattr(model, "text", None):
                columns, n = read_columns(request, model)
                send({"id": request_id, "outputs": answer(model, columns, n)})
            else:
                send({"id": request_id, "outputs": answer(model, read_input(request, model, args.input_name))})
        except Refused as error:
            send({"id": request_id, "error": str(error)})
        except (ValueError, TypeError, RuntimeError, KeyError, IndexError) as error:
            # What the model raises on a bad request (NaN for most scikit-learn estimators, Inf for XGBoost).
            # XGBoost appends its C++ stack trace to the message: the cause is what comes before it.
            cause = str(error).split("\nStack trace:")[0].strip()
            if OUT_OF_MEMORY.search(cause):
                raise  # torch reports running out of memory as a RuntimeError: a crash, never a refusal
            send({"id": request_id, "error": f"{type(error).__name__}: {cause}"})


def limit_threads(threads):
    """--threads for scikit-learn too: HistGradientBoosting and others predict on OpenMP threads,
    and BLAS has its own; on a small busy runner their start-up per call dominates small batches
    (a p95 of 200 ms for a 1 ms prediction). threadpoolctl comes with scikit-learn."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=threads)


OUT_OF_MEMORY = re.compile(r"out of memory|can't allocate memory|failed to allocate|bad_alloc", re.I)


if __name__ == "__main__":
    main()
