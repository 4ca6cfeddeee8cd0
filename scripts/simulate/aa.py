#!/usr/bin/env python3
"""A/A and power simulations of model-gate's decisions, through the real CLI.

Why: a gate that blocks equally good models by chance, or misses real regressions, cannot be
trusted; this measures both on the defaults, so every default has a known false-alarm rate.

A/A: candidate and baseline are two logistic regressions trained (scikit-learn) on two bootstrap
resamples of the same training set, i.e. equally good by construction. Each trial draws a fresh
reference set (drift) and a fresh labelled eval set of n rows from the same distribution, exports
both models to ONNX (MatMul + Add + Softmax + ArgMax, onnx.helper), runs
`node dist/cli.js validate` with no config file (the defaults: every check family, metrics,
comparison, drift), and records the decision and which checks fired (failed/errored blockers
make NO-GO, failed warnings DELAY).

Power: the candidate is the baseline with its coefficients rotated so that its true accuracy is
1 or 2 points lower (measured on 400,000 rows); caught = the run is NO-GO or DELAY because of a
comparison check.

Run (after `npm run build`; Debian python3 with numpy, scikit-learn, onnx):
    nice /usr/bin/python3 scripts/simulate/aa.py                # full tables, ~15 min on 2 cores
    /usr/bin/python3 scripts/simulate/aa.py --quick --out DIR   # the seeded small version the tests run
Writes docs/statistics-false-alarms.md and docs/statistics-false-alarms.json (or DIR/...).
"""
import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import onnx
from onnx import TensorProto, helper
from sklearn.linear_model import LogisticRegression

CLI_PATH = [None]
NO_TIMING = [False]
SLICES = [False]
ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
NODE = os.path.join(ROOT, "node_modules", "node", "bin", "node")
CLI = os.path.join(ROOT, "dist", "cli.js")  # --cli src/cli.ts runs the source instead (Node 24 strips the types)

FEATURES = 8
# True model: accuracy of the Bayes classifier ≈ 0.80; a 2,000-row training set gets within ~1 point.
BETA = np.array([1.0, -0.8, 0.6, 0.5, -0.4, 0.3, 0.0, 0.0])
INTERCEPT = 0.2
TRAIN_ROWS = 2000
REFERENCE_ROWS = 5000
# The families counted; anything else that fires is listed under its own name.
FAMILIES = ["comparison", "slices", "drift", "metrics", "outputs", "smoke", "latency", "errors", "artifact", "inputs", "data"]


def draw(rng, n):
    x = rng.standard_normal((n, FEATURES))
    p = 1 / (1 + np.exp(-(x @ BETA + INTERCEPT)))
    y = (rng.random(n) < p).astype(int)
    return x, y


def fit(x, y):
    m = LogisticRegression(C=1.0, max_iter=1000)
    m.fit(x, y)
    return m.coef_[0].copy(), float(m.intercept_[0])


