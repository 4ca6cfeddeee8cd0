#!/usr/bin/env python3
"""Tabular models as teams ship them (scikit-learn Pipelines, HistGradientBoosting, XGBoost), on
data shaped like real tables (text categories, empty cells, string class labels, 1% positives),
for the QA sweep of model-gate's verdicts on the Python adapter and on served endpoints
(test/qa-tabular-verdicts.test.ts).

Run with Debian's packages (python3-sklearn 1.2, python3-xgboost 1.7, python3-pandas):
    /usr/bin/python3 scripts/models/make_qa_tabular_models.py test/fixtures/models/qa-tabular

Seeded: the same files every time on the same builds. Writes into OUT_DIR:
  churn.csv            eval rows: plan, region (text, 5% empty), tenure (10% empty), monthly, calls, churn (0/1)
  churn_num.csv        the same rows without the text columns (numeric features only)
  churn_ref.csv        pipe_a's training rows (the reference for drift), empty cells alike
  pipe_a.pkl pipe_b.pkl  Pipeline(ColumnTransformer(OneHotEncoder on plan, region; imputer + scaler
                       on the numbers), LogisticRegression), fitted on a DataFrame; b: another sample
  pipe_a.onnx          pipe_a as skl2onnx converts it from a DataFrame: one input per column (plan,
                       region string [N, 1]; tenure, monthly, calls float [N, 1]), label, probabilities
  hgb.pkl              HistGradientBoostingClassifier on the numeric columns (NaN: missing, natively)
  xgb_bin.json         XGBClassifier on the numeric columns (NaN: missing, natively)
  reg.csv              eval rows x0 ... x4, y (continuous)
  gbr.pkl xgb_reg.json GradientBoostingRegressor (candidate), XGBRegressor (baseline) on reg.csv
  gbr_shuffled.pkl     broken: a GradientBoostingRegressor fitted on shuffled targets
  tier.csv             eval rows x0 ... x3, tier (text: bronze, silver, gold)
  xgb_tier.json        XGBClassifier multi:softprob on the tiers label-encoded in sorted order
                       (bronze, gold, silver: --classes bronze,gold,silver)
  fraud.csv            eval rows v0 ... v5, fraud (1% positives)
  fraud_lr.pkl fraud_lr_b.pkl  LogisticRegression(class_weight=balanced) on two samples
  fraud_never.pkl      broken: LogisticRegression fitted on shuffled labels: never predicts fraud,
                       so its accuracy is the base rate (0.986), ROC AUC about 0.5
  expected.json        metrics of each model on its eval rows (as read back from the CSV), from sklearn.metrics
Beside them, written by hand: serve_sklearn.py (a V2 / MLflow HTTP server of a pickle, healthy or
faulty) and misbehave.py (the adapter answering in ways a hand-written command gets wrong).
"""
import csv
import json
import os
import pickle
import sys

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn import metrics as skm
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingRegressor, HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

OUT = sys.argv[1] if len(sys.argv) > 1 else "qa-tabular-models"
os.makedirs(OUT, exist_ok=True)
expected = {}


def path(name):
    return os.path.join(OUT, name)


def dump(model, name):
    with open(path(name), "wb") as f:
        pickle.dump(model, f, protocol=4)


def write_csv(name, frame):
    """Empty cells for NaN, as a spreadsheet or pandas.to_csv writes them; returns the rows as read
    back, so the reference metrics are those of the numbers the gate reads."""
    frame.to_csv(path(name), index=False, float_format="%.6g", lineterminator="\n")
    return pd.read_csv(path(name))


def churn(n, seed):
    rng = np.random.default_rng(seed)
    plan = rng.choice(["basic", "plus", "pro"], n, p=[0.5, 0.3, 0.2])
    region = rng.choice(["north", "south", "east", "west"], n)
    tenure = rng.gamma(2.0, 12.0, n).round(1)
    monthly = (20 + 15 * (plan == "plus") + 40 * (plan == "pro") + rng.normal(0, 5, n)).round(2)
    calls = rng.poisson(2, n).astype(float)
    z = -0.06 * tenure + 0.5 * calls + 0.8 * (plan == "basic") + 0.6 * (region == "south") - 0.5
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    tenure[rng.random(n) < 0.1] = np.nan  # 10% unknown tenure: empty cells
    region = region.astype(object)
    region[rng.random(n) < 0.05] = np.nan  # 5% unknown region: empty cells, NaN to pandas.read_csv
    return pd.DataFrame({"plan": plan, "region": region, "tenure": tenure, "monthly": monthly, "calls": calls, "churn": y})


def classification(y, pred, proba):
    out = {"accuracy": skm.accuracy_score(y, pred), "f1_macro": skm.f1_score(y, pred, average="macro")}
    if proba is not None and proba.shape[1] == 2:
        out["roc_auc"] = skm.roc_auc_score(y, proba[:, 1])
    return out


