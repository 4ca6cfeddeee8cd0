#!/usr/bin/env python3
"""Model kinds teams ship that the other fixtures do not cover, each with a healthy candidate, an
equally good baseline (another seed) and broken variants, for the QA sweep of model-gate's
verdicts (test/qa-verdicts.test.ts).

Run with Debian's packages (python3-torch 1.13, python3-onnx 1.12, python3-sklearn, python3-xgboost):
    /usr/bin/python3 scripts/models/make_qa_models.py OUT_DIR [kind ...]
The committed fixtures (test/fixtures/models/qa/) are the small kinds:
    /usr/bin/python3 scripts/models/make_qa_models.py test/fixtures/models/qa gru multilabel reg2 binary

Weights are seeded, so the script writes the same files every time on the same builds. Writes into
OUT_DIR (kinds: gru, reg2, binary, multilabel, f64, xgb, image; default all):
  gru_a.onnx, gru_b.onnx     GRU sequence classifier x float32[batch, steps, 4] (steps dynamic)
                             -> probs [batch, 3]; gru.csv (s0f0 ... s9f3, label), 10 steps a row;
                             onnxruntime aborts on a batch of 0 rows (the exported GRU's Slice/Squeeze)
  gru_shuffled.onnx          broken: probability columns permuted
  reg2_a.onnx, reg2_b.onnx   multi-target regression x float32[batch, 6] -> y [batch, 2];
                             reg2.csv (x0 ... x5, y0, y1)
  reg2_const.onnx            broken: the same constant answer for every row
  reg2_split.onnx            reg2_a with each target its own output: y0 [batch, 1], y1 [batch, 1]
  bin_a.onnx, bin_b.onnx     binary classifier, one sigmoid column: x float32[batch_size, 5] ->
                             prob [batch_size, 1], opset 17, dynamic axes named; bin.csv (x0 ... x4, label)
  bin_nan.onnx               broken: NaN for rows whose x0 > 1
  ml_a.onnx, ml_b.onnx       multi-label classifier (independent sigmoids): x float32[batch, 6] ->
                             probs [batch, 4]; ml.csv (x0 ... x5, label = the first tag, tag0 ... tag3)
  f64_a.onnx, f64_b.onnx     float64 throughout: x float64[batch, 5] -> probabilities float64
                             [batch, 3]; f64.csv (x0 ... x4, label)
  f64_slow.onnx              broken: the same answers after 1,500 more elementwise ops (milliseconds slower)
  xgb_reg.json               XGBRegressor (save_model) on reg.csv; reg.csv (x0 ... x5, y)
  gbr_reg.pkl                sklearn GradientBoostingRegressor on the same data (the baseline)
  xgb_reg_noise.json         broken: an XGBRegressor trained on shuffled targets
  img_a.onnx, img_b.onnx     image classifier image float32[batch, 3, 32, 32] -> probs [batch, 3];
                             img.jsonl ({"image": [[[...]]], "label": k} nested 3x32x32)
  img_shuffled.onnx          broken: probability columns permuted
  expected.json              each model's metrics on its data, computed with numpy / scikit-learn
"""
import csv
import json
import os
import pickle
import sys

import numpy as np
import torch
from sklearn import metrics as skm
from torch import nn

OUT = sys.argv[1] if len(sys.argv) > 1 else "qa-models"
KINDS = sys.argv[2:] or ["gru", "reg2", "binary", "multilabel", "f64", "xgb", "image"]
os.makedirs(OUT, exist_ok=True)
torch.set_num_threads(1)
expected = {}


def path(name):
    return os.path.join(OUT, name)


def export(model, example, name, in_name, out_name, axes=None, opset=14):
    model.eval()
    axes = axes or {in_name: {0: "batch"}, out_name: {0: "batch"}}
    torch.onnx.export(model, example, path(name), input_names=[in_name], output_names=[out_name],
                      dynamic_axes=axes, opset_version=opset)
    assert os.path.getsize(path(name)) < 1_000_000, f"{name} is over 1 MB"
    with torch.no_grad():
        return model(example).numpy()


