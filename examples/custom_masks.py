"""Hand-written attention masks for a Sparse Transformer layer.

Each function returns a boolean [seq_len, seq_len] mask (True = may attend). The inspector puts
"Check against fixed pattern…" above each: it runs the function and compares its mask, cell by
cell, with the fixed factorized pattern of Child et al. (2019) for the same stride and c.
"""
import numpy as np


def paper_fixed_mask(seq_len=64, stride=8, c=2):
    """The paper's fixed pattern, causal: the query's own block (A1) and the last c cells of every block (A2)."""
    i = np.arange(seq_len)[:, None]
    j = np.arange(seq_len)[None, :]
    own_block = i // stride == j // stride
    summary = j % stride >= stride - c
    return (j <= i) & (own_block | summary)


def lra_style_mask(seq_len=64, stride=8, c=2):
    """Ported from long-range-arena's sparse attention: note the extra summary cell at each block start."""
    i = np.arange(seq_len)[:, None]
    j = np.arange(seq_len)[None, :]
    own_block = i // stride == j // stride
    summary = (j % stride == 0) | (j % stride >= stride - c)
    return (j <= i) & (own_block | summary)
