"""NannyML's sampling-error components of a binary confusion matrix, shared by the CBPE reference
scripts (nannyml/sampling_error/binary_classification.py: precision, recall and F1 components, each
the std of per-row indicators and the share of rows they stand for)."""
import numpy as np


def binary_components(pred, label):
    """{metric: (std, fraction)} for precision, recall and F1 of 0/1 predictions against 0/1 labels."""
    n = len(label)
    tp = ((label == 1) & (pred == 1)).sum()
    fp = ((label == 0) & (pred == 1)).sum()
    fn = ((label == 1) & (pred == 0)).sum()
    prec = np.concatenate([np.ones(tp), np.zeros(fp)])
    rec = np.concatenate([np.ones(tp), np.zeros(fn)])
    f1rows = np.concatenate([np.ones(tp), np.zeros(fn), np.zeros(fp)])
    corr = len(f1rows) / ((fn + fp) * 0.5 + tp)
    return {
        "precision": (float(np.std(prec)), float((tp + fp) / n)),
        "recall": (float(np.std(rec)), float(label.sum() / n)),
        "f1": (float(np.std(f1rows * corr)), float(len(f1rows) / n)),
    }
