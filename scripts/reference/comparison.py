"""Reference values for the baseline comparison (issue 15), written to
test/fixtures/reference/comparison.json:

    /usr/bin/python3 scripts/reference/comparison.py > test/fixtures/reference/comparison.json

- DeLong's paired test of two ROC AUCs, written here from pROC's algorithm (delong.paired.test:
  structural components V10/V01 from all positive/negative pairs, S = S10/m + S01/n), its AUCs
  cross-checked against sklearn.metrics.roc_auc_score;
- the row bootstrap (scipy.stats.bootstrap, paired, percentile) of accuracy and macro F1 deltas,
  which the multinomial bootstrap over the joint table must match within Monte-Carlo error;
- normal (z) intervals of paired mean differences (statsmodels zconfint), the non-inferiority
  z-test against a margin (statsmodels ztest, value = -margin, alternative = 'larger') and the
  minimum detectable effect (statsmodels NormalIndPower with ratio = 0, a one-sample z-test);
- parity: sklearn log_loss on float32 probabilities (float32 eps), scipy's Mann-Whitney U on
  all-tied data, numpy's std at a 1e9 offset.
"""
import json
import sys
from fractions import Fraction

import numpy as np
import scipy
import sklearn
import statsmodels
from scipy import stats
from sklearn.metrics import f1_score, log_loss, roc_auc_score
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.weightstats import zconfint, ztest

rng = np.random.default_rng(20261129)


def delong_paired(y, s1, s2):
    """pROC's paired DeLong test, from its definition (O(m·n) pairs, as in DeLong et al. 1988)."""
    pos = y == 1
    neg = ~pos
    m, n = pos.sum(), neg.sum()

    def components(s):
        x, z = s[pos], s[neg]
        psi = (x[:, None] > z[None, :]).astype(float) + 0.5 * (x[:, None] == z[None, :])
        return psi.mean(axis=1), psi.mean(axis=0), psi.mean()  # V10 (per positive), V01 (per negative), AUC

    v10a, v01a, a1 = components(s1)
    v10b, v01b, a2 = components(s2)
    s10 = np.cov(np.vstack([v10a, v10b]))  # ddof = 1, as pROC's
    s01 = np.cov(np.vstack([v01a, v01b]))
    s = s10 / m + s01 / n
    var = s[0, 0] + s[1, 1] - 2 * s[0, 1]
    z = (a1 - a2) / np.sqrt(var)
    return {
        "auc1": float(a1),
        "auc2": float(a2),
        "var1": float(s[0, 0]),
        "var2": float(s[1, 1]),
        "cov": float(s[0, 1]),
        "se": float(np.sqrt(var)),
        "z": float(z),
        "p_value": float(2 * stats.norm.sf(abs(z))),
        "sklearn_auc1": float(roc_auc_score(y, s1)),
        "sklearn_auc2": float(roc_auc_score(y, s2)),
    }


delong_cases = []
for name, n, digits in [("continuous", 300, None), ("ties", 250, 1), ("small", 30, None)]:
    y = (rng.uniform(size=n) < 0.4).astype(int)
    latent = y * 1.0 + rng.normal(size=n)
    s1 = 1 / (1 + np.exp(-(latent + 0.5 * rng.normal(size=n))))
    s2 = 1 / (1 + np.exp(-(0.7 * latent + 0.7 * rng.normal(size=n))))
    if digits is not None:
        s1, s2 = np.round(s1, digits), np.round(s2, digits)
    delong_cases.append({"name": name, "y": y.tolist(), "score1": s1.tolist(), "score2": s2.tolist(), **delong_paired(y, s1, s2)})

# Row bootstrap of confusion-matrix metric deltas, three classes, some rows predicted outside.
n = 300
y3 = rng.integers(0, 3, n)
cand3 = np.where(rng.uniform(size=n) < 0.8, y3, rng.integers(0, 3, n))
base3 = np.where(rng.uniform(size=n) < 0.72, y3, rng.integers(0, 3, n))


def acc_delta(yy, cc, bb, axis=-1):
    return (cc == yy).mean(axis=axis) - (bb == yy).mean(axis=axis)


