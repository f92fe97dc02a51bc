#!/usr/bin/env python3
"""Independent MS-SSIM / SSIM reference (numpy + scipy) for the test pair in this folder.

Reads the luma plane of two single-frame Y4M files and prints SSIM and MS-SSIM computed with a
2-D Gaussian kernel through scipy.signal.convolve2d ('valid'), reshape-based 2x2 pooling, and the
Wang 2003 weights. tests/metrics_test.cpp holds the values this prints.
Usage: msssim_reference.py REF.y4m DIST.y4m
"""
import sys

import numpy as np
from scipy.signal import convolve2d


def luma(path):
    data = open(path, "rb").read()
    header, rest = data.split(b"\n", 1)
    fields = {t[0:1]: t[1:] for t in header.split(b" ")[1:]}
    w, h = int(fields[b"W"]), int(fields[b"H"])
    assert rest.startswith(b"FRAME")
    frame = rest.split(b"\n", 1)[1]
    return np.frombuffer(frame[: w * h], dtype=np.uint8).reshape(h, w).astype(np.float64)


def kernel():
    x = np.arange(11) - 5
    g = np.exp(-(x**2) / (2 * 1.5**2))
    g /= g.sum()
    return np.outer(g, g)


def ssim_terms(a, b):
    k = kernel()
    f = lambda img: convolve2d(img, k, mode="valid")
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    ma, mb = f(a), f(b)
    va, vb, cov = f(a * a) - ma**2, f(b * b) - mb**2, f(a * b) - ma * mb
    cs = (2 * cov + c2) / (va + vb + c2)
    lum = (2 * ma * mb + c1) / (ma**2 + mb**2 + c1)
    return (lum * cs).mean(), cs.mean()


def pool(img):
    h, w = img.shape[0] // 2 * 2, img.shape[1] // 2 * 2
    return img[:h, :w].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))


def msssim(a, b):
    weights = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]
    out = 1.0
    for s, wgt in enumerate(weights):
        ss, cs = ssim_terms(a, b)
        out *= max(cs if s < 4 else ss, 0.0) ** wgt
        a, b = pool(a), pool(b)
    return out


if __name__ == "__main__":
    a, b = luma(sys.argv[1]), luma(sys.argv[2])
    print(f"ssim {ssim_terms(a, b)[0]:.10f}")
    print(f"msssim {msssim(a, b):.10f}")
