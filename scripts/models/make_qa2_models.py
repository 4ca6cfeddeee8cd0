#!/usr/bin/env python3
"""PyTorch exports teams ship that the other fixtures do not cover, each with a healthy candidate,
an equally good baseline (another seed) and a broken variant, for the second QA sweep of
model-gate's verdicts (test/qa2-verdicts.test.ts).

Run with Debian's packages (python3-torch 1.13, python3-onnx 1.12, python3-sklearn):
    /usr/bin/python3 scripts/models/make_qa2_models.py test/fixtures/models/qa2 [kind ...]

Weights are seeded, so the script writes the same files every time on the same builds. Writes into
OUT_DIR (kinds: bert, kws, spec, binlogit, argmax, embed, detect, imgdyn; default all):
  bert_a.onnx, bert_b.onnx   BERT-like text classifier: input_ids, attention_mask, token_type_ids
                             int64[batch, seq] (seq dynamic) -> logits [batch, 2];
                             bert.jsonl (padded to 16, label), bert_ragged.jsonl (unpadded rows;
                             expected bert_a_ragged: each row through the model alone, unpadded)
  bert_shuffled.onnx         broken: the two logits swapped
  kws_a.onnx, kws_b.onnx     keyword spotter on raw audio: waveform float32[batch, samples]
                             (samples dynamic) -> logits [batch, 3]; kws.jsonl (256 samples a row)
  kws_nan.onnx               broken: NaN on rows whose waveform's first sample > 0.5
  spec_a.onnx, spec_b.onnx   spectrogram classifier: spec float32[batch, 1, 40, frames] (frames
                             dynamic) -> probs [batch, 3] (softmax); spec.jsonl (40 x 8 nested)
  spec_shuffled.onnx         broken: probability columns permuted
  binlogit_a.onnx            binary classifier trained with BCEWithLogitsLoss, no sigmoid in the
                             graph: x float32[batch, 5] -> logits [batch, 1]
  binlogit_output.onnx       the same, its output named "output"
  binlogit_b.onnx            baseline (another seed), output "logits"
  binlogit_flipped.onnx      broken: the logit negated (every prediction inverted)
  binlogit_output_b.onnx, binlogit_output_flipped.onnx  baseline and broken, their output named "output"
                             binlogit.csv (x0 ... x4, label 0/1)
  argmax_a.onnx, argmax_b.onnx  classifier exporting label int64[batch] (argmax) and probs [batch, 3]
  argmax_only.onnx           the same classifier exporting only label int64[batch]
  argmax_logits.onnx         the same classifier exporting label int64[batch] and logits [batch, 3]
  argmax_shuffled.onnx       broken: label and probs from permuted classes; argmax.csv (x0 ... x5, label)
  embed_a.onnx, embed_b.onnx embedding model: x float32[batch, 6] -> embedding [batch, 8], L2-normalised
  embed_nan.onnx             broken: NaN for rows whose x0 > 2.5; embed.csv (x0 ... x5, no label)
  detect_a.onnx              detection-like head: image float32[batch, 3, 16, 16] -> boxes [batch, 5, 4]
                             (in [0, 1]), scores [batch, 5] (sigmoid)
  detect_nan.onnx            broken: NaN boxes for images whose mean > 0.6; detect.jsonl (nested 3x16x16)
  imgdyn_a.onnx, imgdyn_b.onnx  image classifier image float32[batch, 3, height, width] (H, W dynamic,
                             adaptive pooling) -> probs [batch, 3]; imgdyn.jsonl (nested 3x10x10, label)
  imgdyn_shuffled.onnx       broken: probability columns permuted
  expected.json              each model's metrics on its data, computed with numpy / scikit-learn
"""
import csv
import json
import os
import sys

import numpy as np
import torch
from sklearn import metrics as skm
from torch import nn

OUT = sys.argv[1] if len(sys.argv) > 1 else "qa2-models"
KINDS = sys.argv[2:] or ["bert", "kws", "spec", "binlogit", "argmax", "embed", "detect", "imgdyn"]
os.makedirs(OUT, exist_ok=True)
torch.set_num_threads(1)
EXPECTED_FILE = os.path.join(OUT, "expected.json")
expected = json.load(open(EXPECTED_FILE)) if os.path.exists(EXPECTED_FILE) else {}


def path(name):
    return os.path.join(OUT, name)


def export(model, example, name, in_names, out_names, axes, opset=14):
    """Exports and returns the PyTorch outputs on `example` (a tuple of tensors) as numpy arrays."""
    model.eval()
    torch.onnx.export(model, example, path(name), input_names=in_names, output_names=out_names,
                      dynamic_axes=axes, opset_version=opset)
    assert os.path.getsize(path(name)) < 1_000_000, f"{name} is over 1 MB"
    with torch.no_grad():
        out = model(*example)
    return [o.numpy() for o in out] if isinstance(out, tuple) else [out.numpy()]


