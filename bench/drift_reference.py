#!/usr/bin/env python3
"""The Python stack's version of `model-gate drift`, for npm run bench: pandas reads both CSV files,
scipy and numpy compute the same measures per column (KS, Wasserstein and its normed form, PSI on
reference deciles, Jensen-Shannon on those bins). Prints the measures as JSON so the bench can
check that both sides computed the same thing.

    /usr/bin/python3 bench/drift_reference.py reference.csv current.csv
"""
import json
import sys

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon

ref = pd.read_csv(sys.argv[1])
cur = pd.read_csv(sys.argv[2])
out = {}
for column in ref.columns:
    a = ref[column].dropna().to_numpy()
    b = cur[column].dropna().to_numpy()
    ks = stats.ks_2samp(a, b, method="auto")
    wd = stats.wasserstein_distance(a, b)
    edges = np.unique(np.quantile(a, np.arange(1, 10) / 10))
    r = np.bincount(np.searchsorted(edges, a), minlength=len(edges) + 1) / len(a)
    c = np.bincount(np.searchsorted(edges, b), minlength=len(edges) + 1) / len(b)
    rf, cf = np.maximum(r, 1e-4), np.maximum(c, 1e-4)
    out[column] = {
        "ks_statistic": float(ks.statistic),
        "ks_p_value": float(ks.pvalue),
        "wasserstein": float(wd),
        "wasserstein_normed": float(wd / max(np.std(a), 0.001)),
        "psi": float(np.sum((cf - rf) * np.log(cf / rf))),
        "jensen_shannon": float(jensenshannon(r, c)),
    }
print(json.dumps(out))
