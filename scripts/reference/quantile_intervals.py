#!/usr/bin/env python3
"""Reference order-statistic confidence intervals for quantiles (distribution-free), from scipy:
scipy.stats.quantile_test(x, q=0, p=p).confidence_interval(level), and the ranks behind them from
scipy.stats.binom (lo = least j with P(B <= j) > a, hi = 1 + least j with P(B <= j) >= 1 - a,
B ~ Binomial(n, p), a = (1 - level) / 2; rank 0 / n + 1 mean an unbounded side).

    /usr/bin/python3 scripts/reference/quantile_intervals.py > test/fixtures/reference/quantile-intervals.json
"""
import json

import numpy as np
import scipy
from scipy import stats

rng = np.random.default_rng(7)
cases = []
samples = {}
for n in [5, 20, 59, 100, 200, 1000, 5000]:
    x = np.sort(rng.gamma(shape=2.0, scale=3.0, size=n) + 0.5)
    for p in [0.5, 0.95, 0.99]:
        for level in [0.9, 0.95, 0.99]:
            a = (1 - level) / 2
            j = np.arange(0, n + 1)
            cdf = stats.binom(n, p).cdf(j)
            lo = int(np.min(j[cdf > a]))
            hi = int(1 + np.min(j[cdf >= 1 - a]))
            low = float(x[lo - 1]) if lo >= 1 else None
            high = float(x[hi - 1]) if hi <= n else None
            if hasattr(stats, "quantile_test"):  # scipy >= 1.10: the same interval, checked here
                ci = stats.quantile_test(x, q=0, p=p).confidence_interval(level)
                assert (low is None and not np.isfinite(ci.low)) or low == ci.low, (n, p, level)
                assert (high is None and not np.isfinite(ci.high)) or high == ci.high, (n, p, level)
            coverage = float((cdf[hi - 1] if hi - 1 <= n else 1.0) - (cdf[lo - 1] if lo >= 1 else 0.0))
            cases.append({
                "n": n, "p": p, "level": level, "lo": lo, "hi": hi, "coverage": coverage,
                "low": low, "high": high,
            })
    samples[str(n)] = x.tolist()
out = {"generator": "scipy %s binom ranks (equal to scipy.stats.quantile_test(...).confidence_interval where scipy has it)" % scipy.__version__, "samples": samples, "cases": cases}
print(json.dumps(out, indent=1))
