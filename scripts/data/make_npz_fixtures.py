"""NumPy archives for the .npz reader's tests (test/unit/npz.test.ts, test/npz-data.test.ts),
written by NumPy itself, with the values NumPy reads back (expected.json).

    /usr/bin/python3 scripts/data/make_npz_fixtures.py
"""
import io
import json
import zipfile

import numpy as np

OUT = "test/fixtures/npz"
rng = np.random.default_rng(7)

# The iris example's evaluation rows, as a team holding arrays would save them.
rows = np.genfromtxt("examples/iris/eval.csv", delimiter=",", skip_header=1)
X, y = rows[:, :4].astype(np.float32), rows[:, 4].astype(np.int64)
np.savez(f"{OUT}/iris.npz", X=X, species=y)
names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
np.savez_compressed(f"{OUT}/iris_columns.npz", **{n: X[:, i] for i, n in enumerate(names)}, species=y)

# Images for test/fixtures/models/torch/cnn.onnx (image [N, 3, height, width]), compressed.
np.savez_compressed(f"{OUT}/images.npz", image=rng.normal(size=(12, 3, 32, 32)).astype(np.float32), label=rng.integers(0, 3, 12))

# Every dtype the reader takes, one value per row (5 rows), and what NumPy reads back.
n = 5
arrays = {
    "f2": np.array([0.5, -1.25, 65504, np.inf, 6e-8], dtype="<f2"),
    "f4": np.array([1.5, np.nan, -3.25, 1e-30, 7], dtype="<f4"),
    "f8_big": np.array([1.1, 2.2, -3.3, 4.4e100, -0.0], dtype=">f8"),
    "i1": np.array([-128, 127, 0, -1, 5], dtype="i1"),
    "u1": np.array([0, 255, 1, 2, 3], dtype="u1"),
    "i2": np.array([-32768, 32767, 0, 1, -2], dtype="<i2"),
    "u2_big": np.array([0, 65535, 258, 3, 4], dtype=">u2"),
    "i4": np.array([-2**31, 2**31 - 1, 0, 7, -7], dtype="<i4"),
    "u4": np.array([0, 2**32 - 1, 5, 6, 7], dtype="<u4"),
    "i8": np.array([-(2**53), 2**53, 0, 123456789012, -5], dtype="<i8"),
    "u8": np.array([0, 2**53, 1, 2, 3], dtype="<u8"),
    "flag": np.array([True, False, True, True, False]),
    "word": np.array(["cat", "", "naïve", "日本", "dog"]),
    "raw": np.array([b"ab", b"", b"xyz", b"q", b"r"], dtype="S3"),
    "grid_f": np.asfortranarray(np.arange(n * 2 * 3, dtype=np.float64).reshape(n, 2, 3)),
}
buf = io.BytesIO()
np.savez(buf, **arrays, sr=np.int64(16000))
# A member in .npy format 2.0 (NumPy writes it for headers over 64 KiB) and a member that is no array.
with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zin, zipfile.ZipFile(f"{OUT}/dtypes.npz", "w") as zout:
    for item in zin.infolist():
        zout.writestr(item, zin.read(item.filename))
    v2 = io.BytesIO()
    np.lib.format.write_array(v2, np.arange(n * 2, dtype="<f4").reshape(n, 2), version=(2, 0))
    zout.writestr("v2.npy", v2.getvalue())
    zout.writestr("README.txt", "not an array")

def plain(a):
    a = np.asarray(a)
    if a.dtype.kind in "US":
        return [x.decode("latin1") if isinstance(x, bytes) else str(x) for x in a.ravel(order="C")]
    return [None if np.isnan(v) else ("inf" if v == np.inf else "-inf" if v == -np.inf else float(v)) for v in a.astype(np.float64).ravel(order="C")]

back = np.load(f"{OUT}/dtypes.npz")
expected = {k: {"shape": list(back[k].shape), "values": plain(back[k])} for k in back.files if isinstance(back[k], np.ndarray) and back[k].ndim > 0}

# Broken archives: an object (pickled) array; arrays of different row counts.
np.savez(f"{OUT}/object.npz", x=np.array([{"a": 1}, None, 3], dtype=object), y=np.arange(3))
np.savez(f"{OUT}/rows.npz", X=np.zeros((10, 4), dtype=np.float32), y=np.zeros(9, dtype=np.int64))

with open(f"{OUT}/expected.json", "w") as f:
    json.dump({"numpy": np.__version__, "dtypes": expected}, f, indent=1, ensure_ascii=False)
    f.write("\n")
print("wrote", OUT)
