"""Reference values for src/stats/isotonic.ts and src/stats/cbpe.ts.

CBPE as NannyML publishes it (nannyml.readthedocs.io, "How it works: CBPE"; NannyML itself is not
installable here): scikit-learn's IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1) fitted
on the reference scores and labels; the expected confusion matrix on a window; ROC AUC from the
calibrated probabilities ranked by the raw scores; sampling errors from the reference as in
nannyml/sampling_error/binary_classification.py; interval = estimate +- 3 sampling errors.

Run with Debian's python3 (numpy, scikit-learn):  /usr/bin/python3 scripts/reference/cbpe.py
Writes test/fixtures/reference/cbpe.json.
"""
import json
import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import auc, roc_auc_score

from nannyml_sampling import binary_components

rng = np.random.default_rng(20261129)
W = np.array([1.5, -1.0, 0.8])


def sample(n, shift):
    x = rng.normal(0, 1, (n, 3)) + shift
    logit = x @ W - 0.3
    y = (rng.uniform(0, 1, n) < 1 / (1 + np.exp(-logit))).astype(int)
    # The model is over-confident: its scores need calibrating.
    score = 1 / (1 + np.exp(-2.0 * logit))
    pred = (score >= 0.5).astype(int)
    return np.round(score, 6), pred, y


def components(score, pred, label):
    n = len(label)
    correct = (label == pred).astype(int)
    # auroc (nannyml.sampling_error.binary_classification.auroc_sampling_error_components)
    y, s = label.copy(), score.copy()
    if y.mean() > 0.5:
        y, s = 1 - y, 1 - s
    idx = np.argsort(s, kind="stable")
    y = y[idx]
    ranks = y * np.arange(len(y))
    indexes = np.unique(ranks)[1:]
    ser = np.array([index - i for i, index in enumerate(indexes)]) / (len(y) - y.sum())
    return {
        "accuracy": (float(np.std(correct)), 1.0),
        **binary_components(pred, label),
        "roc_auc": (float(np.std(ser)), float(y.sum() / n)),
    }


def estimate(cal, score, pred, comps):
    n = len(score)
    tp = np.sum(np.where(pred == 1, cal, 0))
    fp = np.sum(np.where(pred == 1, 1 - cal, 0))
    fn = np.sum(np.where(pred == 0, cal, 0))
    tn = np.sum(np.where(pred == 0, 1 - cal, 0))
    order = np.argsort(score, kind="stable")[::-1]
    c = cal[order]
    tps = np.round(np.r_[0, np.cumsum(c)], 5)
    fps = np.round(np.r_[0, 1 + np.arange(n) - np.cumsum(c)], 5)
    est = {
        "accuracy": (tp + tn) / n,
        "precision": tp / (tp + fp),
        "recall": tp / (tp + fn),
        "f1": tp / (tp + 0.5 * (fp + fn)),
        "roc_auc": auc(fps / fps[-1], tps / tps[-1]),
    }
    out = {}
    for m, v in est.items():
        sd, frac = comps[m]
        se = sd / np.sqrt(n * frac)
        out[m] = {"value": float(v), "sampling_error": float(se), "lower": float(max(0, v - 3 * se)), "upper": float(min(1, v + 3 * se))}
    return out


def realised(score, pred, label):
    tp = ((label == 1) & (pred == 1)).sum()
    fp = ((label == 0) & (pred == 1)).sum()
    fn = ((label == 1) & (pred == 0)).sum()
    return {
        "accuracy": float((label == pred).mean()),
        "precision": float(tp / (tp + fp)),
        "recall": float(tp / (tp + fn)),
        "f1": float(tp / (tp + 0.5 * (fp + fn))),
        "roc_auc": float(roc_auc_score(label, score)),
    }


ref_score, ref_pred, ref_label = sample(600, 0.0)
iso = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(ref_score, ref_label)
comps = components(ref_score, ref_pred, ref_label)
windows = []
for shift in (0.0, 0.5, -0.8):
    s, p, y = sample(300, shift)
    cal = iso.predict(s)
    windows.append({"shift": shift, "score": s.tolist(), "pred": p.tolist(), "label": y.tolist(), "calibrated": cal.tolist(), "estimates": estimate(cal, s, p, comps), "realised": realised(s, p, y)})

# Isotonic alone, with ties and violations, predicted inside and outside the fitted range.
iso_x = [0.1, 0.2, 0.2, 0.3, 0.5, 0.5, 0.7, 0.9, 0.9, 1.0]
iso_y = [0, 1, 0, 0, 1, 0, 1, 1, 0, 1]
iso_q = [-1.0, 0.1, 0.15, 0.2, 0.4, 0.6, 0.95, 2.0]
iso2 = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(iso_x, iso_y)

with open("test/fixtures/reference/cbpe.json", "w") as f:
    json.dump({
        "generator": "scripts/reference/cbpe.py",
        "isotonic": {"x": iso_x, "y": iso_y, "query": iso_q, "predicted": iso2.predict(iso_q).tolist()},
        "reference": {"score": ref_score.tolist(), "pred": ref_pred.tolist(), "label": ref_label.tolist(), "realised": realised(ref_score, ref_pred, ref_label), "components": comps},
        "windows": windows,
    }, f)
