import torch
import torch.nn as nn
import torch.nn.functional as F


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(n_embd, 3 * n_embd)
        self.proj = nn.Linear(n_embd, n_embd)

    def forward(self, x):
        batch, steps, channels = x.shape
        q, k, v = self.qkv(x).split(channels, dim=2)
        heads = (batch, steps, self.n_head, channels // self.n_head)
        q, k, v = (t.view(heads).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        y = y.transpose(1, 2).contiguous().view(batch, steps, channels)
        return self.proj(y)


class Block(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(), nn.Linear(4 * n_embd, n_embd))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class TinyGPT(nn.Module):
    """
    A two-layer GPT in the style of nanoGPT: token and position embeddings, pre-norm
    blocks of causal self-attention and an MLP, a final ``LayerNorm`` and a language-model
    head whose weight is the token embedding's (weight tying). ``nn.Linear`` and
    ``nn.LayerNorm`` stay whole (``aten.linear``, ``aten.layer_norm``), the attention is one
    ``scaled_dot_product_attention`` node with ``is_causal=True``, and the tied weight is
    lifted once, under the name of the module that owns it first.
    """

    def __init__(self, vocab_size=64, block_size=8, n_embd=16, n_head=2, n_layer=2):
        super().__init__()
        self.tok_emb = nn.Embedding(vocab_size, n_embd)
        self.pos_emb = nn.Embedding(block_size, n_embd)
        self.blocks = nn.ModuleList([Block(n_embd, n_head) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.lm_head.weight = self.tok_emb.weight

    def forward(self, idx):
        steps = idx.shape[1]
        pos = torch.arange(0, steps, dtype=torch.long)
        x = self.tok_emb(idx) + self.pos_emb(pos)
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))


example_args = (torch.randint(0, 64, (2, 8)),)
tags = {"torch.nn-model"}
model = TinyGPT().eval()
