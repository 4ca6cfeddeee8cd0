#!/usr/bin/env python3
"""Reference values for the promotion judge's statistics: Mann-Whitney U on grouped data
(histogram buckets) and the two-proportion z-test on error counts.

Run with Debian's python3-scipy and python3-statsmodels:

    /usr/bin/python3 scripts/reference/promotion.py > test/fixtures/reference/promotion.json

The grouped counts are written out; the test expands nothing, scipy here gets the expanded samples.
"""
import json

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest

cases = [
    # name, canary bucket counts, stable bucket counts (same bucket edges)
    ("same shape", [10, 40, 30, 15, 5], [20, 80, 60, 30, 10]),
    ("canary slower", [2, 10, 30, 40, 18], [20, 80, 60, 30, 10]),
    ("canary faster", [30, 50, 15, 4, 1], [20, 80, 60, 30, 10]),
    ("empty buckets and a long tail", [0, 0, 5, 0, 7, 0, 1], [3, 0, 9, 2, 0, 0, 0]),
    ("large counts", [1200, 5400, 3900, 800, 120, 30], [1500, 5600, 3600, 700, 90, 14]),
]

out = {"versions": {"scipy": scipy.__version__, "numpy": np.__version__, "statsmodels": statsmodels.__version__}, "mannwhitney": [], "proportions": []}
for name, x, y in cases:
    xs = np.repeat(np.arange(len(x), dtype=float), x)
    ys = np.repeat(np.arange(len(y), dtype=float), y)
    row = {"name": name, "x": x, "y": y}
    for alternative in ["two-sided", "greater", "less"]:
        r = stats.mannwhitneyu(xs, ys, alternative=alternative, method="asymptotic", use_continuity=True)
        row[alternative] = {"statistic": float(r.statistic), "p_value": float(r.pvalue)}
    out["mannwhitney"].append(row)

for errors_c, n_c, errors_s, n_s in [(12, 100, 1, 100), (60, 500, 25, 500), (3, 1000, 2, 1000), (0, 50, 0, 50)]:
    if errors_c + errors_s == 0:
        continue
    z, p = proportions_ztest([errors_c, errors_s], [n_c, n_s])
    out["proportions"].append({"counts": [errors_c, n_c, errors_s, n_s], "statistic": float(z), "p_value": float(p)})

json.dump(out, __import__("sys").stdout, indent=1)
print()
