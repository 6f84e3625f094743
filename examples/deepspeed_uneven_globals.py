"""A DeepSpeed config that DeepSpeed itself refuses.

FixedSparsityConfig raises ValueError when num_local_blocks is not a multiple of
num_global_blocks: the global blocks are the last num_global_blocks of each local window, and the
windows must split evenly into them.
"""
from deepspeed.ops.sparse_attention import FixedSparsityConfig, SparseSelfAttention

sparsity_config = FixedSparsityConfig(
    num_heads=16,
    block=32,
    num_local_blocks=4,
    num_global_blocks=3,  # 4 % 3 != 0
    attention="unidirectional",
)
attention = SparseSelfAttention(sparsity_config, max_seq_length=2048)
