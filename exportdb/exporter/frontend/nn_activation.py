"""``torch.nn`` activations and their ``torch.nn.functional`` counterparts.

Each records what torch.export 2.13 records: ``nn.ReLU6()`` is
``aten.hardtanh.default(x, 0.0, 6.0)`` while ``F.relu6(x)`` is ``aten.relu6.default(x)``;
``nn.Softsign`` and ``nn.Tanhshrink`` decompose into pointwise ops.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exportdb.exporter.frontend.nn_args import trim_defaults
from exportdb.exporter.frontend.nn_modules import Module, gelu
from exportdb.exporter.frontend.tensor import Parameter, Tensor
from exportdb.exporter.ops import aten
from exportdb.exporter.trace.dispatch import call


def _act(name: str, x: Tensor, inplace: bool, *args: Any) -> Tensor:
    return call(aten(f"{name}_.default" if inplace else f"{name}.default"), x, *args)


# -- torch.nn.functional ----------------------------------------------------------
def relu6(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return _act("relu6", input, inplace)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    return _act("hardtanh", input, inplace, *trim_defaults((min_val, max_val), (-1, 1)))


def hardtanh_(input: Tensor, min_val: float = -1, max_val: float = 1) -> Tensor:  # noqa: A002
    return hardtanh(input, min_val, max_val, True)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:  # noqa: A002
    return _act("leaky_relu", input, inplace, *trim_defaults((negative_slope,), (0.01,)))


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:  # noqa: A002
    return leaky_relu(input, negative_slope, True)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    return _act("elu", input, inplace, *trim_defaults((alpha,), (1,)))


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:  # noqa: A002
    return elu(input, alpha, True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    return _act("celu", input, inplace, *trim_defaults((alpha,), (1.0,)))


def selu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return _act("selu", input, inplace)


def silu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return _act("silu", input, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return _act("mish", input, inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return _act("hardswish", input, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return _act("hardsigmoid", input, inplace)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:  # noqa: A002
    return _act("hardshrink", input, False, *trim_defaults((lambd,), (0.5,)))


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:  # noqa: A002
    return _act("softshrink", input, False, *trim_defaults((lambd,), (0.5,)))


def tanhshrink(input: Tensor) -> Tensor:  # noqa: A002
    return input - input.tanh()


def softsign(input: Tensor) -> Tensor:  # noqa: A002
    return input / (input.abs() + 1)


def softplus(input: Tensor, beta: float = 1, threshold: float = 20) -> Tensor:  # noqa: A002
    return _act("softplus", input, False, *trim_defaults((beta, threshold), (1, 20)))


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:  # noqa: A002
    return _act("threshold", input, inplace, threshold, value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:  # noqa: A002
    return _act("threshold", input, True, threshold, value)


def prelu(input: Tensor, weight: Tensor) -> Tensor:  # noqa: A002
    return call(aten("prelu.default"), input, weight)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,  # noqa: A002
          inplace: bool = False) -> Tensor:
    return _act("rrelu", input, inplace, *trim_defaults((lower, upper, training), (0.125, 1 / 3, False)))


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False) -> Tensor:  # noqa: A002
    return rrelu(input, lower, upper, training, True)


def glu(input: Tensor, dim: int = -1) -> Tensor:  # noqa: A002
    return call(aten("glu.default"), input, *trim_defaults((dim,), (-1,)))


def logsigmoid(input: Tensor) -> Tensor:  # noqa: A002
    return call(aten("log_sigmoid.default"), input)


def legacy_softmax_dim(ndim: int) -> int:
    """The dim softmax picks when none is given (deprecated): 0 for 0-, 1- and 3-d inputs, else 1."""
    return 0 if ndim in (0, 1, 3) else 1


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:  # noqa: A002
    dim = legacy_softmax_dim(input.ndim) if dim is None else dim
    return (-input).softmax(dim, dtype)


def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return _act("relu", input, inplace)


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    return input.tanh()


def _dropout_call(name: str, input: Tensor, p: float, training: bool, inplace: bool) -> Tensor:  # noqa: A002
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return call(aten(f"{name}_.default" if inplace else f"{name}.default"), input, float(p), training)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    return _dropout_call("dropout", input, p, training, inplace)


def _feature_dropout(input: Tensor, p: float, training: bool, inplace: bool, batched_ndim: int) -> Tensor:  # noqa: A002
    """Channel-wise dropout; an unbatched input gets a batch dim of 1 around the call."""
    if input.ndim != batched_ndim:
        out = _dropout_call("feature_dropout", input.unsqueeze(0), p, training, inplace)
        return out.squeeze(0)
    return _dropout_call("feature_dropout", input, p, training, inplace)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input")
    return _feature_dropout(input, p, training, inplace, 3)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    return _dropout_call("feature_dropout", input, p, training, inplace)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    return _feature_dropout(input, p, training, inplace, 5)  # torch only warns about other ranks


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:  # noqa: A002
    return _dropout_call("alpha_dropout", input, p, training, False)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,  # noqa: A002
                          inplace: bool = False) -> Tensor:
    return _dropout_call("feature_alpha_dropout", input, p, training, False)


FUNCTIONAL = {f.__name__: f for f in (
    relu, sigmoid, tanh, dropout, dropout1d, dropout2d, dropout3d, alpha_dropout, feature_alpha_dropout,
    relu6, hardtanh, hardtanh_, leaky_relu, leaky_relu_, elu, elu_, celu, selu, silu, mish, hardswish,
    hardsigmoid, hardshrink, softshrink, tanhshrink, softsign, softplus, threshold, threshold_, prelu, rrelu,
    rrelu_, glu, logsigmoid, softmin)}


# -- torch.nn modules ----------------------------------------------------------------
class _Inplace(Module):
    """An activation with only the ``inplace`` flag."""

    fn: Any = None

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return type(self).fn(input, inplace=self.inplace)


class ReLU(_Inplace):
    fn = relu


class Sigmoid(Module):
    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input.sigmoid()


class Tanh(Module):
    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input.tanh()


class _DropoutNd(Module):
    fn: Any = None

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return type(self).fn(input, self.p, self.training, self.inplace)


class Dropout(_DropoutNd):
    fn = dropout


class Dropout1d(_DropoutNd):
    fn = dropout1d


class Dropout2d(_DropoutNd):
    fn = dropout2d


class Dropout3d(_DropoutNd):
    fn = dropout3d


class AlphaDropout(_DropoutNd):
    fn = alpha_dropout


class FeatureAlphaDropout(_DropoutNd):
    fn = feature_alpha_dropout


class ReLU6(Module):
    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return hardtanh(input, 0.0, 6.0, self.inplace)


class Hardtanh(Module):
    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return hardtanh(input, self.min_val, self.max_val, self.inplace)


class LeakyReLU(Module):
    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return leaky_relu(input, self.negative_slope, self.inplace)


class ELU(Module):
    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return elu(input, self.alpha, self.inplace)


class CELU(ELU):
    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return celu(input, self.alpha, self.inplace)


class SELU(_Inplace):
    fn = selu


class SiLU(_Inplace):
    fn = silu


class Mish(_Inplace):
    fn = mish


class Hardswish(_Inplace):
    fn = hardswish


class Hardsigmoid(_Inplace):
    fn = hardsigmoid


class GELU(Module):
    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return gelu(input, approximate=self.approximate)


class Hardshrink(Module):
    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return hardshrink(input, self.lambd)


class Softshrink(Hardshrink):
    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return softshrink(input, self.lambd)


class Tanhshrink(Module):
    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return tanhshrink(input)


class Softsign(Module):
    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return softsign(input)


class Softplus(Module):
    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return softplus(input, self.beta, self.threshold)


class Threshold(Module):
    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return threshold(input, self.threshold, self.value, self.inplace)


class PReLU(Module):
    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.num_parameters = num_parameters
        self.weight = Parameter(Tensor._make(np.full((num_parameters,), init, dtype=np.float32)))

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return prelu(input, self.weight)


class RReLU(Module):
    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False) -> None:
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return rrelu(input, self.lower, self.upper, self.training, self.inplace)


class GLU(Module):
    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return glu(input, self.dim)


class LogSigmoid(Module):
    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return logsigmoid(input)


class _SoftmaxFamily(Module):
    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def _dim(self, input: Tensor) -> int:  # noqa: A002
        return legacy_softmax_dim(input.ndim) if self.dim is None else self.dim


class Softmax(_SoftmaxFamily):
    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input.softmax(self._dim(input))


class Softmin(_SoftmaxFamily):
    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return softmin(input, self._dim(input))


class LogSoftmax(_SoftmaxFamily):
    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input.log_softmax(self._dim(input))


class Softmax2d(Module):
    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D instead")
        return input.softmax(-3)


LAYERS = {c.__name__: c for c in (
    ReLU, Sigmoid, Tanh, Dropout, Dropout1d, Dropout2d, Dropout3d, AlphaDropout, FeatureAlphaDropout, ReLU6, Hardtanh, LeakyReLU, ELU, CELU, SELU, SiLU, Mish, Hardswish, Hardsigmoid, GELU, Hardshrink, Softshrink,
    Tanhshrink, Softsign, Softplus, Threshold, PReLU, RReLU, GLU, LogSigmoid, Softmax, Softmin, LogSoftmax,
    Softmax2d)}
