#!/usr/bin/env python3
"""Reference latency percentiles from numpy (np.quantile, default method 'linear' = type 7).

    /usr/bin/python3 scripts/reference/quantiles.py > test/fixtures/reference/quantiles.json
"""
import json

import numpy as np

rng = np.random.default_rng(42)
samples = {
    "tiny": [3.0],
    "pair": [1.0, 2.0],
    "ties": [1.0, 1.0, 1.0, 2.0, 2.0, 5.0, 5.0, 5.0, 5.0, 9.0],
    "lognormal_101": rng.lognormal(mean=0.0, sigma=1.0, size=101).tolist(),
    "latency_1000": (rng.gamma(shape=2.0, scale=3.0, size=1000) + 0.5).tolist(),
}
qs = [0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0]
out = {
    "generator": "numpy %s np.quantile(x, q) (method='linear')" % np.__version__,
    "q": qs,
    "cases": [
        {"name": k, "x": v, "quantiles": [float(np.quantile(np.array(v), q)) for q in qs], "mean": float(np.mean(v))}
        for k, v in samples.items()
    ],
}
print(json.dumps(out, indent=1))