def fit(model, x, y, steps, loss_of, lr=0.02):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    for step in range(steps):
        idx = torch.from_numpy(np.random.default_rng(step).integers(0, len(x), 128))
        loss = loss_of(model(xt[idx]), yt[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


def nll(p, y):
    return nn.functional.nll_loss(torch.log(p + 1e-9), y.long())


def write_csv(name, columns, rows, digits=None):
    with open(path(name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for row in rows:
            w.writerow([repr(float(v) if digits is None else round(float(v), digits)) if isinstance(v, (float, np.floating)) else int(v) for v in row])


def classification(p, y):
    return {"accuracy": float((np.argmax(p, 1) == y).mean())}


# --- GRU sequence classifier, steps dynamic -------------------------------------------------------
class Gru(nn.Module):
    def __init__(self, shuffled=False):
        super().__init__()
        self.gru = nn.GRU(4, 16, batch_first=True)
        self.fc = nn.Linear(16, 3)
        self.shuffled = shuffled

    def forward(self, x):
        _, h = self.gru(x)
        p = torch.softmax(self.fc(h[0]), dim=1)
        return p[:, [1, 2, 0]] if self.shuffled else p


def seq_data(n, seed, steps=10):
    g = np.random.default_rng(seed)
    y = g.integers(0, 3, n)
    t = np.linspace(-1, 1, steps)
    x = g.normal(0, 0.3, (n, steps, 4)).astype(np.float32)
    slope = np.array([-1.0, 0.0, 1.0])[y]
    x[:, :, 0] += (slope[:, None] * t[None, :]).astype(np.float32)
    return x, y


def gru():
    x, y = seq_data(3000, 0)
    ex, ey = seq_data(200, 99)
    ex = np.round(ex, 4)  # as written to the CSV, so the reference metrics are on what the gate reads
    cols = [f"s{s}f{f}" for s in range(10) for f in range(4)] + ["label"]
    write_csv("gru.csv", cols, [list(r.ravel()) + [int(t)] for r, t in zip(ex, ey)], digits=4)
    models = {}
    for name, seed in (("gru_a", 1), ("gru_b", 2)):
        torch.manual_seed(seed)
        models[name] = fit(Gru(), x, y, 300, nll)
    bad = Gru(shuffled=True)
    bad.load_state_dict(models["gru_a"].state_dict())
    models["gru_shuffled"] = bad
    for name, m in models.items():
        p = export(m, torch.from_numpy(ex), name + ".onnx", "x", "probs",
                   {"x": {0: "batch", 1: "steps"}, "probs": {0: "batch"}})
        expected[name] = classification(p, ey)


# --- multi-target regression ----------------------------------------------------------------------
class Split(nn.Module):
    """A multi-target model exported the way the gate can score it: one output per target."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        out = self.inner(x)
        return out[:, :1], out[:, 1:]


class Reg2(nn.Module):
    def __init__(self, const=False):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 2))
        self.const = const

    def forward(self, x):
        out = self.net(x)
        return out * 0.0 + out.mean(0, keepdim=True).detach() * 0.0 + 0.5 if self.const else out


def reg2_data(n, seed):
    g = np.random.default_rng(seed)
    x = g.normal(0, 1, (n, 6)).astype(np.float32)
    y0 = x @ np.array([1, -1, 0.5, 0, 0, 0.2]) + 0.1 * g.normal(size=n)
    y1 = np.sin(x[:, 3]) + 0.5 * x[:, 4] + 0.1 * g.normal(size=n)
    return x, np.stack([y0, y1], 1).astype(np.float32)


def reg2():
    x, y = reg2_data(4000, 0)
    ex, ey = reg2_data(300, 99)
    write_csv("reg2.csv", [f"x{i}" for i in range(6)] + ["y0", "y1"],
              [list(r) + list(t) for r, t in zip(ex, ey)])
    models = {}
    for name, seed in (("reg2_a", 1), ("reg2_b", 2)):
        torch.manual_seed(seed)
        models[name] = fit(Reg2(), x, y, 800, lambda o, t: ((o - t) ** 2).mean(), 0.01)
    models["reg2_const"] = Reg2(const=True)
    for name, m in models.items():
        p = export(m, torch.from_numpy(ex), name + ".onnx", "x", "y")
        expected[name] = {"mae_y0": float(np.abs(p[:, 0] - ey[:, 0]).mean()),
                          "mae_y1": float(np.abs(p[:, 1] - ey[:, 1]).mean())}
    split = Split(models["reg2_a"]).eval()
    torch.onnx.export(split, torch.from_numpy(ex), path("reg2_split.onnx"), input_names=["x"], output_names=["y0", "y1"],
                      dynamic_axes={"x": {0: "batch"}, "y0": {0: "batch"}, "y1": {0: "batch"}}, opset_version=14)
    with torch.no_grad():
        y0, y1 = (t.numpy()[:, 0] for t in split(torch.from_numpy(ex)))
    expected["reg2_split"] = {"mae_y0": float(np.abs(y0 - ey[:, 0]).mean()), "mae_y1": float(np.abs(y1 - ey[:, 1]).mean())}


# --- binary classifier, one sigmoid column, opset 17 ----------------------------------------------
class Binary(nn.Module):
    def __init__(self, nan=False):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 1))
        self.nan = nan

    def forward(self, x):
        p = torch.sigmoid(self.net(x))
        if self.nan:
            p = torch.where(x[:, :1] > 1.0, torch.full_like(p, float("nan")), p)
        return p


def bin_data(n, seed):
    g = np.random.default_rng(seed)
    x = g.normal(0, 1, (n, 5)).astype(np.float32)
    y = ((x[:, 0] + x[:, 1] * x[:, 2] + 0.3 * g.normal(size=n)) > 0).astype(np.int64)
    return x, y


def binary():
    x, y = bin_data(4000, 0)
    ex, ey = bin_data(400, 99)
    write_csv("bin.csv", [f"x{i}" for i in range(5)] + ["label"], [list(r) + [int(t)] for r, t in zip(ex, ey)])
    models = {}
    bce = lambda p, t: nn.functional.binary_cross_entropy(p[:, 0], t.float())
    for name, seed in (("bin_a", 1), ("bin_b", 2)):
        torch.manual_seed(seed)
        models[name] = fit(Binary(), x, y, 600, bce)
    bad = Binary(nan=True)
    bad.load_state_dict(models["bin_a"].state_dict())
    models["bin_nan"] = bad
    for name, m in models.items():
        p = export(m, torch.from_numpy(ex), name + ".onnx", "x", "prob",
                   {"x": {0: "batch_size"}, "prob": {0: "batch_size"}}, opset=17)
        s = p[:, 0]
        ok = np.isfinite(s)
        expected[name] = {"accuracy": float(((s[ok] >= 0.5) == ey[ok]).mean()),
                          "roc_auc": float(skm.roc_auc_score(ey[ok], s[ok])), "nan_rows": int((~ok).sum()),
                          # as the data file numbers them: row 1 is the first after the header
                          "nan_data_rows": [int(r) + 1 for r in np.flatnonzero(~ok)]}


# --- multi-label, independent sigmoids -------------------------------------------------------------
class MultiLabel(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 4))

    def forward(self, x):
        return torch.sigmoid(self.net(x))


def ml_data(n, seed):
    g = np.random.default_rng(seed)
    x = g.normal(0, 1, (n, 6)).astype(np.float32)
    tags = (x[:, :4] + 0.3 * x[:, 4:5] + 0.2 * g.normal(size=(n, 4)) > 0).astype(np.int64)
    return x, tags


def multilabel():
    x, t = ml_data(4000, 0)
    ex, et = ml_data(400, 99)
    write_csv("ml.csv", [f"x{i}" for i in range(6)] + ["label"] + [f"tag{k}" for k in range(4)],
              [list(r) + [int(tt[0])] + [int(v) for v in tt] for r, tt in zip(ex, et)])
    bce = lambda p, y: nn.functional.binary_cross_entropy(p, y.float())
    for name, seed in (("ml_a", 1), ("ml_b", 2)):
        torch.manual_seed(seed)
        p = export(fit(MultiLabel(), x, t, 600, bce), torch.from_numpy(ex), name + ".onnx", "x", "probs")
        expected[name] = {"tag_accuracy": [float(((p[:, k] >= 0.5) == et[:, k]).mean()) for k in range(4)]}


# --- float64 throughout ---------------------------------------------------------------------------
class F64(nn.Module):
    def __init__(self, slow=False):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(5, 32), nn.ReLU(), nn.Linear(32, 3))
        self.slow = slow

    def forward(self, x):
        z = self.net(x)
        if self.slow:
            # 1,500 more ops whose result is multiplied by zero: the same answer, ~1,500 kernel launches more
            w = x.repeat(1, 40)
            for _ in range(1500):
                w = torch.tanh(w * 1.0001 + 0.001)
            z = z + 0.0 * w.mean(1, keepdim=True)
        return torch.softmax(z, dim=1)


def f64_data(n, seed):
    g = np.random.default_rng(seed)
    x = g.normal(0, 1, (n, 5))
    y = np.argmax(np.stack([x[:, 0], x[:, 1], 0.5 - x[:, 0] - x[:, 1]], 1) + 0.3 * g.normal(size=(n, 3)), 1)
    return x, y


def f64():
    x, y = f64_data(4000, 0)
    ex, ey = f64_data(400, 99)
    write_csv("f64.csv", [f"x{i}" for i in range(5)] + ["label"], [list(r) + [int(t)] for r, t in zip(ex, ey)])
    models = {}
    for name, seed in (("f64_a", 1), ("f64_b", 2)):
        torch.manual_seed(seed)
        models[name] = fit(F64().double(), x, y, 600, nll)
    slow = F64(slow=True).double()
    slow.load_state_dict(models["f64_a"].state_dict())
    models["f64_slow"] = slow
    for name, m in models.items():
        p = export(m, torch.from_numpy(ex), name + ".onnx", "x", "probabilities")
        expected[name] = classification(p, ey)


# --- XGBoost / scikit-learn regressors through the adapter ----------------------------------------
def xgb():
    import xgboost
    from sklearn.ensemble import GradientBoostingRegressor

    g = np.random.default_rng(0)
    x = g.normal(0, 1, (1400, 6))
    y = x[:, 0] * 2 + np.sin(x[:, 1] * 2) + 0.5 * x[:, 2] * x[:, 3] + 0.1 * g.normal(size=1400)
    tx, ty, ex, ey = x[:1000], y[:1000], x[1000:], y[1000:]
    write_csv("reg.csv", [f"x{i}" for i in range(6)] + ["y"], [list(r) + [t] for r, t in zip(ex, ey)])
    m = xgboost.XGBRegressor(n_estimators=150, max_depth=4, learning_rate=0.1, n_jobs=1, random_state=0).fit(tx, ty)
    m.save_model(path("xgb_reg.json"))
    noise = xgboost.XGBRegressor(n_estimators=150, max_depth=4, learning_rate=0.1, n_jobs=1, random_state=0)
    noise.fit(tx, g.permutation(ty))
    noise.save_model(path("xgb_reg_noise.json"))
    gbr = GradientBoostingRegressor(n_estimators=150, max_depth=3, random_state=0).fit(tx, ty)
    with open(path("gbr_reg.pkl"), "wb") as f:
        pickle.dump(gbr, f)
    for name, model in (("xgb_reg", m), ("xgb_reg_noise", noise), ("gbr_reg", gbr)):
        p = model.predict(ex)
        expected[name] = {"mae": float(skm.mean_absolute_error(ey, p)),
                          "rmse": float(np.sqrt(skm.mean_squared_error(ey, p))), "r2": float(skm.r2_score(ey, p))}


# --- image classifier fed from JSON Lines arrays --------------------------------------------------
class Img(nn.Module):
    def __init__(self, shuffled=False):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 5, stride=2)
        self.fc = nn.Linear(6, 3)
        self.shuffled = shuffled

    def forward(self, image):
        h = torch.relu(self.conv(image)).mean(dim=(2, 3))
        p = torch.softmax(self.fc(h), dim=1)
        return p[:, [2, 0, 1]] if self.shuffled else p


def img_data(n, seed):
    g = np.random.default_rng(seed)
    y = g.integers(0, 3, n)
    x = g.normal(0, 1, (n, 3, 32, 32)).astype(np.float32)
    for i in range(n):
        x[i, y[i], 8:24, 8:24] += 0.8
    return x, y


def image():
    x, y = img_data(2000, 0)
    ex, ey = img_data(120, 99)
    with open(path("img.jsonl"), "w") as f:
        for r, t in zip(ex, ey):
            f.write(json.dumps({"image": np.round(r, 3).tolist(), "label": int(t)}) + "\n")
    ex = np.round(ex, 3).astype(np.float32)
    models = {}
    for name, seed in (("img_a", 1), ("img_b", 2)):
        torch.manual_seed(seed)
        models[name] = fit(Img(), x, y, 200, nll)
    bad = Img(shuffled=True)
    bad.load_state_dict(models["img_a"].state_dict())
    models["img_shuffled"] = bad
    for name, m in models.items():
        p = export(m, torch.from_numpy(ex), name + ".onnx", "image", "probs")
        expected[name] = classification(p, ey)


for kind in KINDS:
    {"gru": gru, "reg2": reg2, "binary": binary, "multilabel": multilabel, "f64": f64, "xgb": xgb, "image": image}[kind]()

with open(path("expected.json"), "w") as f:
    json.dump(expected, f, indent=2, sort_keys=True)
