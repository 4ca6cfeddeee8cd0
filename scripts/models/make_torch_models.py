#!/usr/bin/env python3
"""PyTorch models exported with torch.onnx.export, shaped like models teams ship (issue #13).

Run with Debian's packages (python3-torch 1.13, python3-onnx 1.12, python3-sklearn):
    /usr/bin/python3 scripts/models/make_torch_models.py

Weights are random but seeded (torch.manual_seed), so the script writes the same files every
time on the same torch build. Each model gets reference outputs computed by torch on fixed inputs
(expected.json), and the labelled ones a CSV with the metrics numpy / scikit-learn compute on it.

Writes into test/fixtures/models/torch/:
  stream_named.onnx     Silero-VAD-like streaming model: x float32[batch, samples], sr int64
                        (rank 0), state float32[2, batch, H] -> prob [batch, 1], stateN
                        [2, batch, H]; dynamic axes named 'batch' / 'samples'
  stream_unnamed.onnx   the same weights, dynamic axes given as lists: the exporter makes up the
                        dim names (x_dynamic_axes_1, state_dynamic_axes_1, ...), so the batch axis
                        of state / stateN can only be told from which dim is left open
  stream.csv            24 labelled chunks of 256 samples (x0 ... x255, label), scored from a
                        zero state
  stream_mixing.onnx    broken: stateN mixes rows of the batch (a batch-wide mean), so a row's
                        state depends on the other rows sent with it
  cnn.onnx              image classifier image float32[N, 3, height, width] -> probs [N, 5]
                        (conv, ReLU, adaptive average pooling, softmax)
  cnn_nan.onnx          broken: NaN probabilities on every image whose mean pixel is negative
  fixed1.onnx           fixed batch of 1 (like openWakeWord): features float32[1, 16, 96] -> score
                        [1, 1] (sigmoid); fixed1.csv: 12 labelled rows (f0 ... f1535, label)
  one_d.onnx            1-D regression on one feature: x float32[N] -> y float32[N];
                        one_d.csv: 200 labelled rows (x, target)
  one_d_inf.onnx        broken: +Inf for every x > 1.5
  text.onnx             input_ids int64[batch, seq] + attention_mask int64[batch, seq] ->
                        logits [batch, 2] (Embedding of 1000 ids, masked mean, linear)
  iris_output.onnx      an MLP trained on scikit-learn's iris with a softmax on top, exported as
                        the PyTorch tutorial does (input_names=['input'], output_names=['output']):
                        nothing in the output's name says probabilities, only its Softmax node;
                        expected.json has its metrics on examples/iris/eval.csv (scikit-learn)
  iris_logits.onnx      the same MLP without its softmax (the usual export of a classifier trained with
                        cross_entropy): one score per class, nothing saying what they are;
                        expected.json has its metrics on the softmax of those scores (scikit-learn)
  expected.json         torch's outputs on fixed inputs per model; metrics on the CSVs
"""
import csv
import json
import os

import numpy as np
import torch
from sklearn import metrics as skm
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures", "models", "torch")
OPSET = 14
H = 16


def export(model, args, name, input_names, output_names, dynamic_axes):
    path = os.path.join(OUT, name)
    model.eval()
    torch.onnx.export(model, args, path, input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic_axes, opset_version=OPSET, do_constant_folding=True)
    assert os.path.getsize(path) < 1_000_000, f"{name} is over 1 MB"
    return path


def floats(t):
    return [float(v) for v in t.detach().numpy().astype(np.float64).ravel()]


class Stream(nn.Module):
    """One step of a recurrent voice-activity detector over a chunk of samples."""

    def __init__(self, mixing=False):
        super().__init__()
        self.inp = nn.Linear(3, H)
        self.rec = nn.Linear(H, H)
        self.out = nn.Linear(H, 1)
        self.mixing = mixing

    def forward(self, x, sr, state):
        scale = sr.float() / 16000.0
        feats = torch.stack([x.abs().mean(1), (x * x).mean(1).sqrt(), x.amax(1) - x.amin(1)], dim=1) * scale
        h, c = state[0], state[1]
        h2 = torch.tanh(self.inp(feats) + self.rec(h))
        if self.mixing:
            c2 = 0.5 * c + 0.5 * h2.mean(0, keepdim=True)
        else:
            c2 = 0.5 * c + 0.5 * h2
        prob = torch.sigmoid(self.out(h2 + c2))
        return prob, torch.stack([h2, c2])


class Cnn(nn.Module):
    def __init__(self, nan=False):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 5)
        self.nan = nan

    def forward(self, image):
        z = self.pool(torch.relu(self.conv(image))).flatten(1)
        probs = torch.softmax(self.fc(z), dim=1)
        if self.nan:
            # sqrt of a negative mean is NaN: the rows with a dark image answer NaN.
            probs = probs * torch.sqrt(image.mean(dim=(1, 2, 3))).unsqueeze(1) / torch.sqrt(image.mean(dim=(1, 2, 3)).abs()).unsqueeze(1)
        return probs


