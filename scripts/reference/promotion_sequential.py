#!/usr/bin/env python3
"""Reference values for the canary judge's sequential tests (src/stats/sequential.ts,
src/promotion/tolerance.ts), computed independently of the TypeScript:

- the mixture SPRT (mSPRT) with a normal mixing distribution, written from the paper:
  Johari, Pekelis & Walsh, "Always valid inference: continuous monitoring of A/B tests"
  (Operations Research 2022; arXiv:1512.04922), for X_i ~ N(theta, sigma^2) and the mixture
  H = N(theta0, tau^2):
      Lambda_n = sqrt(sigma^2 / (sigma^2 + n tau^2))
                 * exp(n^2 tau^2 (mean_n - theta0)^2 / (2 sigma^2 (sigma^2 + n tau^2)))
  (the same statistic as Lindon, Sanden & Shirikian 2022, "Rapid regression detection in software
  deployments through sequential testing", for a difference of means);
- its confidence sequence {theta0 : Lambda_n < 1/alpha}, found here by root finding (brentq) on
  Lambda_n itself, not from the closed form the TypeScript uses;
- the quasi-binomial dispersion of counts across windows: statsmodels' GLM(Binomial) with
  scale="X2" (Pearson chi^2 / residual df), and its upper confidence bound chi^2 / chi2.ppf(0.2, df);
- whole tolerance tests: pooled canary and stable counts over windows, the interval of
  canary - (factor * stable + plus).

Run with Debian's python3-numpy, python3-scipy, python3-statsmodels:

    /usr/bin/python3 scripts/reference/promotion_sequential.py > test/fixtures/reference/promotion-sequential.json
"""
import json
import math
import sys

import numpy as np
import scipy
import statsmodels
import statsmodels.api as sm
from scipy import optimize, stats


def msprt_lambda(mean, theta0, sigma2, n, tau2):
    """Lambda_n of the normal-mixture SPRT, as in the paper (n observations of variance sigma2)."""
    return math.sqrt(sigma2 / (sigma2 + n * tau2)) * math.exp(
        n * n * tau2 * (mean - theta0) ** 2 / (2 * sigma2 * (sigma2 + n * tau2))
    )


def confidence_sequence(mean, sigma2, n, tau2, alpha):
    """The ends of {theta0 : Lambda_n(theta0) < 1/alpha}, by root finding on log Lambda_n."""
    f = lambda t0: math.log(msprt_lambda(mean, t0, sigma2, n, tau2)) - math.log(1 / alpha)
    sd = math.sqrt(sigma2 / n)
    width = sd
    while f(mean + width) < 0:
        width *= 2
    lo = optimize.brentq(f, mean - width, mean, xtol=1e-15, rtol=1e-13, maxiter=500)
    hi = optimize.brentq(f, mean, mean + width, xtol=1e-15, rtol=1e-13, maxiter=500)
    return lo, hi


def dispersion(k, n, level=0.8, prior=0):
    """Quasi-binomial dispersion of k events in n trials per window (intercept-only GLM), and the
    upper bound (chi^2 + prior) / chi2.ppf(1 - level, dof + prior): `prior` pseudo-degrees of
    freedom at phi = 1."""
    k = np.asarray(k, float)
    n = np.asarray(n, float)
    keep = n > 0
    k, n = k[keep], n[keep]
    if len(n) < 2:
        dof = max(0, len(n) - 1)
        factor = 1.0 if dof + prior <= 0 else max(1.0, prior / stats.chi2.ppf(1 - level, dof + prior))
        return {"pearson": None, "dof": dof, "estimate": None, "factor": factor, "prior": prior}
    K, N = k.sum(), n.sum()
    # The TypeScript keeps chi^2 finite at a share of 0 or 1 with half an event; the GLM needs the
    # same share, so it is fitted on the counts only where that changes nothing.
    p = min(max(K, 0.5), N - 0.5) / N
    if 0 < K < N:
        # The share per window, weighted by its requests: Pearson's residuals on the count scale.
        model = sm.GLM(k / n, np.ones((len(n), 1)), family=sm.families.Binomial(), var_weights=n)
        fit = model.fit(scale="X2")
        x2 = float(fit.scale * fit.df_resid)
        assert abs(float(1 / (1 + math.exp(-fit.params[0]))) - p) < 1e-9
    else:
        x2 = float((((k - n * p) ** 2) / (n * p * (1 - p))).sum())
    dof = len(n) - 1
    upper = (x2 + prior) / stats.chi2.ppf(1 - level, dof + prior)
    return {"pearson": x2, "dof": dof, "estimate": max(1.0, x2 / dof), "factor": max(1.0, upper), "prior": prior}


# src/promotion/tolerance.ts DISPERSION: an 80% upper bound with 10 pseudo-degrees of freedom.
PRIOR = 10