def f1_delta(yy, cc, bb):
    return f1_score(yy, cc, average="macro", zero_division=0) - f1_score(yy, bb, average="macro", zero_division=0)


row_bootstrap = {"y": y3.tolist(), "candidate": cand3.tolist(), "baseline": base3.tolist()}
for metric, fn, vec in [("accuracy", acc_delta, True), ("f1_macro", f1_delta, False)]:
    b = stats.bootstrap((y3, cand3, base3), fn, paired=True, vectorized=vec, n_resamples=10000 if vec else 4000,
                        confidence_level=0.95, method="percentile", random_state=np.random.default_rng(2))
    row_bootstrap[metric] = {
        "delta": float(fn(y3, cand3, base3)),
        "low": float(b.confidence_interval.low),
        "high": float(b.confidence_interval.high),
        "standard_error": float(b.standard_error),
    }

# Normal intervals of paired mean differences, the non-inferiority z-test and the MDE.
n = 2000
yb = (rng.uniform(size=n) < 0.35).astype(int)
lat = yb * 1.2 + rng.normal(size=n)
pc = 1 / (1 + np.exp(-(lat - 0.4)))
pb = 1 / (1 + np.exp(-(0.9 * lat - 0.4 + 0.3 * rng.normal(size=n))))
ll = lambda p: -(yb * np.log(p) + (1 - yb) * np.log(1 - p))
br = lambda p: (p - yb) ** 2
alpha = 0.025
noninferiority = {"y": yb.tolist(), "candidate": pc.tolist(), "baseline": pb.tolist(), "alpha": alpha, "power": 0.8, "metrics": {}}
for metric, f, margin in [("log_loss", ll, 0.01), ("brier", br, 0.002)]:
    d = f(pc) - f(pb)  # lower is better: a regression is d > 0
    low, high = zconfint(d, alpha=2 * alpha)
    # Non-inferiority of a loss: H0 d >= margin against H1 d < margin.
    z, p = ztest(d, value=margin, alternative="smaller")
    sd = d.std(ddof=1)
    es = NormalIndPower().solve_power(effect_size=None, nobs1=n, alpha=alpha, power=0.8, ratio=0, alternative="larger")
    noninferiority["metrics"][metric] = {
        "margin": margin,
        "delta": float(d.mean()),
        "low": float(low),
        "high": float(high),
        "se": float(sd / np.sqrt(n)),
        "p_noninferiority": float(p),
        "mde": float(es * sd),
        "sklearn_candidate": float(log_loss(yb, pc) if metric == "log_loss" else np.mean(br(pc))),
    }

# Parity.
y32 = np.array([0, 1, 1, 0, 1])
p32 = np.array([[0.9, 0.1], [0.0, 1.0], [1.0, 0.0], [0.6, 0.4], [0.3, 0.7]], dtype=np.float32)
# x_i = 1e9 + ((i·7919) mod 10007) / 10007, i < 100000: reproducible without numpy's generator.
offset = 1e9 + (np.arange(100000) * 7919 % 10007) / 10007
exact_mean = sum(Fraction(float(v)) for v in offset) / len(offset)
exact_std = float(sum((Fraction(float(v)) - exact_mean) ** 2 for v in offset) / len(offset)) ** 0.5
tied = stats.mannwhitneyu([1.0, 1.0, 1.0], [1.0, 1.0], alternative="greater", method="asymptotic")
parity = {
    "log_loss_float32": {"y": y32.tolist(), "proba": p32.astype(float).tolist(), "value": float(log_loss(y32, p32)),
                         "float64_value": float(log_loss(y32, p32.astype(np.float64)))},
    "mannwhitney_all_tied": {"x": [3, 0], "y": [2, 0], "p_value": float(tied.pvalue)},
    "std_offset": {"n": 100000, "offset": 1e9, "multiplier": 7919, "modulus": 10007, "numpy_std": float(np.std(offset)), "exact_std": exact_std},
}

json.dump(
    {
        "generated_by": "scripts/reference/comparison.py",
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__, "statsmodels": statsmodels.__version__},
        "delong": delong_cases,
        "row_bootstrap": row_bootstrap,
        "noninferiority": noninferiority,
        "parity": parity,
    },
    sys.stdout,
    indent=1,
)
sys.stdout.write("\n")