def export(coef, intercept, path):
    """Binary LR as ONNX: softmax over the logits [-z/2, z/2] equals sigmoid(z) for class 1."""
    w = np.stack([-coef / 2, coef / 2], axis=1).astype(np.float32)
    b = np.array([-intercept / 2, intercept / 2], dtype=np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["input", "W"], ["logits_nb"]),
            helper.make_node("Add", ["logits_nb", "b"], ["logits"]),
            helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
            helper.make_node("ArgMax", ["probabilities"], ["label"], axis=1, keepdims=0),
        ],
        "logreg",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", FEATURES])],
        [
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 2]),
            helper.make_tensor_value_info("label", TensorProto.INT64, ["N"]),
        ],
        [
            helper.make_tensor("W", TensorProto.FLOAT, list(w.shape), w.flatten().tolist()),
            helper.make_tensor("b", TensorProto.FLOAT, [2], b.tolist()),
        ],
    )
    model = helper.make_model(graph, producer_name="model-gate-simulate", opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


def write_csv(path, x, y, segment=None):
    """segment: an extra column the models do not take (0..3), for --slices."""
    header = ",".join([f"x{i}" for i in range(FEATURES)] + ["y"] + (["segment"] if segment is not None else []))
    data = np.column_stack([x, y] + ([segment] if segment is not None else []))
    fmt = ["%.6g"] * FEATURES + ["%d"] + (["%d"] if segment is not None else [])
    np.savetxt(path, data, delimiter=",", header=header, comments="", fmt=fmt)


def accuracy(coef, intercept, x, y):
    return float(np.mean(((x @ coef + intercept) > 0).astype(int) == y))


def run_cli(workdir, candidate, baseline, eval_csv, reference_csv):
    out = os.path.join(workdir, "report")
    cmd = [NODE, CLI_PATH[0], "validate", "--model", candidate, "--baseline", baseline, "--data", eval_csv, "--label", "y", "--reference", reference_csv, "--out", out]
    config = ["version: 1"]
    if NO_TIMING[0]:
        # The statistical families only: timing on a loaded machine is another question (and slow).
        config += ["checks: { latency: { enabled: false }, errors: { enabled: false } }", "comparison: { latency: { enabled: false } }"]
    if SLICES[0]:
        config += ["slices: [{ column: segment }]"]
    if len(config) > 1:
        with open(os.path.join(workdir, "sim.yml"), "w") as f:
            f.write("\n".join(config) + "\n")
        cmd += ["--config", "sim.yml"]
    # No config file: the run must see the defaults (the working directory has no .github/model-gate.yml).
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=1800, env=os.environ.copy())
    path = os.path.join(out, "report.json")
    if not os.path.exists(path):
        raise RuntimeError(f"no report (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
    with open(path) as f:
        report = json.load(f)
    decision = report["decision"]
    fired = []
    for c in report["checks"]:
        if c["status"] in ("fail", "error") and c["severity"] in ("blocker", "warning"):
            fired.append({"id": c["id"], "category": c["category"], "severity": c["severity"]})
    return decision, fired


def trial(kind, n, seed, drop=None, calibrated=None):
    """One simulated PR: returns {decision, fired}. kind: aa | identical | power."""
    rng = np.random.default_rng(seed)
    work = tempfile.mkdtemp(prefix="mg-sim-")
    try:
        xt, yt = draw(rng, TRAIN_ROWS)
        i1 = rng.integers(0, TRAIN_ROWS, TRAIN_ROWS)
        i2 = rng.integers(0, TRAIN_ROWS, TRAIN_ROWS)
        base = fit(xt[i1], yt[i1])
        if kind == "aa":
            cand = fit(xt[i2], yt[i2])
        elif kind == "identical":
            cand = base
        else:
            cand = calibrated(base, drop, rng)
        xr, yr = draw(rng, REFERENCE_ROWS)
        xe, ye = draw(rng, n)
        if kind == "identical":
            # Same model, and the eval rows are the reference: nothing differs, so any alarm is a bug.
            xr, yr = xe, ye
        export(cand[0], cand[1], os.path.join(work, "candidate.onnx"))
        export(base[0], base[1], os.path.join(work, "baseline.onnx"))
        write_csv(os.path.join(work, "eval.csv"), xe, ye, rng.integers(0, 4, len(ye)) if SLICES[0] else None)
        write_csv(os.path.join(work, "reference.csv"), xr, yr, rng.integers(0, 4, len(yr)) if SLICES[0] else None)
        decision, fired = run_cli(work, "candidate.onnx", "baseline.onnx", "eval.csv", "reference.csv")
        return {"kind": kind, "rows": n, "seed": seed, "drop": drop, "decision": decision, "fired": fired}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def rotated(big):
    """A candidate whose true accuracy is `drop` below the baseline's: the coefficients rotated away by bisection."""
    xb, yb = big

    def make(base, drop, rng):
        coef, b0 = base
        target = accuracy(coef, b0, xb, yb) - drop
        u = rng.standard_normal(FEATURES)
        u -= (u @ coef) / (coef @ coef) * coef
        u *= np.linalg.norm(coef) / np.linalg.norm(u)
        lo, hi = 0.0, np.pi / 2
        for _ in range(40):
            mid = (lo + hi) / 2
            c = np.cos(mid) * coef + np.sin(mid) * u
            if accuracy(c, b0, xb, yb) > target:
                lo = mid
            else:
                hi = mid
        t = (lo + hi) / 2
        return np.cos(t) * coef + np.sin(t) * u, b0

    return make


def pct(k, n):
    return f"{100 * k / n:.1f}%" if n else "–"


def wilson(k, n, z=1.959964):
    """95% Wilson score interval of a rate: with 6 or 40 trials a rate alone says little."""
    if n == 0:
        return "–"
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return f"{100 * max(0.0, centre - half):.0f}–{100 * min(1.0, centre + half):.0f}%"


def summarise(results):
    """Rates per (kind, rows, drop): decisions, and per family the share of runs in which it fired, by severity."""
    groups = {}
    for r in results:
        groups.setdefault((r["kind"], r["rows"], r["drop"]), []).append(r)
    out = []
    for (kind, rows, drop), rs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][2] or 0, kv[0][1])):
        n = len(rs)
        dec = {d: sum(r["decision"] == d for r in rs) for d in ("GO", "DELAY", "NO-GO")}
        fam = {}
        for r in rs:
            seen = {}
            for f in r["fired"]:
                level = "no_go" if f["severity"] == "blocker" else "delay"
                key = f["category"]
                seen.setdefault(key, set()).add(level)
            for key, levels in seen.items():
                e = fam.setdefault(key, {"delay": 0, "no_go": 0})
                for level in levels:
                    e[level] += 1
        ids = {}
        for r in rs:
            for i in {f["id"] for f in r["fired"]}:
                ids[i] = ids.get(i, 0) + 1
        # A metric comparison, not the latency comparison that shares the family.
        caught = sum(any(f["category"] == "comparison" and not f["id"].startswith("comparison.latency") for f in r["fired"]) for r in rs)
        out.append({"kind": kind, "rows": rows, "drop": drop, "trials": n, "decisions": dec, "families": fam, "checks": ids, "caught_by_comparison": caught})
    return out