def tolerance(canary, stable, factor, plus, alpha):
    """The always-valid interval of canary - (factor * stable + plus) over pooled windows."""
    kc, nc = sum(canary["k"]), sum(canary["n"])
    dc = dispersion(canary["k"], canary["n"], 0.8, PRIOR)["factor"]
    pc = kc / nc
    pa = (kc + 1) / (nc + 2)
    var = dc * pa * (1 - pa) / nc
    if stable is not None:
        ks, ns = sum(stable["k"]), sum(stable["n"])
        ds = dispersion(stable["k"], stable["n"], 0.8, PRIOR)["factor"]
        ps = ks / ns
        pb = (ks + 1) / (ns + 2)
        var += factor * factor * ds * pb * (1 - pb) / ns
        limit = factor * ps + plus
    else:
        limit = plus
    est = pc - limit
    tau = max(1e-4, limit / 2)
    # As one observation of variance var: n = 1, sigma2 = var.
    lo, hi = confidence_sequence(est, var, 1, tau * tau, alpha)
    return {"estimate": est, "lower": lo, "upper": hi, "limit": limit, "log_lr": math.log(msprt_lambda(est, 0, var, 1, tau * tau))}


out = {
    "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "statsmodels": statsmodels.__version__},
    "msprt": [],
    "chi2_quantile": [],
    "dispersion": [],
    "tolerance": [],
}

# mSPRT on n observations of variance sigma2 with running mean `mean`: the TypeScript takes the
# estimate mean - theta0 and its variance sigma2 / n.
for mean, theta0, sigma2, n, tau2, alpha in [
    (0.012, 0.0, 0.0099, 1000, 1e-4, 0.05),
    (0.3, 0.1, 1.0, 50, 0.25, 0.01),
    (-0.02, 0.0, 0.04, 400, 0.0009, 0.004),
    (1.5, 0.0, 4.0, 10, 1.0, 0.2),
    (0.0004, 0.0, 1e-4, 200000, 4e-6, 0.001),
]:
    lam = msprt_lambda(mean, theta0, sigma2, n, tau2)
    lo, hi = confidence_sequence(mean, sigma2, n, tau2, alpha)
    out["msprt"].append({"estimate": mean - theta0, "variance": sigma2 / n, "tau2": tau2, "alpha": alpha, "log_lr": math.log(lam), "theta0": theta0, "lower": lo, "upper": hi, "mean": mean})

for q, dof in [(0.2, 1), (0.2, 2), (0.2, 29), (0.8, 5), (0.05, 100), (0.975, 3)]:
    out["chi2_quantile"].append({"q": q, "dof": dof, "value": float(stats.chi2.ppf(q, dof))})

rng = np.random.default_rng(21)
cases = [
    ("binomial windows", [10, 12, 9, 11, 8, 13], [1000] * 6),
    ("over-dispersed windows", [5, 25, 9, 30, 2, 18], [1000] * 6),
    ("unequal windows", [0, 3, 1, 7], [40, 310, 95, 700]),
    ("no events", [0, 0, 0], [100, 120, 90]),
    ("two windows", [30, 12], [2500, 2400]),
    ("many windows", rng.binomial(2500, 0.01, 30).tolist(), [2500] * 30),
    ("one window", [7], [700]),
]
for name, k, n in cases:
    for prior in (0, 10):
        out["dispersion"].append({"name": name, "k": k, "n": n, **dispersion(k, n, 0.8, prior)})

for name, canary, stable, factor, plus, alpha in [
    ("inside the tolerance", {"k": [12, 9, 14, 11], "n": [1000] * 4}, {"k": [200, 190, 210, 205], "n": [19000] * 4}, 1.1, 0.001, 0.004),
    ("twice the errors", {"k": [40, 38, 45], "n": [2000] * 3}, {"k": [190, 210, 200], "n": [20000] * 3}, 1.1, 0.001, 0.004),
    ("a fixed limit", {"k": [12, 9, 14], "n": [90, 95, 88]}, None, 0.0, 0.05, 0.004),
    ("over-dispersed stable", {"k": [10, 11, 9, 12, 10], "n": [1000] * 5}, {"k": [80, 130, 95, 160, 70], "n": [10000] * 5}, 1.1, 0.001, 0.01),
    ("latency tail share", {"k": [30, 35, 28], "n": [500] * 3}, {"k": [170, 160, 180], "n": [9500] * 3}, 2.0, 0.01, 0.002),
]:
    out["tolerance"].append({"name": name, "canary": canary, "stable": stable, "factor": factor, "plus": plus, "alpha": alpha, **tolerance(canary, stable, factor, plus, alpha)})

json.dump(out, sys.stdout, indent=1)
print()
