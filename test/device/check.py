# Writes Q/K/V for each n, and compares two attend outputs (max abs difference, float64).
import sys, numpy as np
if sys.argv[1] == 'gen':
    n, heads, d = int(sys.argv[2]), 8, 64
    r = np.random.default_rng(n)
    for name in 'qkv':
        np.save(f'/tmp/{name}{n}.npy', r.standard_normal((heads, n, d)).astype(np.float32))
else:
    a, b = np.load(sys.argv[2]).astype(np.float64), np.load(sys.argv[3]).astype(np.float64)
    print(f'max |{sys.argv[2]} - {sys.argv[3]}| = {np.abs(a - b).max():.3g}')
