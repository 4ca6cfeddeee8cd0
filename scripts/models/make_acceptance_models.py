#!/usr/bin/env python3
"""Trained PyTorch models exported to ONNX, healthy pairs and broken variants, for the acceptance
sweep "right verdicts on the models teams really ship" (test/acceptance-verdicts.test.ts).

Run with Debian's packages (python3-torch 1.13, python3-onnx):
    /usr/bin/python3 scripts/models/make_acceptance_models.py OUT_DIR

Each family is trained twice (seed 1 = candidate, seed 2 = baseline, same data) so the pair is
equally good; broken variants derive from the seed-1 model. Writes into OUT_DIR:
  cnn_a.onnx, cnn_b.onnx   image classifier image float32[batch, 3, 16, 16] -> probs [batch, 3]
                           (class = the brightest channel); cnn.csv (p0 ... p767, label)
  cnn_nan.onnx             broken: NaN probabilities when the image's mean pixel is > 0.2
  cnn_shuffled.onnx        broken: output columns permuted (class 0 <-> 1 <-> 2)
  cnn_slow.onnx            broken: the same predictions after 40 more convolutions (several x slower)
  cnn_weak.onnx            broken: trained 1 step (a baseline much better than it)
  text_a.onnx, text_b.onnx token ids int64[batch, 12] -> Embedding -> mean -> probs [batch, 2]
                           (label 1 when any id < 20); text.csv (t0 ... t11, label)
  mlp_a.onnx, mlp_b.onnx   regression float32[batch, 8] -> y [batch, 1]; reg.csv (x0 ... x7, y)
  expected.json            each model's accuracy / MAE on its csv, computed with numpy
"""
import csv
import json
import os
import sys

import numpy as np
import torch
from torch import nn

OUT = sys.argv[1] if len(sys.argv) > 1 else "acceptance-models"
os.makedirs(OUT, exist_ok=True)
torch.set_num_threads(1)


def image_data(n, seed):
    g = np.random.default_rng(seed)
    y = g.integers(0, 3, n)
    x = g.normal(0, 1, (n, 3, 16, 16)).astype(np.float32)
    for i in range(n):
        x[i, y[i]] += 0.6
    return x, y


def text_data(n, seed):
    g = np.random.default_rng(seed)
    x = g.integers(20, 200, (n, 12))
    y = g.integers(0, 2, n)
    for i in range(n):
        if y[i]:
            x[i, g.integers(0, 12)] = g.integers(0, 20)
    return x.astype(np.int64), y


def reg_data(n, seed):
    g = np.random.default_rng(seed)
    x = g.normal(0, 1, (n, 8)).astype(np.float32)
    y = (x @ np.arange(1, 9) / 8 + np.sin(x[:, 0]) + g.normal(0, 0.1, n)).astype(np.float32)
    return x, y


class Cnn(nn.Module):
    def __init__(self, mode=""):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Linear(8, 3)
        self.mode = mode

    def forward(self, image):
        h = torch.relu(self.conv(image))
        if self.mode == "slow":
            # extra convolutions whose result is multiplied by zero: same answer, several times the work
            z = h
            for _ in range(40):
                z = torch.relu(self.conv2(z))
            h = h + 0.0 * z.abs().mean() * torch.rsqrt(z.abs().mean() + 1.0)
        h = h.mean(dim=(2, 3))
        p = torch.softmax(self.fc(h), dim=1)
        if self.mode == "nan":
            bad = (image.mean(dim=(1, 2, 3)) > 0.25).unsqueeze(1)
            p = torch.where(bad, torch.full_like(p, float("nan")), p)
        if self.mode == "shuffled":
            p = p[:, [1, 2, 0]]
        return p


class Text(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(200, 16)
        self.fc = nn.Linear(16, 2)

    def forward(self, input_ids):
        h = torch.relu(self.emb(input_ids)).max(dim=1).values
        return torch.softmax(self.fc(h), dim=1)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        return self.net(x)


def train(model, x, y, steps, classify, lr=0.02):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    for step in range(steps):
        idx = torch.from_numpy(np.random.default_rng(step).integers(0, len(x), 128))
        out = model(xt[idx])
        if classify:
            loss = nn.functional.nll_loss(torch.log(out + 1e-9), yt[idx].long())
        else:
            loss = ((out[:, 0] - yt[idx]) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


def export(model, example, path, in_name, out_name):
    model.eval()
    torch.onnx.export(model, example, os.path.join(OUT, path), input_names=[in_name],
                      output_names=[out_name], dynamic_axes={in_name: {0: "batch"}, out_name: {0: "batch"}},
                      opset_version=13)
    with torch.no_grad():
        return model(example).numpy()


def write_csv(path, x, y, prefix, label):
    flat = x.reshape(len(x), -1)
    with open(os.path.join(OUT, path), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([f"{prefix}{i}" for i in range(flat.shape[1])] + [label])
        for row, t in zip(flat, y):
            w.writerow([repr(float(v)) if flat.dtype.kind == "f" else int(v) for v in row] + [t.item()])


expected = {}
xi, yi = image_data(3000, 0)
ei, eyi = image_data(300, 99)
write_csv("cnn.csv", ei, eyi, "p", "label")
cnns = {}
for name, seed in (("cnn_a", 1), ("cnn_b", 2)):
    torch.manual_seed(seed)
    cnns[name] = train(Cnn(), xi, yi, 300, True)
torch.manual_seed(3)
cnns["cnn_weak"] = train(Cnn(), xi, yi, 1, True)
for mode in ("nan", "shuffled", "slow"):
    m = Cnn(mode)
    if mode == "slow":
        m.conv2 = nn.Conv2d(8, 8, 3, padding=1)
    m.load_state_dict(cnns["cnn_a"].state_dict(), strict=False)
    cnns["cnn_" + mode] = m
for name, m in cnns.items():
    p = export(m, torch.from_numpy(ei), name + ".onnx", "image", "probs")
    expected[name] = {"accuracy": float((np.argmax(p, 1) == eyi).mean())}

xt, yt = text_data(4000, 0)
et, eyt = text_data(300, 99)
write_csv("text.csv", et, eyt, "t", "label")
for name, seed in (("text_a", 1), ("text_b", 2)):
    torch.manual_seed(seed)
    p = export(train(Text(), xt, yt, 400, True), torch.from_numpy(et), name + ".onnx", "input_ids", "probs")
    expected[name] = {"accuracy": float((np.argmax(p, 1) == eyt).mean())}

xr, yr = reg_data(4000, 0)
er, eyr = reg_data(300, 99)
write_csv("reg.csv", er, eyr, "x", "y")
for name, seed in (("mlp_a", 1), ("mlp_b", 2)):
    torch.manual_seed(seed)
    p = export(train(Mlp(), xr, yr, 800, False, 0.01), torch.from_numpy(er), name + ".onnx", "x", "y")
    expected[name] = {"mae": float(np.abs(p[:, 0] - eyr).mean())}

with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump(expected, f, indent=2)
print(json.dumps(expected))
