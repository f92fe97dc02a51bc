"""`import nervc` against `nervc decode`: the same samples, bit for bit; iteration, seeking,
RGB output, encoding with progress and cancel, and errors as exceptions.
Usage: python3 test_nervc.py NERVC_BINARY SOURCE_DIR (with the module on PYTHONPATH)."""
import os
import subprocess
import sys
import tempfile

import numpy as np

import nervc

cli, src = sys.argv[1], sys.argv[2]
conf = os.path.join(src, "tests", "conformance")
data = os.path.join(src, "tests", "data")
tmp = tempfile.mkdtemp()


def cli_raw(stream):
    out = os.path.join(tmp, "ref.raw")
    subprocess.run([cli, "decode", stream, "-o", out, "-f", "rawvideo", "--device", "cpu", "-q"],
                   check=True)
    return np.fromfile(out, dtype=np.uint8)


def flat(frames, order=None):
    parts = []
    for f in frames:
        planes = [f[i] for i in order] if order else list(f)
        parts += [p.ravel() for p in planes]
    return np.concatenate(parts)


# 4:2:0 (grid and hnerv), grey: the planes as nervc decode writes them.
for name in ["grid_v1.2_64x64_6f", "hnerv_v1.0_64x64_6f", "grey_v1.4_32x32"]:
    s = os.path.join(conf, name + ".nerv")
    frames = nervc.decode(s, device="cpu")
    assert np.array_equal(flat(frames), cli_raw(s)), name
    info = nervc.info(s)
    assert len(frames) == info["frames"], (name, info)

# RGB: nervc decode writes FFmpeg's gbrp (G, B, R); the module gives R, G, B, or [N, H, W, 3].
s = os.path.join(conf, "image_v1.3_64x64.nerv")
frames = nervc.decode(s, device="cpu")
assert np.array_equal(flat(frames, order=[1, 2, 0]), cli_raw(s))
rgb = nervc.decode(s, device="cpu", rgb=True)
assert rgb.shape == (1, 64, 64, 3) and rgb.dtype == np.uint8
assert all(np.array_equal(rgb[0, :, :, c], frames[0][c]) for c in range(3))
# A YUV stream as RGB: one [N, H, W, 3] array.
rgb = nervc.decode(os.path.join(conf, "grid_v1.2_64x64_6f.nerv"), device="cpu", rgb=True)
assert rgb.shape == (6, 64, 64, 3), rgb.shape

# Iteration and seeking.
s = os.path.join(conf, "grid_v1.2_64x64_6f.nerv")
every = nervc.decode(s, device="cpu")
with nervc.Decoder(s, device="cpu") as d:
    assert d.info["width"] == 64
    got = list(d)
assert len(got) == 6 and all(np.array_equal(a[0], b[0]) for a, b in zip(got, every))
tail = nervc.decode(s, device="cpu", start=4)
assert len(tail) == 2 and np.array_equal(tail[0][0], every[4][0])
assert len(nervc.decode(s, device="cpu", start=1, frames=2)) == 2

# Encoding: progress is reported; True from the callback cancels and leaves no output.
out = os.path.join(tmp, "k.nerv")
calls = []
r = nervc.encode(os.path.join(data, "kodim23_64x64.png"), out, epochs=20, device="cpu",
                 progress=lambda p: calls.append(p) and False)
assert os.path.exists(out) and r["bytes"] == os.path.getsize(out) and r["frames"] == 1, r
assert calls and calls[0]["phase"] == "fit", calls[:1]
assert nervc.info(out)["pixel_format"] == "rgb"
cancelled = os.path.join(tmp, "c.nerv")
try:
    nervc.encode(os.path.join(data, "kodim23_64x64.png"), cancelled, epochs=50, device="cpu",
                 progress=lambda p: True)
    raise AssertionError("not cancelled")
except RuntimeError as e:
    assert "cancelled" in str(e), e
assert not any(f.startswith("c.nerv") for f in os.listdir(tmp)), os.listdir(tmp)

# Errors are exceptions with the one-line message.
for bad, what in [("/no/such.nerv", "no such file"),
                  (os.path.join(data, "truncated.nerv"), "truncated")]:
    try:
        nervc.decode(bad, device="cpu")
        raise AssertionError(bad + " accepted")
    except RuntimeError as e:
        assert what in str(e) and "\n" not in str(e), e
print("python module ok:", nervc.__version__)
