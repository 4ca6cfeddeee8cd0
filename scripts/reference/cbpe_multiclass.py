"""Reference values for src/stats/cbpe-multiclass.ts: CBPE for a multiclass classifier.

As NannyML publishes it (nannyml.readthedocs.io, "How it works: CBPE";
nannyml/performance_estimation/confidence_based/metrics.py and
nannyml/sampling_error/multiclass_classification.py; NannyML itself is not installable here):
each class's probability calibrated one-vs-rest with scikit-learn's
IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1) on the reference, the calibrated
probabilities of a row normalised to sum to 1; estimated accuracy = mean calibrated probability of
the predicted class; macro precision / recall / F1 = mean over classes of the one-vs-rest expected
confusion matrices; sampling errors from the reference (accuracy std(correct)/sqrt(n); a macro
metric sqrt(sum_c se_c^2)/K); interval = estimate +- 3 sampling errors, clipped to [0, 1].
Realised metrics by scikit-learn (accuracy_score, precision/recall/f1_score average="macro").

Run with Debian's python3 (numpy, scikit-learn):  /usr/bin/python3 scripts/reference/cbpe_multiclass.py
Writes test/fixtures/reference/cbpe_multiclass.json.
"""
import json
import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

from nannyml_sampling import binary_components

rng = np.random.default_rng(20261130)
# Three classes, three features: the world's logits; the model's are twice as sharp (over-confident).
W = np.array([[1.2, -0.6, 0.0], [-0.4, 1.0, -0.7], [-0.8, -0.4, 0.9]])
B = np.array([0.2, 0.0, -0.1])
K = 3


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def sample(n, shift):
    x = rng.normal(0, 1, (n, 3)) + np.array(shift)
    logits = x @ W.T + B
    p_true = softmax(logits)
    y = np.array([rng.choice(K, p=p) for p in p_true])
    proba = np.round(softmax(2.0 * logits), 6)
    pred = proba.argmax(axis=1)
    return proba, pred, y


def components(pred, label):
    per_class = [binary_components((pred == c).astype(int), (label == c).astype(int)) for c in range(K)]
    return {
        "accuracy": float(np.std((label == pred).astype(int))),
        "precision": [pc["precision"] for pc in per_class],
        "recall": [pc["recall"] for pc in per_class],
        "f1": [pc["f1"] for pc in per_class],
    }


def calibrate(calibrators, proba):
    cal = np.column_stack([calibrators[c].predict(proba[:, c]) for c in range(K)])
    return cal / cal.sum(axis=1, keepdims=True)


def estimate(cal, pred, comps):
    n = len(pred)
    onehot = np.eye(K)[pred]
    est = {"accuracy": float(np.mean(np.max(onehot * cal, axis=1)))}
    per = {"precision": [], "recall": [], "f1": []}
    for c in range(K):
        yp, p = onehot[:, c], cal[:, c]
        tp = np.sum(np.where(yp == 1, p, 0))
        fp = np.sum(np.where(yp == 1, 1 - p, 0))
        fn = np.sum(np.where(yp == 0, p, 0))
        per["precision"].append(tp / (tp + fp))
        per["recall"].append(tp / (tp + fn))
        per["f1"].append(tp / (tp + 0.5 * (fp + fn)))
    for m, v in per.items():
        est[m] = float(np.mean(v))
    out = {}
    for m, v in est.items():
        if m == "accuracy":
            se = comps["accuracy"] / np.sqrt(n)
        else:
            se = np.sqrt(np.sum([(sd / np.sqrt(n * frac)) ** 2 for sd, frac in comps[m]])) / K
        out[m] = {"value": v, "sampling_error": float(se), "lower": float(max(0, v - 3 * se)), "upper": float(min(1, v + 3 * se))}
    return out


def realised(pred, label):
    labels = list(range(K))
    return {
        "accuracy": float(accuracy_score(label, pred)),
        "precision": float(precision_score(label, pred, labels=labels, average="macro")),
        "recall": float(recall_score(label, pred, labels=labels, average="macro")),
        "f1": float(f1_score(label, pred, labels=labels, average="macro")),
    }


ref_proba, ref_pred, ref_label = sample(900, [0.0, 0.0, 0.0])
calibrators = [IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(ref_proba[:, c], (ref_label == c).astype(int)) for c in range(K)]
comps = components(ref_pred, ref_label)
windows = []
for shift in ([0.0, 0.0, 0.0], [0.6, -0.3, 0.0], [-0.5, 0.5, 0.8]):
    proba, pred, y = sample(400, shift)
    cal = calibrate(calibrators, proba)
    windows.append({
        "shift": shift,
        "proba": proba.T.tolist(),
        "pred": pred.tolist(),
        "label": y.tolist(),
        "calibrated": cal.T.tolist(),
        "estimates": estimate(cal, pred, comps),
        "realised": realised(pred, y),
    })

with open("test/fixtures/reference/cbpe_multiclass.json", "w") as f:
    json.dump({
        "generator": "scripts/reference/cbpe_multiclass.py",
        "reference": {"proba": ref_proba.T.tolist(), "pred": ref_pred.tolist(), "label": ref_label.tolist(), "realised": realised(ref_pred, ref_label), "components": comps},
        "windows": windows,
    }, f)
