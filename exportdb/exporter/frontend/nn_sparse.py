"""``torch.nn.Embedding`` and ``F.embedding``: ``aten.embedding.default(p_weight, indices)``."""

from __future__ import annotations

from typing import Any

import numpy as np

from exportdb.errors import UnsupportedAPIError
from exportdb.exporter.frontend.nn_modules import Module
from exportdb.exporter.frontend.nn_record import record
from exportdb.exporter.frontend.tensor import Parameter, Tensor
from exportdb.exporter.ops import creation as _creation
from exportdb.exporter.trace.user_frames import user_location


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,  # noqa: A002
              max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Tensor:
    if max_norm is not None:
        raise UnsupportedAPIError("embedding(max_norm=...) renormalises the weight in place, which the built-in "
                                  "front end does not support", location=user_location(),
                                  hint="renormalise the embedding weight before exporting")
    num = tuple(weight.shape)[0]
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise ValueError("Padding_idx must be within num_embeddings")
        padding_idx = padding_idx % num
    return record("embedding.default", weight, input, -1 if padding_idx is None else padding_idx,
                  scale_grad_by_freq, sparse)


class Embedding(Module):
    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight: Tensor | None = None, _freeze: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx %= num_embeddings
        self.num_embeddings, self.embedding_dim, self.padding_idx = num_embeddings, embedding_dim, padding_idx
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            value = _creation.RNG.standard_normal((num_embeddings, embedding_dim)).astype(np.float32)
            if padding_idx is not None:
                value[padding_idx] = 0
            self.weight = Parameter(Tensor._make(value))
        else:
            self.weight = Parameter(_weight)

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True, padding_idx: int | None = None,
                        max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> "Embedding":
        rows, cols = tuple(embeddings.shape)
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, _weight=embeddings)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                         self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}"


FUNCTIONAL = {"embedding": embedding}
LAYERS = {"Embedding": Embedding}
