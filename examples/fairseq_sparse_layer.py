"""A fairseq encoder layer with SparseMultiheadAttention, its pattern set by the layer's defaults."""
import torch.nn as nn
from fairseq.modules.sparse_multihead_attention import SparseMultiheadAttention


class SparseTransformerEncoderLayer(nn.Module):
    def __init__(self, embed_dim=512, num_heads=8, dropout=0.1, stride=64, expressivity=16):
        super().__init__()
        self.self_attn = SparseMultiheadAttention(
            embed_dim,
            num_heads,
            dropout=dropout,
            self_attention=True,
            stride=stride,
            expressivity=expressivity,
            is_bidirectional=False,
        )
        self.norm = nn.LayerNorm(embed_dim)

    def forward(self, x, padding_mask=None):
        residual = x
        x, _ = self.self_attn(query=x, key=x, value=x, key_padding_mask=padding_mask)
        return self.norm(residual + x)
