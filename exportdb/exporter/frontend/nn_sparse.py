"""``torch.nn.Embedding`` and ``F.embedding`` (``aten.embedding.default(p_weight, indices)``);
``torch.nn.EmbeddingBag`` and ``F.embedding_bag`` (``aten.embedding_bag.padding_idx``); ``F.one_hot``
(``aten.one_hot.default(x, num_classes)``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from exportdb.errors import UnsupportedAPIError
from exportdb.exporter.frontend.nn_modules import Module
from exportdb.exporter.frontend.nn_record import record
from exportdb.exporter.frontend.tensor import Parameter, Tensor
from exportdb.exporter.ops import creation as _creation
from exportdb.exporter.trace.user_frames import user_location
from exportdb.exporter.frontend.functions import arange


def _renorm(weight: Tensor, indices: Tensor, max_norm: float, norm_type: float) -> None:
    """``max_norm``: the rows ``indices`` pick are scaled in place to a norm of at most ``max_norm``, through a
    detached alias of the weight (``detach`` then ``embedding_renorm_``, as torch.export 2.13 records it)."""
    record("embedding_renorm_.default", weight.detach(), indices, float(max_norm), float(norm_type))


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,  # noqa: A002
              max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Tensor:
    num = tuple(weight.shape)[0]
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise ValueError("Padding_idx must be within num_embeddings")
        padding_idx = padding_idx % num
    if max_norm is not None:
        _renorm(weight, input, max_norm, norm_type)
    return record("embedding.default", weight, input, -1 if padding_idx is None else padding_idx,
                  scale_grad_by_freq, sparse)


_BAG_MODES = {"sum": 0, "mean": 1, "max": 2}


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,  # noqa: A002
                  max_norm: float | None = None, norm_type: float = 2, scale_grad_by_freq: bool = False,
                  mode: str = "mean", sparse: bool = False, per_sample_weights: Tensor | None = None,
                  include_last_offset: bool = False, padding_idx: int | None = None) -> Tensor:
    if mode not in _BAG_MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             "fixed length sequences.")
        rows, length = tuple(input.shape)
        offsets = arange(0, rows * length, length, dtype=input.dtype, device=input.device)
        input = input.reshape(-1)  # noqa: A001
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() != 1 or offsets is None:
        raise ValueError("embedding_bag: a 1D input needs 1D offsets (the start of each bag)")
    if max_norm is not None:
        _renorm(weight, input, max_norm, norm_type)
    out = record("embedding_bag.padding_idx", weight, input, offsets, scale_grad_by_freq, _BAG_MODES[mode], sparse,
                 per_sample_weights, include_last_offset, padding_idx)
    return out[0]


def _embedding_weight(num_embeddings: int, embedding_dim: int, padding_idx: int | None,
                      given: Tensor | None) -> Parameter:
    """``given`` as the table, else N(0, 1) rows with the padding row zeroed, as torch initialises it."""
    if given is not None:
        return Parameter(given)
    value = _creation.RNG.standard_normal((num_embeddings, embedding_dim)).astype(np.float32)
    if padding_idx is not None:
        value[padding_idx] = 0
    return Parameter(Tensor._make(value))


class EmbeddingBag(Module):
    def __init__(self, num_embeddings: int, embedding_dim: int, max_norm: float | None = None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                 _weight: Tensor | None = None, include_last_offset: bool = False, padding_idx: int | None = None,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.num_embeddings, self.embedding_dim, self.mode = num_embeddings, embedding_dim, mode
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        self.include_last_offset = include_last_offset
        if padding_idx is not None:
            padding_idx %= num_embeddings
        self.padding_idx = padding_idx
        self.weight = _embedding_weight(num_embeddings, embedding_dim, padding_idx, _weight)

    def forward(self, input: Tensor, offsets: Tensor | None = None,  # noqa: A002
                per_sample_weights: Tensor | None = None) -> Tensor:
        return embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type, self.scale_grad_by_freq,
                             self.mode, self.sparse, per_sample_weights, self.include_last_offset, self.padding_idx)


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
        self.weight = _embedding_weight(num_embeddings, embedding_dim, padding_idx, _weight)

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


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """``aten.one_hot.default``; ``num_classes=-1`` reads the largest index, which tracing cannot (torch.export
    2.13 fails the same way)."""
    if tensor.dtype.name != "int64":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        values = tensor._concrete("F.one_hot(x, num_classes=-1)")  # the class count is the largest index + 1
        if values.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(values.max()) + 1
    return record("one_hot.default", tensor, num_classes)


FUNCTIONAL = {"embedding": embedding, "embedding_bag": embedding_bag, "one_hot": one_hot}
LAYERS = {"Embedding": Embedding, "EmbeddingBag": EmbeddingBag}
