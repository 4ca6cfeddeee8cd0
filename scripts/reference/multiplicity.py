"""Reference values for src/stats/multiplicity.ts: statsmodels' multipletests (Holm, Benjamini-Hochberg).

Run with Debian's python3 (python3-statsmodels):  /usr/bin/python3 scripts/reference/multiplicity.py
Writes test/fixtures/reference/multiplicity.json.
"""
import json
import numpy as np
from statsmodels.stats.multitest import multipletests

rng = np.random.default_rng(20261129)
cases = [
    [0.01, 0.04, 0.03, 0.005],
    [0.5],
    [1.0, 1.0, 0.0],
    [0.02, 0.02, 0.02, 0.02],
    list(rng.uniform(0, 0.2, 25)),
    list(np.concatenate([rng.uniform(0, 1, 40), rng.uniform(0, 0.001, 5)])),
]
out = []
for p in cases:
    p = [float(x) for x in p]
    row = {"p": p}
    for method, key in (("holm", "holm"), ("fdr_bh", "bh")):
        reject, adj, _, _ = multipletests(p, alpha=0.05, method=method)
        row[key] = {"adjusted": [float(x) for x in adj], "reject_05": [bool(x) for x in reject]}
    out.append(row)
with open("test/fixtures/reference/multiplicity.json", "w") as f:
    json.dump({"generator": "scripts/reference/multiplicity.py", "cases": out}, f, indent=1)
