#!/usr/bin/env python3
"""Reference values for model-gate's drift tests and distances.

Run with Debian's python3-scipy and python3-statsmodels
(apt-get install python3-scipy python3-statsmodels):

    /usr/bin/python3 scripts/reference/drift.py > test/fixtures/reference/drift.json

Samples of up to 200,000 values are too large to store, so both sides generate them: a
MINSTD generator (s <- s * 48271 mod 2^31 - 1) whose every step is exact in doubles, turned
into values with operations that round the same in numpy and in JavaScript. The generator is
test/support/samples.ts on the TypeScript side; keep the two in step.
"""
import json
import math
import sys

import numpy as np
import scipy
import statsmodels
from scipy import stats
from scipy.spatial.distance import jensenshannon
from statsmodels.stats.proportion import proportions_ztest


def uniforms(seed, n):
    out = np.empty(n)
    s = seed
    for i in range(n):
        s = (s * 48271) % 2147483647
        out[i] = s / 2147483648.0
    return out


def numeric(spec):
    """Irwin-Hall(4), shifted and scaled, optionally floored to a step (ties)."""
    u = uniforms(spec["seed"], 4 * spec["n"])
    out = np.empty(spec["n"])
    for i in range(spec["n"]):
        v = (((u[4 * i] + u[4 * i + 1]) + u[4 * i + 2]) + u[4 * i + 3]) - 2.0
        v = v * spec["scale"] + spec["loc"]
        if spec.get("step"):
            v = math.floor(v / spec["step"]) * spec["step"]
        out[i] = v
    return out


def categorical(spec):
    """Category index by integer weights: the first j with u * total < cumsum[j]."""
    u = uniforms(spec["seed"], spec["n"])
    cum = np.cumsum(spec["weights"])
    total = cum[-1]
    return [spec["categories"][int(np.searchsorted(cum, x * total, side="right"))] for x in u]


def psi_bins(ref, cur, bins=10):
    """Reference deciles (numpy linear), duplicate edges merged, right-closed, open ends."""
    edges = np.unique(np.quantile(ref, np.arange(1, bins) / bins))
    r = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=len(edges) + 1) / len(ref)
    c = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=len(edges) + 1) / len(cur)
    return r, c


def psi(r, c, floor=1e-4):
    r = np.maximum(r, floor)
    c = np.maximum(c, floor)
    return float(np.sum((c - r) * np.log(c / r)))


NUMERIC = [
    ("tiny with ties", dict(seed=11, n=5, loc=0.0, scale=1.0, step=0.5), dict(seed=12, n=7, loc=0.5, scale=1.0, step=0.5)),
    ("equal sizes", dict(seed=21, n=50, loc=0.0, scale=1.0), dict(seed=22, n=50, loc=0.4, scale=1.0)),
    ("heavy ties", dict(seed=31, n=300, loc=2.0, scale=2.0, step=1.0), dict(seed=32, n=400, loc=2.25, scale=2.0, step=1.0)),
    ("no shift", dict(seed=41, n=1000, loc=0.0, scale=1.0), dict(seed=42, n=800, loc=0.0, scale=1.0)),
    ("large shift, tiny p", dict(seed=51, n=2000, loc=0.0, scale=1.0), dict(seed=52, n=3000, loc=0.75, scale=1.0)),
    ("exact at the limit", dict(seed=61, n=10000, loc=0.0, scale=1.0), dict(seed=62, n=9999, loc=0.05, scale=1.0)),
    ("asymptotic, small N", dict(seed=71, n=20000, loc=0.0, scale=1.0), dict(seed=72, n=60, loc=0.3, scale=1.0)),
    ("asymptotic, N near 500", dict(seed=81, n=10001, loc=0.0, scale=1.0), dict(seed=82, n=500, loc=0.1, scale=1.2)),
    ("200,000 vs 150,000", dict(seed=91, n=200000, loc=0.0, scale=1.0), dict(seed=92, n=150000, loc=0.01, scale=1.0)),
    ("200,000 vs 150,000 with ties", dict(seed=93, n=200000, loc=10.0, scale=3.0, step=0.25), dict(seed=94, n=150000, loc=10.0, scale=3.1, step=0.25)),
    ("constant reference", dict(seed=95, n=40, loc=3.0, scale=0.0), dict(seed=96, n=40, loc=3.0, scale=1.0)),
]

