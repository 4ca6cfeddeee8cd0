#!/usr/bin/env python3
"""Reference values for model-gate's metrics and paired tests.

Run with Debian's python3-sklearn, python3-scipy and python3-statsmodels
(apt-get install python3-sklearn python3-scipy python3-statsmodels):

    /usr/bin/python3 scripts/reference/metrics.py > test/fixtures/reference/metrics.json

Inputs are generated here with a fixed seed and written next to the expected values, so the
tests feed exactly the same numbers to model-gate.
"""
import json
import sys

import numpy as np
import scipy
import sklearn
import statsmodels
from scipy import stats
from sklearn import metrics as skm
from statsmodels.stats.contingency_tables import mcnemar

rng = np.random.default_rng(20261122)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return p / p.sum(axis=1, keepdims=True)


def ece(y, proba, w, bins=15):
    """Top-label expected calibration error, equal-width bins (lo, hi] (Guo et al. 2017)."""
    w = np.ones(len(y)) if w is None else np.asarray(w, float)
    conf = proba.max(axis=1)
    pred = proba.argmax(axis=1)
    b = np.clip(np.ceil(conf * bins).astype(int) - 1, 0, bins - 1)
    total = w.sum()
    out = 0.0
    for k in range(bins):
        m = b == k
        if w[m].sum() == 0:
            continue
        out += abs((w[m] * (pred[m] == y[m])).sum() - (w[m] * conf[m]).sum()) / total
    return out


def classification_case(name, y, proba, pred, w, classes):
    k = len(classes)
    labels = list(range(k))
    kw = {} if w is None else {"sample_weight": w}
    values = {
        "accuracy": skm.accuracy_score(y, pred, **kw),
        "balanced_accuracy": skm.balanced_accuracy_score(y, pred, **kw),
    }
    for avg in ("macro", "micro", "weighted"):
        values[f"precision_{avg}"] = skm.precision_score(y, pred, average=avg, zero_division=0, **kw)
        values[f"recall_{avg}"] = skm.recall_score(y, pred, average=avg, zero_division=0, **kw)
        values[f"f1_{avg}"] = skm.f1_score(y, pred, average=avg, zero_division=0, **kw)
    present = sorted(set(y.tolist()) | set(pred.tolist()))
    p, r, f, s = skm.precision_recall_fscore_support(y, pred, labels=present, zero_division=0, **kw)
    per_class = {str(c): {"precision": p[i], "recall": r[i], "f1": f[i]} for i, c in enumerate(present)}
    if proba is not None:
        if k == 2:
            values["roc_auc"] = skm.roc_auc_score(y, proba[:, 1], **kw)
            values["brier"] = skm.brier_score_loss(y, proba[:, 1], **kw)
        else:
            values["roc_auc"] = skm.roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=labels, **kw)
            onehot = np.eye(k)[y]
            values["brier"] = float(np.average(((proba - onehot) ** 2).sum(axis=1), weights=w))
        values["log_loss"] = skm.log_loss(y, proba, labels=labels, **kw)
        values["ece"] = ece(y, proba, w)
    cm = skm.confusion_matrix(y, pred, labels=labels, **kw)
    return {
        "name": name,
        "k": k,
        "y": y.tolist(),
        "pred": pred.tolist(),
        "proba": None if proba is None else proba.ravel().tolist(),
        "weights": None if w is None else w.tolist(),
        "expected": {key: float(v) for key, v in values.items()},
        "per_class": per_class,
        "confusion_matrix": cm.tolist(),
    }


cases = []

# Binary, probabilities rounded to 2 decimals so that scores tie.
n = 500
y = rng.integers(0, 2, n)
z = rng.normal(size=n) + 1.2 * y
p1 = np.round(1 / (1 + np.exp(-z)), 2)
proba = np.column_stack([1 - p1, p1])
pred = proba.argmax(axis=1)
cases.append(classification_case("binary", y, proba, pred, None, [0, 1]))
w = rng.uniform(0.2, 3, n)
cases.append(classification_case("binary_weighted", y, proba, pred, w, [0, 1]))