def fit(model, xs, y, steps, loss_of, lr=0.02):
    """Adam on minibatches of 128; xs is a tuple of input arrays."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    xts, yt = [torch.from_numpy(x) for x in xs], torch.from_numpy(y)
    for step in range(steps):
        idx = torch.from_numpy(np.random.default_rng(step).integers(0, len(y), 128))
        loss = loss_of(model(*[x[idx] for x in xts]), yt[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


def ce(logits, y):
    return nn.functional.cross_entropy(logits, y.long())


def nll(p, y):
    return nn.functional.nll_loss(torch.log(p + 1e-9), y.long())


def write_csv(name, columns, rows, digits=4):
    with open(path(name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for row in rows:
            w.writerow([repr(round(float(v), digits)) if isinstance(v, (float, np.floating)) else int(v) for v in row])


def write_jsonl(name, rows):
    with open(path(name), "w") as f:
        for r in rows:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")


def softmax(z):
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def classification(p, y):
    out = {"accuracy": float((np.argmax(p, 1) == y).mean())}
    if p.shape[1] == 2:
        out["roc_auc"] = float(skm.roc_auc_score(y, p[:, 1]))
        out["log_loss"] = float(skm.log_loss(y, p.astype(np.float64), labels=[0, 1]))
    return out


def seeded(cls, seed, *args):
    torch.manual_seed(seed)
    return cls(*args)


def permuted(cls, state, *args):
    m = cls(*args, shuffled=True)
    m.load_state_dict(state)
    return m


# --- BERT-like text classifier --------------------------------------------------------------------
VOCAB, SEQ = 50, 16


class Bert(nn.Module):
    """Embeddings (token + type), one self-attention layer honouring the mask, masked mean pool."""

    def __init__(self, shuffled=False):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, 16)
        self.typ = nn.Embedding(2, 16)
        self.att = nn.MultiheadAttention(16, 2, batch_first=True)
        self.fc = nn.Linear(16, 2)
        self.shuffled = shuffled

    def forward(self, input_ids, attention_mask, token_type_ids):
        h = self.tok(input_ids) + self.typ(token_type_ids)
        pad = attention_mask == 0
        a, _ = self.att(h, h, h, key_padding_mask=pad)
        m = attention_mask.unsqueeze(-1).float()
        pooled = ((h + a) * m).sum(1) / m.sum(1).clamp(min=1.0)
        z = self.fc(pooled)
        return z[:, [1, 0]] if self.shuffled else z


def bert_data(n, seed):
    """Token 7 ("good") among the tokens makes the label 1, token 9 ("bad") makes it 0."""
    g = np.random.default_rng(seed)
    y = g.integers(0, 2, n)
    lens = g.integers(4, SEQ + 1, n)
    ids = np.zeros((n, SEQ), np.int64)
    mask = np.zeros((n, SEQ), np.int64)
    for i in range(n):
        toks = g.integers(10, VOCAB, lens[i])
        toks[0] = 1  # [CLS]
        k = g.integers(1, lens[i])
        toks[k] = 7 if y[i] == 1 else 9
        if g.random() < 0.1:  # some noise, so the models are not perfect
            toks[k] = g.integers(10, VOCAB)
        ids[i, : lens[i]] = toks
        mask[i, : lens[i]] = 1
    return ids, mask, np.zeros_like(ids), y, lens


def bert():
    ids, mask, typ, y, _ = bert_data(3000, 0)
    eids, emask, etyp, ey, elens = bert_data(200, 99)
    write_jsonl("bert.jsonl", [{"input_ids": a.tolist(), "attention_mask": m.tolist(), "token_type_ids": t.tolist(), "label": int(l)}
                               for a, m, t, l in zip(eids, emask, etyp, ey)])
    write_jsonl("bert_ragged.jsonl", [{"input_ids": a[:n].tolist(), "attention_mask": m[:n].tolist(), "token_type_ids": t[:n].tolist(), "label": int(l)}
                                      for a, m, t, l, n in zip(eids, emask, etyp, ey, elens)])
    models = {"bert_a": fit(seeded(Bert, 1), (ids, mask, typ), y, 300, ce), "bert_b": fit(seeded(Bert, 2), (ids, mask, typ), y, 300, ce)}
    models["bert_shuffled"] = permuted(Bert, models["bert_a"].state_dict())
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "sequence"} for n in names} | {"logits": {0: "batch"}}
    ex = tuple(torch.from_numpy(a) for a in (eids, emask, etyp))
    for name, m in models.items():
        (z,) = export(m, ex, name + ".onnx", names, ["logits"], axes)
        expected[name] = classification(softmax(z), ey)
    # Unpadded rows: each row through the model alone, as the gate would feed them one at a time.
    with torch.no_grad():
        zr = np.concatenate([models["bert_a"](*(torch.from_numpy(a[None, :n]) for a in (i, m_, t))).numpy()
                             for i, m_, t, n in zip(eids, emask, etyp, elens)])
    expected["bert_a_ragged"] = classification(softmax(zr), ey)


# --- keyword spotter on raw audio, samples dynamic ------------------------------------------------
SAMPLES = 256


class Kws(nn.Module):
    def __init__(self, nan=False):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 8, 9, stride=2)
        self.conv2 = nn.Conv1d(8, 8, 9, stride=2)
        self.fc = nn.Linear(8, 3)
        self.nan = nan

    def forward(self, waveform):
        x = torch.relu(self.conv1(waveform.unsqueeze(1)))
        x = torch.relu(self.conv2(x)).mean(-1)
        z = self.fc(x)
        if self.nan:
            z = torch.where((waveform[:, :1] > 0.5), torch.full_like(z, float("nan")), z)
        return z


def kws_data(n, seed):
    """Three 'keywords': a low tone, a high tone, noise; random phase and amplitude."""
    g = np.random.default_rng(seed)
    y = g.integers(0, 3, n)
    t = np.arange(SAMPLES) / SAMPLES
    x = g.normal(0, 0.3, (n, SAMPLES))
    freq = np.array([4.0, 24.0, 0.0])[y]
    amp = g.uniform(0.5, 1.0, n) * (y < 2)
    x += amp[:, None] * np.sin(2 * np.pi * (freq[:, None] * t[None, :] + g.random(n)[:, None]))
    return np.round(x, 3).astype(np.float32), y


def kws():
    x, y = kws_data(3000, 0)
    ex, ey = kws_data(150, 99)
    write_jsonl("kws.jsonl", [{"waveform": [round(float(v), 3) for v in r], "label": int(l)} for r, l in zip(ex, ey)])
    models = {"kws_a": fit(seeded(Kws, 1), (x,), y, 300, ce), "kws_b": fit(seeded(Kws, 2), (x,), y, 300, ce)}
    bad = Kws(nan=True)
    bad.load_state_dict(models["kws_a"].state_dict())
    models["kws_nan"] = bad
    axes = {"waveform": {0: "batch", 1: "samples"}, "logits": {0: "batch"}}
    for name, m in models.items():
        (z,) = export(m, (torch.from_numpy(ex),), name + ".onnx", ["waveform"], ["logits"], axes)
        expected[name] = classification(softmax(z), ey) if name != "kws_nan" else {}
    nan_rows = np.nonzero(ex[:, 0] > 0.5)[0]
    expected["kws_nan"] = {"nan_rows": int(len(nan_rows)), "nan_data_rows": [int(i) + 1 for i in nan_rows]}


# --- spectrogram classifier, frames dynamic -------------------------------------------------------
class Spec(nn.Module):
    def __init__(self, shuffled=False):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 40, 3)
        self.shuffled = shuffled

    def forward(self, spec):
        x = torch.relu(self.conv(spec)).mean(3).flatten(1)  # pooled over the frames, whatever their number
        p = torch.softmax(self.fc(x), dim=1)
        return p[:, [1, 2, 0]] if self.shuffled else p


def spec_data(n, seed, frames=8):
    """The class is which band of the 40 mel bins carries the energy."""
    g = np.random.default_rng(seed)
    y = g.integers(0, 3, n)
    x = g.normal(0, 0.3, (n, 1, 40, frames))
    for i in range(n):
        lo = 5 + 12 * y[i]
        x[i, 0, lo:lo + 8, :] += g.uniform(0.5, 1.0)
    return np.round(x, 3).astype(np.float32), y


def spec():
    x, y = spec_data(3000, 0)
    ex, ey = spec_data(60, 99)
    write_jsonl("spec.jsonl", [{"spec": r.tolist(), "label": int(l)} for r, l in zip(ex, ey)])
    models = {"spec_a": fit(seeded(Spec, 1), (x,), y, 300, nll), "spec_b": fit(seeded(Spec, 2), (x,), y, 300, nll)}
    models["spec_shuffled"] = permuted(Spec, models["spec_a"].state_dict())
    axes = {"spec": {0: "batch", 3: "frames"}, "probs": {0: "batch"}}
    for name, m in models.items():
        (p,) = export(m, (torch.from_numpy(ex),), name + ".onnx", ["spec"], ["probs"], axes)
        expected[name] = classification(p, ey)


# --- binary classifier, one logit column ----------------------------------------------------------
class BinLogit(nn.Module):
    def __init__(self, flipped=False):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 1))
        self.flipped = flipped

    def forward(self, x):
        z = self.net(x)
        return -z if self.flipped else z


def bin_data(n, seed):
    g = np.random.default_rng(seed)
    x = g.normal(0, 1, (n, 5)).astype(np.float32)
    y = ((x[:, 0] + 0.5 * x[:, 1] - 0.5 * x[:, 2] + g.normal(0, 0.5, n)) > 0).astype(np.float32)
    return np.round(x, 4), y


def binlogit():
    x, y = bin_data(3000, 0)
    ex, ey = bin_data(300, 99)
    write_csv("binlogit.csv", [f"x{i}" for i in range(5)] + ["label"], [list(r) + [int(l)] for r, l in zip(ex, ey)])

    def bce(z, t):
        return nn.functional.binary_cross_entropy_with_logits(z[:, 0], t)

    a = fit(seeded(BinLogit, 1), (x,), y, 300, bce)
    models = {"binlogit_a": (a, "logits"), "binlogit_output": (a, "output"),
              "binlogit_b": (fit(seeded(BinLogit, 2), (x,), y, 300, bce), "logits")}
    flipped = BinLogit(flipped=True)
    flipped.load_state_dict(a.state_dict())
    models["binlogit_flipped"] = (flipped, "logits")
    models["binlogit_output_b"] = (models["binlogit_b"][0], "output")
    models["binlogit_output_flipped"] = (flipped, "output")
    for name, (m, out) in models.items():
        (z,) = export(m, (torch.from_numpy(ex),), name + ".onnx", ["x"], [out], {"x": {0: "batch"}, out: {0: "batch"}})
        p1 = 1 / (1 + np.exp(-z[:, 0]))
        expected[name] = {"accuracy": float(((p1 > 0.5) == ey).mean()), "roc_auc": float(skm.roc_auc_score(ey, p1)),
                          "log_loss": float(skm.log_loss(ey, np.clip(p1, 1e-15, 1 - 1e-15)))}


# --- a classifier exporting its predicted label (argmax) ------------------------------------------
class Mlp3(nn.Module):
    def __init__(self, shuffled=False):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3))
        self.shuffled = shuffled

    def forward(self, x):
        z = self.net(x)
        return z[:, [1, 2, 0]] if self.shuffled else z


class WithLabel(nn.Module):
    def __init__(self, inner, only_label=False, logits=False):
        super().__init__()
        self.inner = inner
        self.only_label = only_label
        self.logits = logits

    def forward(self, x):
        z = self.inner(x)
        p = z if self.logits else torch.softmax(z, dim=1)
        label = torch.argmax(p, dim=1)
        return label if self.only_label else (label, p)


def cls3_data(n, seed):
    g = np.random.default_rng(seed)
    y = g.integers(0, 3, n)
    centers = np.array([[1, 0, 0, 1, 0, 0], [0, 1, 0, 0, 1, 0], [0, 0, 1, 0, 0, 1]], float) * 1.5
    x = (centers[y] + g.normal(0, 1, (n, 6))).astype(np.float32)
    return np.round(x, 4), y


def argmax():
    x, y = cls3_data(3000, 0)
    ex, ey = cls3_data(300, 99)
    write_csv("argmax.csv", [f"x{i}" for i in range(6)] + ["label"], [list(r) + [int(l)] for r, l in zip(ex, ey)])
    a = fit(seeded(Mlp3, 1), (x,), y, 300, ce)
    b = fit(seeded(Mlp3, 2), (x,), y, 300, ce)
    s = permuted(Mlp3, a.state_dict())
    models = {"argmax_a": WithLabel(a), "argmax_b": WithLabel(b), "argmax_only": WithLabel(a, only_label=True),
              "argmax_shuffled": WithLabel(s), "argmax_logits": WithLabel(a, logits=True)}
    for name, m in models.items():
        outs = ["label"] if name == "argmax_only" else ["label", "logits"] if name == "argmax_logits" else ["label", "probs"]
        res = export(m, (torch.from_numpy(ex),), name + ".onnx", ["x"], outs, {"x": {0: "batch"}} | {o: {0: "batch"} for o in outs})
        expected[name] = {"accuracy": float((res[0] == ey).mean())}


# --- embedding model ------------------------------------------------------------------------------
class Embed(nn.Module):
    def __init__(self, nan=False):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 8))
        self.nan = nan

    def forward(self, x):
        e = nn.functional.normalize(self.net(x), dim=1)
        if self.nan:
            e = torch.where(x[:, :1] > 2.5, torch.full_like(e, float("nan")), e)
        return e


def embed():
    ex, _ = cls3_data(200, 98)
    write_csv("embed.csv", [f"x{i}" for i in range(6)], [list(r) for r in ex])
    a = seeded(Embed, 1)
    models = {"embed_a": a, "embed_b": seeded(Embed, 2), "embed_nan": Embed(nan=True)}
    models["embed_nan"].load_state_dict(a.state_dict())
    for name, m in models.items():
        export(m, (torch.from_numpy(ex),), name + ".onnx", ["x"], ["embedding"], {"x": {0: "batch"}, "embedding": {0: "batch"}})
    nan_rows = np.nonzero(ex[:, 0] > 2.5)[0]
    expected["embed_nan"] = {"nan_rows": int(len(nan_rows)), "nan_data_rows": [int(i) + 1 for i in nan_rows]}


# --- detection-like head: boxes and scores --------------------------------------------------------
class Detect(nn.Module):
    def __init__(self, nan=False):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.box = nn.Linear(8 * 8 * 8, 5 * 4)
        self.score = nn.Linear(8 * 8 * 8, 5)
        self.nan = nan

    def forward(self, image):
        f = torch.relu(self.conv(image)).flatten(1)
        boxes = torch.sigmoid(self.box(f)).reshape(-1, 5, 4)
        scores = torch.sigmoid(self.score(f))
        if self.nan:
            bad = image.mean((1, 2, 3)) > 0.6
            boxes = torch.where(bad[:, None, None], torch.full_like(boxes, float("nan")), boxes)
        return boxes, scores


def detect():
    g = np.random.default_rng(97)
    ex = np.round(g.uniform(0, 1, (24, 3, 16, 16)) ** g.uniform(0.5, 2, (24, 1, 1, 1)), 2).astype(np.float32)
    write_jsonl("detect.jsonl", [{"image": r.tolist()} for r in ex])
    a = seeded(Detect, 1)
    models = {"detect_a": a, "detect_nan": Detect(nan=True)}
    models["detect_nan"].load_state_dict(a.state_dict())
    for name, m in models.items():
        export(m, (torch.from_numpy(ex),), name + ".onnx", ["image"], ["boxes", "scores"],
               {"image": {0: "batch"}, "boxes": {0: "batch"}, "scores": {0: "batch"}})
    nan_rows = np.nonzero(ex.mean((1, 2, 3)) > 0.6)[0]
    expected["detect_nan"] = {"nan_rows": int(len(nan_rows)), "nan_data_rows": [int(i) + 1 for i in nan_rows]}


# --- image classifier, H and W dynamic ------------------------------------------------------------
class ImgDyn(nn.Module):
    def __init__(self, shuffled=False):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 3)
        self.shuffled = shuffled

    def forward(self, image):
        x = self.pool(torch.relu(self.conv(image))).flatten(1)
        p = torch.softmax(self.fc(x), dim=1)
        return p[:, [1, 2, 0]] if self.shuffled else p


def img_data(n, seed, size=10):
    """The class is the dominant colour channel."""
    g = np.random.default_rng(seed)
    y = g.integers(0, 3, n)
    x = g.uniform(0, 0.6, (n, 3, size, size))
    for i in range(n):
        x[i, y[i]] += g.uniform(0.2, 0.4)
    return np.round(x, 3).astype(np.float32), y


def imgdyn():
    x, y = img_data(2000, 0)
    ex, ey = img_data(60, 99)
    write_jsonl("imgdyn.jsonl", [{"image": r.tolist(), "label": int(l)} for r, l in zip(ex, ey)])
    models = {"imgdyn_a": fit(seeded(ImgDyn, 1), (x,), y, 300, nll), "imgdyn_b": fit(seeded(ImgDyn, 2), (x,), y, 300, nll)}
    models["imgdyn_shuffled"] = permuted(ImgDyn, models["imgdyn_a"].state_dict())
    axes = {"image": {0: "batch", 2: "height", 3: "width"}, "probs": {0: "batch"}}
    for name, m in models.items():
        (p,) = export(m, (torch.from_numpy(ex),), name + ".onnx", ["image"], ["probs"], axes)
        expected[name] = classification(p, ey)


for kind in KINDS:
    globals()[kind]()
with open(EXPECTED_FILE, "w") as f:
    json.dump(expected, f, indent=2, sort_keys=True)
    f.write("\n")