def markdown(summary, command, started, seconds, label):
    lines = [
        "# False alarms and power of model-gate's decisions",
        "",
        f"<!-- generated by scripts/simulate/aa.py; do not edit by hand -->",
        f"Generated {started} by `{command}` in {seconds:.0f} s ({label}).",
        "",
        "Candidate and baseline are two logistic regressions trained on two bootstrap resamples of the same",
        f"2,000 rows ({FEATURES} Gaussian features, Bayes accuracy ≈ 0.80): equally good models. Each trial draws",
        f"a fresh {REFERENCE_ROWS:,}-row reference set and a fresh eval set of the given size from the same",
        "distribution and runs `model-gate validate --model --baseline --data --label --reference` with the",
        "default config. A false alarm is any DELAY or NO-GO. Family columns: share of runs in which the",
        "family had a failing warning (DELAY) / failing blocker (NO-GO). Target (issue 15): DELAY + NO-GO ≤ 5% at",
        "every size. The JSON beside this file has every trial and the ids of the checks that fired.",
        "",
        "## A/A: equally good models",
        "",
        "Rows `identical`: candidate = baseline and the reference set is the eval set itself, so nothing differs",
        "and any alarm is a bug, not noise.",
        "",
    ]
    aa = [s for s in summary if s["kind"] in ("aa", "identical")]
    fams = sorted({f for s in aa for f in s["families"]}, key=lambda f: (FAMILIES.index(f) if f in FAMILIES else 99, f))
    head = "| " + " | ".join(["models", "eval rows", "trials", "GO", "DELAY", "NO-GO", "false alarms (95% CI)"] + [f"{f} DELAY / NO-GO" for f in fams]) + " |"
    lines += [head, "|" + "---|" * (7 + len(fams))]
    for s in aa:
        n = s["trials"]
        d = s["decisions"]
        cells = [f"{pct(s['families'].get(f, {}).get('delay', 0), n)} / {pct(s['families'].get(f, {}).get('no_go', 0), n)}" for f in fams]
        lines.append(
            "| " + " | ".join([f"{'A/A' if s['kind'] == 'aa' else 'identical'}", f"{s['rows']:,}", str(n), pct(d['GO'], n), pct(d['DELAY'], n), pct(d['NO-GO'], n), wilson(n - d['GO'], n)] + cells) + " |"
        )
    lines += ["", "Checks that fired (runs out of trials):", ""]
    if not any(s["checks"] for s in aa):
        lines.append("- none")
    for s in aa:
        if s["checks"]:
            top = sorted(s["checks"].items(), key=lambda kv: -kv[1])[:8]
            lines.append(f"- {'A/A' if s['kind'] == 'aa' else 'identical'}, {s['rows']:,} rows: " + ", ".join(f"`{k}` {v}" for k, v in top))
    power = [s for s in summary if s["kind"] == "power"]
    if power:
        lines += [
            "",
            "## Power: a true accuracy drop",
            "",
            "The candidate is the baseline with its coefficients rotated so that its true accuracy is lower by the",
            "given amount (measured on 400,000 rows). Caught: a metric comparison check (`comparison.<metric>…`)",
            "failed, so the run is NO-GO or DELAY because of it.",
            "",
            "| true drop | eval rows | trials | caught by comparison (95% CI) | NO-GO | DELAY |",
            "|---|---|---|---|---|---|",
        ]
        for s in power:
            n = s["trials"]
            lines.append(f"| {s['drop'] * 100:.0f} point{'s' if s['drop'] != 0.01 else ''} | {s['rows']:,} | {n} | {pct(s['caught_by_comparison'], n)} ({wilson(s['caught_by_comparison'], n)}) | {pct(s['decisions']['NO-GO'], n)} | {pct(s['decisions']['DELAY'], n)} |")
    lines.append("")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("--sizes", default="200,1000,10000,100000")
    ap.add_argument("--trials", default="40,40,40,10", help="A/A trials per size, in the order of --sizes")
    ap.add_argument("--identical", type=int, default=10, help="trials with candidate = baseline (at the smallest size)")
    ap.add_argument("--power-sizes", default="1000,10000")
    ap.add_argument("--power-drops", default="0.01,0.02")
    ap.add_argument("--power-trials", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="the small seeded version: 3 A/A + 3 identical trials at 200 rows, no power")
    ap.add_argument("--cli", default=CLI, help="the CLI script to run: dist/cli.js (default, after `npm run build`) or src/cli.ts")
    ap.add_argument("--no-timing", action="store_true", help="turn off the latency, error-scenario and latency-comparison checks (the quick version does)")
    ap.add_argument("--slices", action="store_true", help="add a column `segment` (4 random values, not a feature) and slice by it: the slices family's false alarms")
    ap.add_argument("--label", default="", help="what code the table measures, e.g. 'before: main at fb98027'")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs"), help="directory for statistics-false-alarms.{md,json}")
    ap.add_argument("--from-json", help="re-render the markdown from a JSON file this script wrote, without running anything")
    args = ap.parse_args()
    if args.from_json:
        with open(args.from_json) as f:
            stored = json.load(f)
        summary = summarise(stored["trials"])
        stored["summary"] = summary
        with open(args.from_json, "w") as f:
            json.dump(stored, f, indent=1)
            f.write("\n")
        with open(os.path.splitext(args.from_json)[0] + ".md", "w") as f:
            f.write(markdown(summary, stored["command"], stored["generated"], stored["seconds"], stored.get("label") or "current code"))
        return
    CLI_PATH[0] = os.path.abspath(os.path.join(ROOT, args.cli)) if not os.path.isabs(args.cli) else args.cli
    if not os.path.exists(CLI_PATH[0]):
        sys.exit(f"{CLI_PATH[0]} not found: run `npm run build` first")
    sizes = [int(s) for s in args.sizes.split(",")]
    trials = [int(t) for t in args.trials.split(",")]
    jobs = []
    if args.quick:
        sizes, trials, args.identical, args.power_trials, args.no_timing = [200], [3], 3, 0, True
    NO_TIMING[0] = args.no_timing
    SLICES[0] = args.slices
    for i, (n, t) in enumerate(zip(sizes, trials)):
        jobs += [("aa", n, args.seed + 1000 * i + k, None) for k in range(t)]
    jobs += [("identical", sizes[0], args.seed + 90_000 + k, None) for k in range(args.identical)]
    calibrated = None
    if args.power_trials > 0:
        calibrated = rotated(draw(np.random.default_rng(args.seed - 1), 400_000))
        for j, n in enumerate(int(s) for s in args.power_sizes.split(",")):
            for d in (float(x) for x in args.power_drops.split(",")):
                jobs += [("power", n, args.seed + 50_000 + 1000 * j + int(d * 1e4) * 100 + k, d) for k in range(args.power_trials)]
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    t0 = time.time()
    done = [0]

    def one(job):
        r = trial(job[0], job[1], job[2], job[3], calibrated)
        done[0] += 1
        print(f"[{done[0]}/{len(jobs)}] {r['kind']} {r['rows']} rows{'' if r['drop'] is None else ' drop ' + str(r['drop'])}: {r['decision']} {' '.join(f['id'] for f in r['fired'])}", file=sys.stderr, flush=True)
        return r

    with ThreadPoolExecutor(max_workers=max(1, args.workers)) as pool:
        results = list(pool.map(one, jobs))
    seconds = time.time() - t0
    summary = summarise(results)
    command = ("python3 scripts/simulate/aa.py " + " ".join(sys.argv[1:])).strip()
    label = (args.label or "current code") + ("; latency and error checks off" if args.no_timing else "; default config") + ("; slices by a random 4-value column" if args.slices else "")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "statistics-false-alarms.json"), "w") as f:
        json.dump({"generated": started, "command": command, "label": label, "seconds": round(seconds), "summary": summary, "trials": results}, f, indent=1)
        f.write("\n")
    with open(os.path.join(args.out, "statistics-false-alarms.md"), "w") as f:
        f.write(markdown(summary, command, started, seconds, label))
    print(f"wrote {args.out}/statistics-false-alarms.md and .json in {seconds:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
