"""NumPy baselines for `npm run bench`: the native GEMM rate, and dense masked attention the
notebook way (the full n x n scores, masked, softmaxed), one head at a time to bound memory.
Prints one JSON object. Usage: numpy_attention.py n heads d stride c runs"""
import json
import sys
import time

import numpy as np

n, heads, d, stride, c, runs = (int(x) for x in sys.argv[1:7])
rng = np.random.default_rng(0)


def gemm_rate():
    a = rng.standard_normal((2048, 2048), dtype=np.float32)
    a @ a
    start = time.perf_counter()
    for _ in range(3):
        a @ a
    return 2 * 2048**3 * 3 / (time.perf_counter() - start) / 1e9


def dense_masked(q, k, v, mask):
    s = q @ k.T / np.sqrt(q.shape[1])
    s = np.where(mask, s, -np.inf)
    s = s - s.max(axis=-1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=-1, keepdims=True)
    return p @ v


i = np.arange(n)[:, None]
j = np.arange(n)[None, :]
mask = ((i // stride == j // stride) | (j % stride >= stride - c)) & (j <= i)
q, k, v = (rng.standard_normal((n, d), dtype=np.float32) for _ in range(3))
times = []
for _ in range(runs):
    start = time.perf_counter()
    for _ in range(heads):
        dense_masked(q, k, v, mask)
    times.append(time.perf_counter() - start)
print(json.dumps({"gemm_gflops": gemm_rate(), "dense_masked_ms": sorted(times)[len(times) // 2] * 1000, "numpy": np.__version__}))
