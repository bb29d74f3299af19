"""``torch.nn.LinearCrossEntropyLoss`` and ``F.linear_cross_entropy``: a linear projection to class logits
fused with cross entropy.

Without options, torch.export 2.13 records the module's weight and bias reshaped to
``(num_classes, *out_features, in_features)`` (and back to two dims when
``out_features`` is given), ``aten.linear``, the logits reshaped to
``(*batch, num_classes, *out_features)`` and ``aten.cross_entropy_loss``.

With :class:`LinearCrossEntropyOptions` (a chunked computation) and a call the
chunked path takes (reduction mean, sum or none, no label smoothing, int64
targets, no ``out_features``), torch records one ``torch_nn`` custom op instead:
``_linear_cross_entropy_batch_chunked`` (the loss, then the gradients it
precomputes, each read by a ``getitem``) or, for ``reduction='none'``,
``_linear_cross_entropy_batch_chunked_no_reduction``.  Its arguments carry the
options resolved for the call: the batch chunk size (an explicit size, or one
from the ``aspect_ratio[:k]`` rule: the next power of two of
``ceil(rows / ceil(classes / in_features))``, divided by ``k``), the
accumulation policy and dtype (CPU float32's automatic pick is ``compact``
with ``aspect_ratio:2``), and, for mean and sum, which gradients autograd would
need.  A 1-d input is unsqueezed to one row and the result squeezed back.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from exportdb.exporter.frontend.grad_mode import is_grad_enabled
from exportdb.exporter.frontend.nn_loss import cross_entropy
from exportdb.exporter.frontend.nn_modules import Linear, Module, linear
from exportdb.exporter.frontend.tensor import Tensor
from exportdb.exporter.ir import dtypes
from exportdb.exporter.ops import aten, op
from exportdb.exporter.trace.context import active_builder
from exportdb.exporter.trace.dispatch import call

_POLICIES = ("accurate", "balanced", "compact", "auto")
#: (accumulation policy, chunking method) "auto" resolves to on CPU, by input dtype (else the fallback).
_CPU_AUTO = {"float16": ("accurate", "aspect_ratio"), "bfloat16": ("accurate", "aspect_ratio")}
_AUTO_FALLBACK = ("compact", "aspect_ratio:2")


@dataclasses.dataclass(frozen=True)
class LinearCrossEntropyOptions:
    """How ``linear_cross_entropy`` chunks the batch; see the module docstring for how "auto" resolves."""

    allow_retain_graph: bool = False
    batch_chunk_size: int | None = None
    chunking_method: str | None = "auto"
    acc_policy: str = "auto"
    acc_dtype: Any = None

    def __post_init__(self) -> None:
        method = self.chunking_method
        if method not in (None, "auto") and not _aspect_factor(method):
            raise ValueError(f"unknown chunking_method {method!r}: expected None, 'auto', 'aspect_ratio' or "
                             "'aspect_ratio:<positive int>'")
        if self.acc_policy not in _POLICIES:
            raise ValueError(f"acc_policy must be one of {', '.join(map(repr, _POLICIES))}, got {self.acc_policy!r}")
        if self.batch_chunk_size is not None and self.batch_chunk_size < 1:
            raise ValueError(f"batch_chunk_size must be positive, got {self.batch_chunk_size}")

    def resolved(self, rows: int, in_features: int, num_classes: int, dtype: Any) -> tuple[int, str, Any]:
        """(batch chunk size, accumulation policy, accumulation dtype) for one call."""
        method, policy = self.chunking_method, self.acc_policy
        if method == "auto" and self.batch_chunk_size is not None:
            method = None  # an explicit size wins over automatic chunking
        auto_policy, auto_method = _CPU_AUTO.get(dtype.name, _AUTO_FALLBACK)
        policy = auto_policy if policy == "auto" else policy
        method = auto_method if method == "auto" else method
        size = rows if self.batch_chunk_size is None else min(self.batch_chunk_size, rows)
        if method is not None:
            by_method = _aspect_chunk(rows, in_features, num_classes, _aspect_factor(method))
            if self.batch_chunk_size is not None and self.batch_chunk_size != by_method:
                raise ValueError(f"batch_chunk_size (={self.batch_chunk_size}) and chunking_method ('{method}') "
                                 f"give different chunk sizes ({self.batch_chunk_size} vs {by_method}); pass only one.")
            size = by_method
        acc_dtype = self.acc_dtype
        if acc_dtype is None:
            low_precision = dtype.name in ("float16", "bfloat16") and self.acc_policy == "auto"
            acc_dtype = dtypes.float32 if low_precision else dtype
        return max(1, size), policy, acc_dtype


def _aspect_factor(method: str) -> int:
    """k of ``aspect_ratio:k`` (1 for ``aspect_ratio``); 0 for anything else."""
    name, _, factor = method.partition(":")
    if name != "aspect_ratio":
        return 0
    if not factor:
        return 1
    return int(factor) if factor.isdigit() and int(factor) > 0 else 0


def _aspect_chunk(rows: int, in_features: int, num_classes: int, factor: int) -> int:
    """Rows per chunk so a chunk's logits take about the memory of the input: a power of two, over ``factor``."""
    wanted = -(-rows // -(-num_classes // in_features))
    return min((1 << (wanted - 1).bit_length()) // factor, rows)


def linear_cross_entropy(input: Tensor, linear_weight: Tensor, target: Tensor, *,  # noqa: A002
                         linear_bias: Tensor | None = None, weight: Tensor | None = None, reduction: str = "mean",
                         ignore_index: int | None = None, label_smoothing: float = 0.0,
                         options: LinearCrossEntropyOptions | None = None) -> Tensor:
    grads = (input.requires_grad, linear_weight.requires_grad,
             linear_bias is not None and linear_bias.requires_grad)
    return _linear_cross_entropy(input, linear_weight, target, linear_bias, weight, reduction, ignore_index,
                                 label_smoothing, options, grads)


def _linear_cross_entropy(input: Tensor, linear_weight: Tensor, target: Tensor, linear_bias: Tensor | None,  # noqa: A002
                          weight: Tensor | None, reduction: str, ignore_index: int | None, label_smoothing: float,
                          options: LinearCrossEntropyOptions | None, grads: tuple[bool, bool, bool]) -> Tensor:
    """``grads``: whether input, linear_weight and linear_bias require grad (a module's parameters do even when
    reshaped, which the front end's tensors do not track)."""
    if not 1 <= input.ndim <= 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.ndim}")
    if linear_weight.ndim < 2:
        raise RuntimeError(f"expected linear_weight with dimensionality at least 2, got {linear_weight.ndim}")
    batch, in_features = tuple(input.shape)[:-1], input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError("expected equal input and linear_weight last dimensions (in_features), got "
                           f"{in_features} and {linear_weight.shape[-1]}, respectively")
    num_classes, out_features = linear_weight.shape[0], tuple(linear_weight.shape)[1:-1]
    if linear_bias is not None and tuple(linear_bias.shape) != (num_classes, *out_features):
        raise RuntimeError(f"expected linear_bias shape {(num_classes, *out_features)}, got "
                           f"{tuple(linear_bias.shape)}")
    if out_features and not batch:
        raise RuntimeError(f"K-dimensional loss defined by linear_weight shape {tuple(linear_weight.shape)} "
                           f"requires batched input, (N, {in_features}), got unbatched input with shape "
                           f"{tuple(input.shape)}")
    logits_shape = (*batch, num_classes, *out_features)
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    ignore_index = -100 if ignore_index is None else ignore_index
    if (options is not None and reduction in ("mean", "sum", "none") and label_smoothing == 0.0
            and target.dtype.name == "int64" and not out_features):
        return _chunked(input, linear_weight, target, linear_bias, weight, reduction, ignore_index, options, grads)
    if out_features:
        rows = math.prod(out_features) * num_classes
        linear_weight = linear_weight.reshape(rows, in_features)
        linear_bias = linear_bias.reshape(rows) if linear_bias is not None else None
    logits = linear(input, linear_weight, linear_bias).reshape(*logits_shape)
    return cross_entropy(logits, target, weight, ignore_index=ignore_index, reduction=reduction,
                         label_smoothing=label_smoothing)


def _chunked(input: Tensor, linear_weight: Tensor, target: Tensor, linear_bias: Tensor | None,  # noqa: A002
             weight: Tensor | None, reduction: str, ignore_index: int, options: LinearCrossEntropyOptions,
             grads: tuple[bool, bool, bool]) -> Tensor:
    batched = input.ndim == 2
    if not batched:
        input, target = input.unsqueeze(0), target.unsqueeze(0)
    size, policy, acc_dtype = options.resolved(input.shape[0], input.shape[-1], linear_weight.shape[0],
                                               input.dtype)
    if reduction == "none":
        out = call(op("torch_nn._linear_cross_entropy_batch_chunked_no_reduction.default"), input, linear_weight,
                   target, linear_bias, weight, ignore_index, size, policy, acc_dtype)
    else:
        tracing = active_builder() is not None  # torch.export compiles: torch then always allows retain_graph
        needed = [g and is_grad_enabled() for g in grads]
        out = call(op("torch_nn._linear_cross_entropy_batch_chunked.default"), input, linear_weight, target,
                   linear_bias, weight, reduction, ignore_index, 0.0, size, policy, acc_dtype,
                   options.allow_retain_graph or tracing, *needed)[0]
    return out if batched else call(aten("squeeze.dim"), out, 0)


class LinearCrossEntropyLoss(Module):
    def __init__(self, in_features: int, num_classes: int, *, out_features: Any = (), bias: bool = False,
                 device: Any = None, dtype: Any = None, reduction: str = "mean", weight: Tensor | None = None,
                 ignore_index: int | None = None, label_smoothing: float = 0.0,
                 options: LinearCrossEntropyOptions | None = None) -> None:
        super().__init__()
        self.in_features, self.num_classes = in_features, num_classes
        self.out_features = tuple(out_features)
        self.reduction, self.label_smoothing = reduction, label_smoothing
        self.ignore_index, self.options = ignore_index, options
        self.register_buffer("weight", weight)
        self.linear = Linear(in_features, num_classes * math.prod(self.out_features), bias)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        classes = (self.num_classes, *self.out_features)
        weight = self.linear.weight.reshape(*classes, self.in_features)
        bias = self.linear.bias.reshape(*classes) if self.linear.bias is not None else None
        grads = (input.requires_grad, self.linear.weight.requires_grad,
                 bias is not None and self.linear.bias.requires_grad)
        return _linear_cross_entropy(input, weight, target, bias, self.weight, self.reduction, self.ignore_index,
                                     self.label_smoothing, self.options, grads)


LAYERS = {"LinearCrossEntropyLoss": LinearCrossEntropyLoss, "LinearCrossEntropyOptions": LinearCrossEntropyOptions}
FUNCTIONAL: dict[str, Any] = {"linear_cross_entropy": linear_cross_entropy}
