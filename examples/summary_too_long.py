"""A fixed-pattern config with a mistake: the summary (c = 40) is longer than the block (l = 32).

The paper's summary set A2 is the last c cells of each block of l, so c must be <= l; a port that
does not check it silently reads cells of the next block.
"""
from dataclasses import dataclass


@dataclass
class FixedAttentionConfig:
    seq_len: int
    stride: int       # block length l
    summary: int      # summary cells c per block
    num_heads: int
    mode: str = "merged"


STRIDE = 32

long_context = FixedAttentionConfig(seq_len=4096, stride=STRIDE, summary=40, num_heads=8)
