import torch
import torch.nn as nn


class TextClassifier(nn.Module):
    """
    A Transformer encoder layer as text classifiers use it: a batch-first
    ``nn.TransformerEncoderLayer`` (post-norm, GELU feed-forward) over embedded tokens,
    with a key-padding mask for the padded positions, then mean pooling and a linear
    classifier. ``nn.MultiheadAttention`` decomposes into its projections, per-head
    views and one ``scaled_dot_product_attention`` node; the boolean padding mask
    becomes an additive ``-inf`` mask (``zeros_like`` then ``masked_fill_``). The
    layer's parameters are lifted in the order torch's fast-path check first reads them.
    """

    def __init__(self, vocab_size=40, d_model=16, nhead=2, num_classes=3):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model)
        self.encoder = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=32, dropout=0.1,
                                                  activation="gelu", batch_first=True)
        self.classifier = nn.Linear(d_model, num_classes)

    def forward(self, tokens, padding_mask):
        x = self.encoder(self.embed(tokens), src_key_padding_mask=padding_mask)
        return self.classifier(x.mean(dim=1))


example_args = (torch.randint(0, 40, (2, 6)),
                torch.tensor([[False, False, False, False, True, True], [False, False, False, False, False, False]]))
tags = {"torch.nn-model"}
model = TextClassifier().eval()