NUM = ["tenure", "monthly", "calls"]
CAT = ["plan", "region"]


def pipeline():
    pre = ColumnTransformer([
        ("cat", OneHotEncoder(handle_unknown="ignore"), CAT),
        ("num", Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]), NUM),
    ])
    return Pipeline([("pre", pre), ("clf", LogisticRegression(max_iter=1000))])


def make_churn():
    train_a, train_b, ev = churn(1500, 1), churn(1500, 2), churn(400, 3)
    ev = write_csv("churn.csv", ev)
    write_csv("churn_ref.csv", train_a)  # the training rows, as drift's reference
    write_csv("churn_num.csv", ev[NUM + ["churn"]])
    x_ev = ev[CAT + NUM]
    for name, train in (("pipe_a", train_a), ("pipe_b", train_b)):
        m = pipeline().fit(train[CAT + NUM], train["churn"])
        dump(m, f"{name}.pkl")
        if name == "pipe_a":
            export_pipeline(m, "pipe_a.onnx")
            # The ONNX OneHotEncoder knows text categories only: an empty cell is an unknown
            # category there (all zeros), as handle_unknown="ignore" makes it in scikit-learn.
            unknown = x_ev.fillna({"region": "<empty>"})
            expected["pipe_a_onnx"] = classification(ev["churn"], m.predict(unknown), m.predict_proba(unknown))
        expected[name] = classification(ev["churn"], m.predict(x_ev), m.predict_proba(x_ev))
    hgb = HistGradientBoostingClassifier(max_iter=60, random_state=0).fit(train_a[NUM].to_numpy(), train_a["churn"])
    dump(hgb, "hgb.pkl")
    x = ev[NUM].to_numpy()
    expected["hgb"] = classification(ev["churn"], hgb.predict(x), hgb.predict_proba(x))
    xb = xgb.XGBClassifier(n_estimators=40, max_depth=3, random_state=0, n_jobs=1).fit(train_a[NUM].to_numpy(), train_a["churn"])
    xb.save_model(path("xgb_bin.json"))
    expected["xgb_bin"] = classification(ev["churn"], xb.predict(x), xb.predict_proba(x))


def export_pipeline(m, name):
    """The graph skl2onnx's convert_sklearn writes for pipeline() fitted on a DataFrame, with one
    input per column (initial_types from the frame: StringTensorType / FloatTensorType [None, 1]):
    OneHotEncoder per text column (unknown and "" -> zeros), Imputer (NaN -> the median) and
    Scaler on the numbers, LinearClassifier -> label int64 [N], probabilities float [N, 2]."""
    import onnx
    from onnx import TensorProto, helper

    pre, clf = m.named_steps["pre"], m.named_steps["clf"]
    enc = pre.named_transformers_["cat"]
    num = pre.named_transformers_["num"]
    imputer, scaler = num.named_steps["impute"], num.named_steps["scale"]
    nodes, hot = [], []
    for col, cats in zip(CAT, enc.categories_):
        # A NaN category (empty cells at fit time) has no string: its column stays, always 0.
        strings = [str(c) if isinstance(c, str) else "\u0000nan" for c in cats]
        nodes.append(helper.make_node("OneHotEncoder", [col], [f"{col}_hot3"], domain="ai.onnx.ml", cats_strings=strings, zeros=1))
        nodes.append(helper.make_node("Flatten", [f"{col}_hot3"], [f"{col}_hot"], axis=1))
        hot.append(f"{col}_hot")
    nodes.append(helper.make_node("Concat", NUM, ["numbers"], axis=1))
    nodes.append(helper.make_node("Imputer", ["numbers"], ["imputed"], domain="ai.onnx.ml", imputed_value_floats=imputer.statistics_.astype(np.float32).tolist(), replaced_value_float=float("nan")))
    nodes.append(helper.make_node("Scaler", ["imputed"], ["scaled"], domain="ai.onnx.ml", offset=scaler.mean_.astype(np.float32).tolist(), scale=(1.0 / scaler.scale_).astype(np.float32).tolist()))
    nodes.append(helper.make_node("Concat", [*hot, "scaled"], ["features"], axis=1))
    coefficients = clf.coef_.flatten().astype(float).tolist()
    intercepts = clf.intercept_.astype(float).tolist()
    nodes.append(helper.make_node(
        "LinearClassifier", ["features"], ["label", "probabilities"], domain="ai.onnx.ml",
        coefficients=[-c for c in coefficients] + coefficients, intercepts=[-c for c in intercepts] + intercepts,
        classlabels_ints=[int(c) for c in clf.classes_], multi_class=0, post_transform="LOGISTIC",
    ))
    inputs = [helper.make_tensor_value_info(c, TensorProto.STRING, [None, 1]) for c in CAT]
    inputs += [helper.make_tensor_value_info(c, TensorProto.FLOAT, [None, 1]) for c in NUM]
    graph = helper.make_graph(nodes, "pipeline", inputs, [
        helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
        helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 2]),
    ])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("ai.onnx.ml", 1)])
    model.ir_version = 7
    model.producer_name = "skl2onnx"
    onnx.checker.check_model(model)
    onnx.save(model, path(name))


