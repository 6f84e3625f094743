"""A small model using the Sparse Transformer's fixed factorized attention.

Open the Sparse Attention Inspector on the config below to see its per-head masks.
"""
from dataclasses import dataclass


@dataclass
class SparseConfig:
    n: int          # sequence length
    stride: int     # block length l of the fixed pattern
    c: int          # summary positions per block
    heads: int
    subblocks: int


config = SparseConfig(n=256, stride=32, c=4, heads=4, subblocks=4)


def describe(cfg: SparseConfig) -> str:
    return f"fixed pattern: n={cfg.n} l={cfg.stride} c={cfg.c} heads={cfg.heads}"


if __name__ == "__main__":
    print(describe(config))
