"""The Sparse Transformer's fixed attention with OpenAI's blocksparse kernels (openai/sparse_attention)."""
from attention import blocksparse_attention_impl

N_HEADS = 8
LOCAL_ATTN_CTX = 128


def fixed_attention(q, k, v):
    # Every head sees its 128-token window; heads take turns at the window's last 32-token block.
    return blocksparse_attention_impl(
        q, k, v,
        heads=N_HEADS,
        attn_mode="fixed",
        local_attn_ctx=LOCAL_ATTN_CTX,
        blocksize=32,
        num_verts=4,
        vertsize=1,
    )
