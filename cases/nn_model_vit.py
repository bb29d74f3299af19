import torch
import torch.nn as nn


class PatchEmbedding(nn.Module):
    def __init__(self, image_size, patch_size, channels, dim):
        super().__init__()
        self.proj = nn.Conv2d(channels, dim, kernel_size=patch_size, stride=patch_size)
        num_patches = (image_size // patch_size) ** 2
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.randn(1, num_patches + 1, dim) * 0.02)

    def forward(self, images):
        x = self.proj(images).flatten(2).transpose(1, 2)
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        return torch.cat([cls, x], dim=1) + self.pos_embed


class EncoderBlock(nn.Module):
    def __init__(self, dim, heads, mlp_dim):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_dim), nn.GELU(), nn.Linear(mlp_dim, dim))

    def forward(self, x):
        y = self.norm1(x)
        x = x + self.attn(y, y, y, need_weights=False)[0]
        return x + self.mlp(self.norm2(x))


class TinyViT(nn.Module):
    """
    A vision transformer in the style of ViT-B/16, shrunk: a strided convolution cuts the
    image into patch embeddings, a learned class token is prepended (``expand`` then
    ``cat``) and position embeddings are added; one pre-norm encoder block with
    ``nn.MultiheadAttention`` follows, and the head reads the class token
    (``select``). Parameters that are plain ``nn.Parameter`` attributes
    (``cls_token``, ``pos_embed``) are lifted like any layer's weights.
    """

    def __init__(self, image_size=8, patch_size=4, channels=3, dim=16, heads=2, mlp_dim=32, num_classes=4):
        super().__init__()
        self.patch_embed = PatchEmbedding(image_size, patch_size, channels, dim)
        self.block = EncoderBlock(dim, heads, mlp_dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, images):
        x = self.norm(self.block(self.patch_embed(images)))
        return self.head(x[:, 0])


example_args = (torch.randn(2, 3, 8, 8),)
tags = {"torch.nn-model"}
model = TinyViT().eval()