CATEGORICAL = [
    ("three colours", dict(seed=101, n=600, categories=["red", "green", "blue"], weights=[5, 3, 2]),
     dict(seed=102, n=500, categories=["red", "green", "blue"], weights=[4, 3, 3])),
    ("new category in current", dict(seed=111, n=2000, categories=["a", "b", "c"], weights=[1, 1, 1]),
     dict(seed=112, n=1500, categories=["a", "b", "c", "d"], weights=[3, 3, 3, 1])),
    ("binary", dict(seed=121, n=900, categories=["no", "yes"], weights=[7, 3]),
     dict(seed=122, n=700, categories=["no", "yes"], weights=[6, 4])),
    ("one category", dict(seed=131, n=50, categories=["x"], weights=[1]), dict(seed=132, n=60, categories=["x"], weights=[1])),
]

KSTWO_N = [1, 2, 5, 10, 30, 60, 100, 140, 141, 476, 1000, 5000, 85714, 100000, 100001, 1000000]
KSTWO_X = [0.0005, 0.001, 0.003, 0.01, 0.02, 0.04, 0.07, 0.1, 0.15, 0.2, 0.3, 0.45, 0.5, 0.6, 0.8, 0.95]


def numeric_case(name, a_spec, b_spec):
    a = numeric(a_spec)
    b = numeric(b_spec)
    ks = stats.ks_2samp(a, b, method="auto")
    r, c = psi_bins(a, b)
    std = float(np.std(a))
    wd = float(stats.wasserstein_distance(a, b))
    return {
        "name": name,
        "reference": a_spec,
        "current": b_spec,
        "ks_statistic": float(ks.statistic),
        "ks_p_value": float(ks.pvalue),
        "wasserstein": wd,
        "wasserstein_normed": wd / max(std, 0.001),
        "psi": psi(r, c),
        "jensen_shannon": float(jensenshannon(r, c)),
        "distinct": int(len(np.unique(np.concatenate([a, b])))),
    }


def categorical_case(name, a_spec, b_spec):
    a = categorical(a_spec)
    b = categorical(b_spec)
    cats = sorted(set(a) | set(b))
    ra = np.array([a.count(k) for k in cats], float)
    rb = np.array([b.count(k) for k in cats], float)
    out = {"name": name, "reference": a_spec, "current": b_spec, "categories": cats}
    if len(cats) > 1:
        chi2, p, dof, _ = stats.chi2_contingency(np.array([ra, rb]), correction=False)
    else:
        chi2, p, dof = 0.0, 1.0, 0
    out.update(
        chi2_statistic=float(chi2),
        chi2_p_value=float(p),
        chi2_dof=int(dof),
        jensen_shannon=float(jensenshannon(ra / ra.sum(), rb / rb.sum())),
        psi=psi(ra / ra.sum(), rb / rb.sum()),
    )
    if len(cats) == 2:
        z, pz = proportions_ztest([rb[1], ra[1]], [rb.sum(), ra.sum()])
        out.update(z_statistic=float(z), z_p_value=float(pz))
    return out


print(
    json.dumps(
        {
            "generated_by": "scripts/reference/drift.py",
            "versions": {"scipy": scipy.__version__, "numpy": np.__version__, "statsmodels": statsmodels.__version__},
            "numeric": [numeric_case(*c) for c in NUMERIC],
            "categorical": [categorical_case(*c) for c in CATEGORICAL],
            "kstwo_sf": [{"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n))} for n in KSTWO_N for x in KSTWO_X],
        },
        indent=1,
    ),
    file=sys.stdout,
)
