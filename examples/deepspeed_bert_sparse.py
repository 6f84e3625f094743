"""BERT self-attention with DeepSpeed's block-sparse kernels (FixedSparsityConfig).

The layout follows the Sparse Transformer's fixed pattern at block level: each query block sees
the 4 blocks of its local window and the last block of every window before it.
"""
import torch.nn as nn
from deepspeed.ops.sparse_attention import FixedSparsityConfig, SparseSelfAttention

NUM_HEADS = 12
BLOCK = 16
MAX_SEQ_LENGTH = 512


class BertSparseSelfAttention(nn.Module):
    def __init__(self, hidden_size=768, sparsity_config=FixedSparsityConfig(num_heads=4)):
        super().__init__()
        self.num_attention_heads = sparsity_config.num_heads
        self.attention_head_size = hidden_size // self.num_attention_heads
        self.query = nn.Linear(hidden_size, hidden_size)
        self.key = nn.Linear(hidden_size, hidden_size)
        self.value = nn.Linear(hidden_size, hidden_size)
        self.sparse_self_attention = SparseSelfAttention(sparsity_config, max_seq_length=MAX_SEQ_LENGTH)

    def forward(self, hidden_states, attention_mask=None):
        batch, seq_len, _ = hidden_states.shape
        shape = (batch, seq_len, self.num_attention_heads, self.attention_head_size)
        q, k, v = (proj(hidden_states).view(shape).transpose(1, 2) for proj in (self.query, self.key, self.value))
        context = self.sparse_self_attention(q, k, v, key_padding_mask=attention_mask)
        return context.transpose(1, 2).reshape(batch, seq_len, -1)


def bert_base_sparse_attention():
    config = FixedSparsityConfig(
        num_heads=NUM_HEADS,
        block=BLOCK,
        different_layout_per_head=True,
        num_local_blocks=4,
        num_global_blocks=1,
        attention="bidirectional",
        horizontal_global_attention=False,
        num_different_global_patterns=4,
    )
    return BertSparseSelfAttention(hidden_size=768, sparsity_config=config)