def make_regression():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(1300, 5))
    y = 3 * x[:, 0] - 2 * x[:, 1] ** 2 + x[:, 2] * x[:, 3] + rng.normal(0, 0.3, 1300)
    tr, ev = slice(0, 1000), slice(1000, 1300)
    frame = pd.DataFrame(x[ev], columns=[f"x{i}" for i in range(5)])
    frame["y"] = y[ev]
    frame = write_csv("reg.csv", frame)
    x_ev = frame[[f"x{i}" for i in range(5)]].to_numpy()  # as read back from the CSV
    gbr = GradientBoostingRegressor(n_estimators=80, max_depth=3, random_state=0).fit(x[tr], y[tr])
    dump(gbr, "gbr.pkl")
    xr = xgb.XGBRegressor(n_estimators=80, max_depth=3, random_state=0, n_jobs=1).fit(x[tr], y[tr])
    xr.save_model(path("xgb_reg.json"))
    bad = GradientBoostingRegressor(n_estimators=80, max_depth=3, random_state=0).fit(x[tr], rng.permutation(y[tr]))
    dump(bad, "gbr_shuffled.pkl")
    for name, m in (("gbr", gbr), ("xgb_reg", xr), ("gbr_shuffled", bad)):
        p = m.predict(x_ev)
        expected[name] = {"mae": skm.mean_absolute_error(frame["y"], p), "rmse": skm.mean_squared_error(frame["y"], p) ** 0.5, "r2": skm.r2_score(frame["y"], p)}


def make_tiers():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(1200, 4))
    score = x[:, 0] + 0.5 * x[:, 1] + rng.normal(0, 0.5, 1200)
    tier = np.where(score < -0.5, "bronze", np.where(score < 0.7, "silver", "gold"))
    classes = sorted(set(tier))  # bronze, gold, silver: sklearn's LabelEncoder order
    code = np.array([classes.index(t) for t in tier])
    m = xgb.XGBClassifier(n_estimators=40, max_depth=3, random_state=0, n_jobs=1).fit(x[:900], code[:900])
    m.save_model(path("xgb_tier.json"))
    frame = pd.DataFrame(x[900:], columns=[f"x{i}" for i in range(4)])
    frame["tier"] = tier[900:]
    frame = write_csv("tier.csv", frame)
    x_ev = frame[[f"x{i}" for i in range(4)]].to_numpy()
    pred = np.array(classes)[m.predict(x_ev)]
    expected["xgb_tier"] = {**classification(frame["tier"], pred, None), "classes": classes}


def make_fraud():
    rng = np.random.default_rng(6)
    n = 6000
    x = rng.normal(size=(n, 6))
    y = (rng.random(n) < 1 / (1 + np.exp(-(2.2 * x[:, 0] + 1.5 * x[:, 1] - 7.5)))).astype(int)
    tr_a, tr_b, ev = slice(0, 2500), slice(2500, 5000), slice(5000, n)
    frame = pd.DataFrame(x[ev], columns=[f"v{i}" for i in range(6)])
    frame["fraud"] = y[ev]
    frame = write_csv("fraud.csv", frame)
    x_ev = frame[[f"v{i}" for i in range(6)]].to_numpy()
    expected["fraud_rows"] = {"n": int(len(frame)), "positives": int(frame["fraud"].sum())}
    for name, sl in (("fraud_lr", tr_a), ("fraud_lr_b", tr_b)):
        m = LogisticRegression(class_weight="balanced", max_iter=1000).fit(x[sl], y[sl])
        dump(m, f"{name}.pkl")
        expected[name] = classification(frame["fraud"], m.predict(x_ev), m.predict_proba(x_ev))
    # Fitted on shuffled labels, unweighted: it never predicts fraud, and its accuracy is the base rate.
    never = LogisticRegression(max_iter=1000).fit(x[tr_a], np.random.default_rng(7).permutation(y[tr_a]))
    dump(never, "fraud_never.pkl")
    expected["fraud_never"] = classification(frame["fraud"], never.predict(x_ev), never.predict_proba(x_ev))


make_churn()
make_regression()
make_tiers()
make_fraud()
with open(path("expected.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
    f.write("\n")