# Multiclass, 4 classes, one of them never predicted.
n = 600
y = rng.integers(0, 4, n)
logits = rng.normal(size=(n, 4)) + 1.5 * np.eye(4)[y]
logits[:, 3] -= 4
proba = softmax(logits)
pred = proba.argmax(axis=1)
cases.append(classification_case("multiclass", y, proba, pred, None, [0, 1, 2, 3]))
w = rng.uniform(0.5, 2, n)
cases.append(classification_case("multiclass_weighted", y, proba, pred, w, [0, 1, 2, 3]))

# Labels only; class 2 predicted but never true, class 3 neither.
n = 300
y = rng.choice([0, 1], n)
pred = np.where(rng.uniform(size=n) < 0.8, y, rng.choice([0, 1, 2], n))
cases.append(classification_case("labels_only", y, None, pred, None, [0, 1, 2, 3]))

# Regression, with zeros in the target (MAPE's epsilon guard) and weights.
n = 400
x = rng.normal(size=n)
yr = 3 * x + rng.normal(scale=0.5, size=n)
yr[:5] = 0.0
pr = 3 * x + 0.1
regression = []
for wname, wr in (("regression", None), ("regression_weighted", rng.uniform(0.1, 5, n))):
    kw = {} if wr is None else {"sample_weight": wr}
    regression.append(
        {
            "name": wname,
            "y": yr.tolist(),
            "pred": pr.tolist(),
            "weights": None if wr is None else wr.tolist(),
            "expected": {
                "rmse": float(np.sqrt(skm.mean_squared_error(yr, pr, **kw))),
                "mae": float(skm.mean_absolute_error(yr, pr, **kw)),
                "r2": float(skm.r2_score(yr, pr, **kw)),
                "mape": float(skm.mean_absolute_percentage_error(yr, pr, **kw)),
                "max_error": float(skm.max_error(yr, pr)),
            },
        }
    )

mcnemar_cases = []
for b, c in ((0, 0), (3, 10), (10, 3), (25, 25), (120, 80), (4000, 4200), (1, 60)):
    r = mcnemar(np.array([[50, b], [c, 40]]), exact=True)
    mcnemar_cases.append({"b": b, "c": c, "statistic": float(r.statistic), "p_value": float(r.pvalue)})

mwu_cases = []
samples = [
    ("small_exact", rng.normal(size=5), rng.normal(0.8, 1, size=7)),
    ("ties", np.round(rng.normal(size=40), 1), np.round(rng.normal(0.3, 1, size=55), 1)),
    ("latency_like", rng.lognormal(0.0, 0.3, size=200), rng.lognormal(0.1, 0.3, size=200)),
    ("identical", np.ones(20), np.ones(20)),
    ("far_apart", rng.normal(size=100), rng.normal(10, 1, size=100)),
]
for name, a, b in samples:
    r = stats.mannwhitneyu(a, b, alternative="two-sided", use_continuity=True, method="auto")
    mwu_cases.append({"name": name, "x": a.tolist(), "y": b.tolist(), "statistic": float(r.statistic), "p_value": float(r.pvalue)})

# Paired bootstrap of an accuracy delta: the interval is random, so tests compare within Monte Carlo error.
n = 400
yb = rng.integers(0, 2, n)
cand = np.where(rng.uniform(size=n) < 0.86, yb, 1 - yb)
base = np.where(rng.uniform(size=n) < 0.80, yb, 1 - yb)


def delta(yy, cc, bb, axis=-1):
    return (cc == yy).mean(axis=axis) - (bb == yy).mean(axis=axis)


boot = stats.bootstrap((yb, cand, base), delta, paired=True, vectorized=True, n_resamples=10000,
                       confidence_level=0.95, method="percentile", random_state=np.random.default_rng(1))
bootstrap_case = {
    "y": yb.tolist(),
    "candidate": cand.tolist(),
    "baseline": base.tolist(),
    "low": float(boot.confidence_interval.low),
    "high": float(boot.confidence_interval.high),
    "standard_error": float(boot.standard_error),
}

json.dump(
    {
        "generated_by": "scripts/reference/metrics.py",
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__, "statsmodels": statsmodels.__version__},
        "classification": cases,
        "regression": regression,
        "mcnemar": mcnemar_cases,
        "mannwhitneyu": mwu_cases,
        "bootstrap": bootstrap_case,
    },
    sys.stdout,
    indent=1,
)
sys.stdout.write("\n")
