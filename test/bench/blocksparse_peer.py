"""The block-sparse peer for `npm run bench`: fixed attention (causal, merged, one summary sub-block)
the way a NumPy (or PyTorch) user who knows the pattern writes it. Per query block of l rows, the
summary keys of the earlier blocks (gathered once per call) plus the block's own keys; one batched
matmul over heads for the scores and one for P.V.

It stays up so that the bench can interleave it with its own runs; the thread count is the
process's (OPENBLAS_NUM_THREADS / OMP_NUM_THREADS set by the caller, torch.set_num_threads here).
Usage: blocksparse_peer.py numpy|torch inputs.f32 heads n d l c threads
inputs.f32 holds q, k, v as float32 [heads, n, d] one after the other. Commands on stdin, one JSON
line answered per command: `run` (seconds of one attention), `gemm` (GFLOP/s of a 2048^3 float32
matmul), `write PATH` (the last output as float32), `info` (library, version, BLAS core, threads).
"""
import ctypes
import glob
import json
import os
import sys
import time

import numpy as np

lib_name, path = sys.argv[1], sys.argv[2]
heads, n, d, l, c, threads = (int(x) for x in sys.argv[3:9])
raw = np.fromfile(path, dtype=np.float32).reshape(3, heads, n, d)

if lib_name == "torch":
    import torch

    torch.set_num_threads(threads)
    xp_q, xp_k, xp_v = (torch.from_numpy(raw[i]) for i in range(3))
else:
    xp_q, xp_k, xp_v = raw[0], raw[1], raw[2]


def block_sparse_numpy(q, k, v):
    h, n_, d_ = q.shape
    blocks = -(-n_ // l)
    full = (blocks - 1) * l  # every block before the last is complete
    ks = k[:, :full].reshape(h, blocks - 1, l, d_)[:, :, l - c:].reshape(h, (blocks - 1) * c, d_)
    vs = v[:, :full].reshape(h, blocks - 1, l, d_)[:, :, l - c:].reshape(h, (blocks - 1) * c, d_)
    above = ~np.tril(np.ones((l, l), dtype=bool))
    scale = np.float32(1 / np.sqrt(d_))
    out = np.empty_like(q)
    for b in range(blocks):
        r0, r1 = b * l, min(n_, (b + 1) * l)
        kk = np.concatenate([ks[:, : b * c], k[:, r0:r1]], axis=1)
        vv = np.concatenate([vs[:, : b * c], v[:, r0:r1]], axis=1)
        s = np.matmul(q[:, r0:r1], kk.transpose(0, 2, 1))
        s *= scale
        s[:, :, b * c:][:, above[: r1 - r0, : r1 - r0]] = -np.inf
        s -= s.max(axis=-1, keepdims=True)
        np.exp(s, out=s)
        s /= s.sum(axis=-1, keepdims=True)
        out[:, r0:r1] = np.matmul(s, vv)
    return out


def block_sparse_torch(q, k, v):
    h, n_, d_ = q.shape
    blocks = -(-n_ // l)
    full = (blocks - 1) * l
    ks = k[:, :full].reshape(h, blocks - 1, l, d_)[:, :, l - c:].reshape(h, (blocks - 1) * c, d_)
    vs = v[:, :full].reshape(h, blocks - 1, l, d_)[:, :, l - c:].reshape(h, (blocks - 1) * c, d_)
    above = torch.ones((l, l), dtype=torch.bool).triu(1)
    scale = 1 / float(np.sqrt(d_))
    out = torch.empty_like(q)
    with torch.no_grad():
        for b in range(blocks):
            r0, r1 = b * l, min(n_, (b + 1) * l)
            kk = torch.cat([ks[:, : b * c], k[:, r0:r1]], dim=1)
            vv = torch.cat([vs[:, : b * c], v[:, r0:r1]], dim=1)
            s = torch.bmm(q[:, r0:r1], kk.transpose(1, 2)) * scale
            s[:, :, b * c:].masked_fill_(above[: r1 - r0, : r1 - r0], float("-inf"))
            out[:, r0:r1] = torch.bmm(torch.softmax(s, dim=-1), vv)
    return out


def gemm_rate():
    if lib_name == "torch":
        a = torch.randn(2048, 2048)
        mm = torch.mm
    else:
        a = np.random.default_rng(0).standard_normal((2048, 2048), dtype=np.float32)
        mm = np.matmul
    mm(a, a)
    start = time.perf_counter()
    for _ in range(3):
        mm(a, a)
    return 2 * 2048**3 * 3 / (time.perf_counter() - start) / 1e9


def blas_info():
    """OpenBLAS's core and thread count as NumPy's bundled library reports them, or 'unknown'."""
    if lib_name == "torch":
        return {"blas_core": "unknown (torch BLAS)", "threads": torch.get_num_threads()}
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*"))
    for p in libs:
        try:
            blas = ctypes.CDLL(p)
            for suffix in ("64_", ""):
                core = getattr(blas, f"scipy_openblas_get_corename{suffix}", None)
                count = getattr(blas, f"scipy_openblas_get_num_threads{suffix}", None)
                if core and count:
                    core.restype = ctypes.c_char_p
                    return {"blas_core": core().decode(), "threads": count()}
        except OSError:
            pass
    return {"blas_core": "unknown", "threads": threads}


attend = block_sparse_torch if lib_name == "torch" else block_sparse_numpy
last = None
for line in sys.stdin:
    command = line.split()
    if not command:
        continue
    if command[0] == "run":
        start = time.perf_counter()
        last = attend(xp_q, xp_k, xp_v)
        answer = {"seconds": time.perf_counter() - start}
    elif command[0] == "gemm":
        answer = {"gflops": gemm_rate()}
    elif command[0] == "write":
        np.asarray(last, dtype=np.float32).tofile(command[1])
        answer = {"written": command[1]}
    elif command[0] == "info":
        version = torch.__version__ if lib_name == "torch" else np.__version__
        answer = {"library": lib_name, "version": version, **blas_info()}
    else:
        answer = {"error": f"unknown command {command[0]}"}
    print(json.dumps(answer), flush=True)
