"""``torch.nn`` normalization layers and their functional forms.

``nn.BatchNorm2d`` in training mode records ``aten.add_.Tensor(b_num_batches_tracked, 1)``
and ``aten.batch_norm.default(x, p_weight, p_bias, b_running_mean, b_running_var, True,
0.1, 1e-05, False)``, whose kernel updates the running statistics in place.
``nn.LocalResponseNorm`` records the composite torch records (``avg_pool`` over a padded square).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exportdb.exporter.frontend.nn_modules import Module
from exportdb.exporter.frontend.nn_record import constant_buffer, constant_parameter, record
from exportdb.exporter.frontend.tensor import Tensor


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,  # noqa: A002
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    return record("batch_norm.default", input, weight, bias, running_mean, running_var, training, momentum, eps,
                  False)


def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,  # noqa: A002
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    return record("instance_norm.default", input, weight, bias, running_mean, running_var, use_input_stats,
                  momentum, eps, False)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,  # noqa: A002
               eps: float = 1e-5) -> Tensor:
    return record("group_norm.default", input, num_groups, weight, bias, eps, False)


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    return record("layer_norm.default", input, list(normalized_shape), weight, bias, eps, False)


def rms_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,  # noqa: A002
             eps: float | None = None) -> Tensor:
    return record("rms_norm.default", input, list(normalized_shape), weight, eps)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,  # noqa: A002
                        k: float = 1.0) -> Tensor:
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if input.numel() == 0:  # torch returns an empty input itself
        return input
    div = record("mul.Tensor", input, input)
    if dim == 3:
        div = record("unsqueeze.default", div, 1)
        div = record("pad.default", div, [0, 0, size // 2, (size - 1) // 2])
        div = record("squeeze.dim", record("avg_pool2d.default", div, [size, 1], [1, 1]), 1)
    else:
        sizes = list(input.shape)
        div = record("view.default", div, [sizes[0], 1, sizes[1], sizes[2], -1])
        div = record("pad.default", div, [0, 0, 0, 0, size // 2, (size - 1) // 2])
        div = record("squeeze.dim", record("avg_pool3d.default", div, [size, 1, 1], [1, 1, 1]), 1)
        div = record("view.default", div, sizes)
    div = record("pow.Tensor_Scalar", record("add.Tensor", record("mul.Tensor", div, alpha), k), beta)
    return record("div.Tensor", input, div)


def _affine_parameters(module: Module, shape: Any, affine: bool, bias: bool) -> None:
    """``weight`` (ones) and ``bias`` (zeros) of ``shape`` when ``affine``, else both registered as None."""
    if affine:
        module.weight = constant_parameter(shape, 1.0)
        if bias:
            module.bias = constant_parameter(shape, 0.0)
            return
    else:
        module.register_parameter("weight", None)
    module.register_parameter("bias", None)


class _NormBase(Module):
    """Shared state of batch and instance norm: affine parameters and running statistics."""

    no_batch_dim = 2
    counts_batches = True  # BatchNorm reads num_batches_tracked first, so torch lifts it first

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        _affine_parameters(self, (num_features,), affine, bias)
        if track_running_stats:
            counter = constant_buffer((), 0, np.int64)
            if self.counts_batches:
                self.register_buffer("num_batches_tracked", counter)
            self.register_buffer("running_mean", constant_buffer((num_features,), 0.0))
            self.register_buffer("running_var", constant_buffer((num_features,), 1.0))
            if not self.counts_batches:
                self.register_buffer("num_batches_tracked", counter)
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def _check_dim(self, input: Tensor) -> None:  # noqa: A002
        allowed = self.allowed_dims
        if input.dim() not in allowed:
            names = " or ".join(f"{d}D" for d in allowed)
            raise ValueError(f"expected {names} input (got {input.dim()}D input)")

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    allowed_dims: tuple = (4,)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        self._check_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked)
        use_batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        keep = not self.training or self.track_running_stats
        return batch_norm(input, self.running_mean if keep else None, self.running_var if keep else None,
                          self.weight, self.bias, use_batch_stats, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    allowed_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    allowed_dims = (4,)


class BatchNorm3d(_BatchNorm):
    allowed_dims = (5,)


class _InstanceNorm(_NormBase):
    counts_batches = False

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, bias=bias)

    def _apply(self, input: Tensor) -> Tensor:  # noqa: A002
        return instance_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                             self.training or not self.track_running_stats,
                             self.momentum if self.momentum is not None else 0.0, self.eps)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        self._check_dim(input)
        feature_dim = input.dim() - self.no_batch_dim
        if tuple(input.shape)[feature_dim] != self.num_features and self.affine:
            raise ValueError(f"expected input's size at dim={feature_dim} to match num_features "
                             f"({self.num_features}), but got: {tuple(input.shape)[feature_dim]}.")
        if input.dim() == self.no_batch_dim:
            return self._apply(input.unsqueeze(0)).squeeze(0)
        return self._apply(input)


class InstanceNorm1d(_InstanceNorm):
    no_batch_dim, allowed_dims = 2, (2, 3)


class InstanceNorm2d(_InstanceNorm):
    no_batch_dim, allowed_dims = 3, (3, 4)


class InstanceNorm3d(_InstanceNorm):
    no_batch_dim, allowed_dims = 4, (4, 5)


class GroupNorm(Module):
    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device: Any = None, dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        if num_channels % num_groups:
            raise ValueError("num_channels must be divisible by num_groups")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        _affine_parameters(self, (num_channels,), affine, bias)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)


def _shape(normalized_shape: Any) -> tuple:
    return (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)


class LayerNorm(Module):
    def __init__(self, normalized_shape: Any, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.normalized_shape, self.eps = _shape(normalized_shape), eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class RMSNorm(Module):
    def __init__(self, normalized_shape: Any, eps: float | None = None, elementwise_affine: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.normalized_shape, self.eps = _shape(normalized_shape), eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = constant_parameter(self.normalized_shape, 1.0)
        else:
            self.register_parameter("weight", None)

    def forward(self, x: Tensor) -> Tensor:
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)


class LocalResponseNorm(Module):
    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return local_response_norm(input, self.size, self.alpha, self.beta, self.k)


FUNCTIONAL = {f.__name__: f for f in (batch_norm, instance_norm, group_norm, layer_norm, rms_norm,
                                      local_response_norm)}
LAYERS = {c.__name__: c for c in (BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d,
                                  InstanceNorm3d, GroupNorm, LayerNorm, RMSNorm, LocalResponseNorm)}


def native_group_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None, N: Any, C: Any,  # noqa: A002,N803
                      HxW: Any, group: int, eps: float) -> tuple:  # noqa: N803
    return record("native_group_norm.default", input, weight, bias, N, C, HxW, group, eps)


def native_layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None, bias: Tensor | None,  # noqa: A002
                      eps: float) -> tuple:
    return record("native_layer_norm.default", input, list(normalized_shape), weight, bias, eps)


def native_batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,  # noqa: A002
                      running_mean: Tensor | None, running_var: Tensor | None, training: bool, momentum: float,
                      eps: float) -> tuple:
    return record("native_batch_norm.default", input, weight, bias, running_mean, running_var, training, momentum,
                  eps)


#: ``torch.native_*_norm``: the ATen ops with their saved statistics, as ``torch`` functions.
NAMESPACE = {f.__name__: f for f in (native_group_norm, native_layer_norm, native_batch_norm)}