class Fixed1(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(16 * 96, 8)
        self.fc2 = nn.Linear(8, 1)

    def forward(self, features):
        return torch.sigmoid(self.fc2(torch.relu(self.fc1(features.reshape(1, -1)))))


class OneD(nn.Module):
    def __init__(self, inf=False):
        super().__init__()
        self.inf = inf

    def forward(self, x):
        y = 2.0 * x + 0.5 + 0.1 * torch.sin(3.0 * x)
        if self.inf:
            y = torch.where(x > 1.5, torch.full_like(y, float("inf")), y)
        return y


class Text(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(1000, 8)
        self.fc = nn.Linear(8, 2)

    def forward(self, input_ids, attention_mask):
        m = attention_mask.unsqueeze(-1).float()
        pooled = (self.emb(input_ids) * m).sum(1) / m.sum(1).clamp(min=1.0)
        return self.fc(pooled)


def stream_models(expected):
    torch.manual_seed(1)
    healthy = Stream()
    mixing = Stream(mixing=True)
    mixing.load_state_dict(healthy.state_dict())
    gen = torch.Generator().manual_seed(2)
    x = torch.randn(4, 256, generator=gen) * 0.3
    sr = torch.tensor(16000, dtype=torch.int64)
    state = torch.randn(2, 4, H, generator=gen) * 0.5
    zero = torch.zeros(2, 4, H)
    args = (x, sr, state)
    names = dict(input_names=["x", "sr", "state"], output_names=["prob", "stateN"])
    export(healthy, args, "stream_named.onnx", dynamic_axes={
        "x": {0: "batch", 1: "samples"}, "state": {1: "batch"}, "prob": {0: "batch"}, "stateN": {1: "batch"}}, **names)
    export(healthy, args, "stream_unnamed.onnx", dynamic_axes={"x": [0, 1], "state": [1], "prob": [0], "stateN": [1]}, **names)
    export(mixing, args, "stream_mixing.onnx", dynamic_axes={
        "x": {0: "batch", 1: "samples"}, "state": {1: "batch"}, "prob": {0: "batch"}, "stateN": {1: "batch"}}, **names)
    with torch.no_grad():
        prob, state_n = healthy(x, sr, state)
        prob0, state_n0 = healthy(x, sr, zero)
    # Labelled chunks for a run from data: a fresh stream (zero state) per row.
    chunks = torch.randn(24, 256, generator=gen) * torch.linspace(0.05, 1.0, 24).unsqueeze(1)
    with torch.no_grad():
        scores = healthy(chunks, sr, torch.zeros(2, 24, H))[0][:, 0].numpy().astype(np.float64)
    labels = (scores >= np.median(scores)).astype(int)
    labels[[2, 13]] = 1 - labels[[2, 13]]
    with open(os.path.join(OUT, "stream.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([f"x{i}" for i in range(256)] + ["label"])
        for r, y in zip(chunks, labels):
            w.writerow([repr(float(v)) for v in r.numpy()] + [int(y)])
    p = np.clip(scores, 1e-15, 1 - 1e-15)
    expected["stream_csv"] = {
        "scores": scores.tolist(), "labels": labels.tolist(),
        "accuracy": float(skm.accuracy_score(labels, (scores >= 0.5).astype(int))),
        "roc_auc": float(skm.roc_auc_score(labels, scores)),
        "log_loss": float(skm.log_loss(labels, np.stack([1 - p, p], axis=1))),
    }
    expected["stream"] = {
        "x": floats(x), "x_shape": list(x.shape), "sr": 16000,
        "state": floats(state), "state_shape": list(state.shape),
        "prob": floats(prob), "stateN": floats(state_n),
        "prob_zero_state": floats(prob0), "stateN_zero_state": floats(state_n0),
    }


def cnn_models(expected):
    torch.manual_seed(3)
    healthy = Cnn()
    broken = Cnn(nan=True)
    broken.load_state_dict(healthy.state_dict())
    image = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(4))
    axes = {"image": {0: "N", 2: "height", 3: "width"}, "probs": {0: "N"}}
    export(healthy, (image,), "cnn.onnx", ["image"], ["probs"], axes)
    export(broken, (image,), "cnn_nan.onnx", ["image"], ["probs"], axes)
    with torch.no_grad():
        expected["cnn"] = {"image": floats(image), "image_shape": list(image.shape), "probs": floats(healthy(image))}


def fixed1_model(expected):
    torch.manual_seed(5)
    model = Fixed1()
    gen = torch.Generator().manual_seed(6)
    rows = torch.randn(12, 1, 16, 96, generator=gen)
    export(model, (rows[0],), "fixed1.onnx", ["features"], ["score"], None)
    with torch.no_grad():
        scores = np.array([float(model(r)[0, 0]) for r in rows])
    # Labels: the model's own call, with three rows flipped so the metrics are not all perfect.
    labels = (scores >= 0.5).astype(int)
    labels[[1, 5, 9]] = 1 - labels[[1, 5, 9]]
    with open(os.path.join(OUT, "fixed1.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([f"f{i}" for i in range(16 * 96)] + ["label"])
        for r, y in zip(rows, labels):
            # float32 values printed exactly (repr of the float32 as a double round-trips).
            w.writerow([repr(float(v)) for v in r.numpy().ravel()] + [int(y)])
    pred = (scores >= 0.5).astype(int)
    p = np.clip(scores, 1e-15, 1 - 1e-15)
    expected["fixed1"] = {
        "scores": scores.tolist(), "labels": labels.tolist(),
        "accuracy": float(skm.accuracy_score(labels, pred)),
        "roc_auc": float(skm.roc_auc_score(labels, scores)),
        "log_loss": float(skm.log_loss(labels, np.stack([1 - p, p], axis=1))),
        "brier": float(skm.brier_score_loss(labels, scores)),
    }


def one_d_models(expected):
    gen = np.random.default_rng(7)
    x = gen.normal(0, 1, 200).astype(np.float32)
    target = (2.0 * x + 0.5 + gen.normal(0, 0.3, 200)).astype(np.float32)
    axes = {"x": {0: "N"}, "y": {0: "N"}}
    export(OneD(), (torch.from_numpy(x),), "one_d.onnx", ["x"], ["y"], axes)
    export(OneD(inf=True), (torch.from_numpy(x),), "one_d_inf.onnx", ["x"], ["y"], axes)
    with open(os.path.join(OUT, "one_d.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["x", "target"])
        for a, b in zip(x, target):
            w.writerow([repr(float(a)), repr(float(b))])
    with torch.no_grad():
        y = OneD()(torch.from_numpy(x)).numpy().astype(np.float64)
    t = target.astype(np.float64)
    e = t - y
    expected["one_d"] = {
        "y": y.tolist(),
        "rmse": float(np.sqrt(np.mean(e * e))),
        "mae": float(np.mean(np.abs(e))),
        "r2": float(1 - np.sum(e * e) / np.sum((t - t.mean()) ** 2)),
        "max_error": float(np.max(np.abs(e))),
        "inf_rows": int(np.sum(x > 1.5)),
    }


def text_model(expected):
    torch.manual_seed(8)
    model = Text()
    gen = torch.Generator().manual_seed(9)
    ids = torch.randint(0, 1000, (3, 10), generator=gen)
    mask = torch.ones(3, 10, dtype=torch.int64)
    mask[1, 6:] = 0
    axes = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"}, "logits": {0: "batch"}}
    export(model, (ids, mask), "text.onnx", ["input_ids", "attention_mask"], ["logits"], axes)
    with torch.no_grad():
        expected["text"] = {"input_ids": ids.ravel().tolist(), "attention_mask": mask.ravel().tolist(), "shape": [3, 10], "logits": floats(model(ids, mask))}


def iris_model(expected):
    from sklearn.datasets import load_iris
    torch.manual_seed(7)
    x, y = load_iris(return_X_y=True)
    net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    opt = torch.optim.Adam(net.parameters(), lr=0.05)
    xt, yt = torch.tensor(x, dtype=torch.float32), torch.tensor(y)
    for _ in range(300):
        opt.zero_grad()
        nn.functional.cross_entropy(net(xt), yt).backward()
        opt.step()
    model = nn.Sequential(net, nn.Softmax(dim=1))
    export(model, (xt[:1],), "iris_output.onnx", ["input"], ["output"], {"input": {0: "batch_size"}, "output": {0: "batch_size"}})
    rows = np.loadtxt(os.path.join(ROOT, "examples", "iris", "eval.csv"), delimiter=",", skiprows=1)
    with torch.no_grad():
        proba = model(torch.tensor(rows[:, :4], dtype=torch.float32)).numpy().astype(np.float64)
    truth = rows[:, 4].astype(int)
    expected["iris_output"] = {
        "accuracy": float(skm.accuracy_score(truth, proba.argmax(1))),
        "log_loss": float(skm.log_loss(truth, proba, labels=[0, 1, 2])),
    }
    # The same network without its softmax, as most PyTorch classifiers are exported (trained with
    # cross_entropy on raw scores): its metrics on the softmax of the logits, in float64.
    export(net, (xt[:1],), "iris_logits.onnx", ["input"], ["output"], {"input": {0: "batch_size"}, "output": {0: "batch_size"}})
    with torch.no_grad():
        logits = net(torch.tensor(rows[:, :4], dtype=torch.float32)).numpy().astype(np.float64)
    soft = np.exp(logits - logits.max(1, keepdims=True))
    soft /= soft.sum(1, keepdims=True)
    expected["iris_logits"] = {
        "accuracy": float(skm.accuracy_score(truth, logits.argmax(1))),
        "log_loss": float(skm.log_loss(truth, soft, labels=[0, 1, 2])),
        "roc_auc": float(skm.roc_auc_score(truth, soft, multi_class="ovr", average="macro")),
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {"torch": torch.__version__}
    stream_models(expected)
    cnn_models(expected)
    fixed1_model(expected)
    one_d_models(expected)
    text_model(expected)
    iris_model(expected)
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
