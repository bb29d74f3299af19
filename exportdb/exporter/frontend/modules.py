"""The module objects a case file gets for ``import torch`` (and friends) under the
built-in engine.  They are built once, live only here, and are never put into
``sys.modules``; :func:`resolve` maps a dotted import name to one of them.

Looking up a name the front end lacks raises
:class:`~exportdb.errors.UnsupportedAPIError` naming the API and the case's
``file:line``.
"""

from __future__ import annotations

import enum
import types
from typing import Any

from exportdb.exporter.ir import dtypes, layouts
from exportdb.exporter.ir.device import Device
from exportdb.exporter.trace.user_frames import user_location
from exportdb.errors import UnsupportedAPIError
from exportdb.exporter.frontend import functions, grad_mode, nn_modules
from exportdb.exporter.frontend.tensor import Parameter, Size, Tensor, strided
from exportdb.exporter.ops.creation import manual_seed
from exportdb.exporter.trace.context import suspended
from exportdb.exporter.frontend import complex_functions, fft_functions
from exportdb.exporter.frontend import (nn_activation, nn_attention, nn_conv, nn_linear_loss, nn_loss, nn_norm,
                                       nn_distance, nn_pooling, nn_recurrent, nn_reshape, nn_sparse, nn_transformer,
                                       data_functions, nn_sampling, nn_unpool, random_functions, reduction_functions)


class FrontendModule(types.ModuleType):
    """A module whose missing attributes are reported as unsupported torch APIs."""
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise UnsupportedAPIError(
            f"{self.__name__}.{name} is not provided by the built-in front end",
            location=user_location(),
            hint="use an API the built-in exporter supports (see the docs), or run this case with the torch engine",
        )


def _module(name: str, **attrs: Any) -> FrontendModule:
    module = FrontendModule(name)
    module.__dict__.update(attrs)
    return module


class SupportLevel(enum.Enum):
    """How well the exporter handles a case (mirrors torch._export.db.case.SupportLevel)."""
    SUPPORTED = 1
    NOT_SUPPORTED_YET = 0


def _is_tensor(value: Any) -> bool:
    return isinstance(value, Tensor)


def _manual_seed(seed: int) -> None:

    manual_seed(seed)


def _assume_constant_result(fn):
    """``torch._dynamo.assume_constant_result``: while exporting, the function runs
    eagerly on the example values and its result is baked in as a constant."""
    import functools


    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with suspended():
            return fn(*args, **kwargs)

    return wrapper


class _AutogradFunction:
    """``torch.autograd.Function``: ``apply`` runs ``forward`` (export traces inference only)."""
    @classmethod
    def apply(cls, *args: Any) -> Any:
        return cls.forward(_FunctionCtx(), *args)


def _autograd_grad(*args: Any, **kwargs: Any) -> Any:
    """``torch.autograd.grad``: refused with the rule it breaks (export is inference only)."""
    raise UnsupportedAPIError(
        "torch.autograd.grad: exported programs are inference only; autograd inside the traced code "
        "(also inside cond or map) is not supported yet",
        location=user_location(),
        hint="write the derivative out as tensor operations, or export only the forward computation",
    )


class _FunctionCtx:
    def save_for_backward(self, *tensors: Any) -> None:
        self.saved_tensors = tensors


def nn_layers() -> dict[str, Any]:
    """Every ``torch.nn`` class, from the module family files (later families refine earlier names)."""
    return {**nn_modules.LAYERS, **nn_activation.LAYERS, **nn_attention.LAYERS, **nn_recurrent.LAYERS,
            **nn_loss.LAYERS, **nn_transformer.LAYERS, **_spatial_families("LAYERS")}


def nn_functional() -> dict[str, Any]:
    """Every ``torch.nn.functional`` function, from the module family files."""
    return {**reduction_functions.FUNCTIONAL, **nn_modules.FUNCTIONAL, **nn_activation.FUNCTIONAL,
            **nn_attention.FUNCTIONAL, **nn_loss.FUNCTIONAL, **_spatial_families("FUNCTIONAL")}


def _spatial_families(table: str) -> dict[str, Any]:
    """Convolution, pooling, normalization, embedding and reshaping families (``LAYERS`` or ``FUNCTIONAL``)."""
    out: dict[str, Any] = {}
    for family in (nn_conv, nn_pooling, nn_unpool, nn_sampling, nn_norm, nn_sparse, nn_reshape, nn_linear_loss,
                   nn_distance):
        out.update(getattr(family, table))
    return out


def _build() -> dict[str, FrontendModule]:
    from exportdb.exporter.frontend import (control_flow, export_api, linalg_functions, lowrank_functions,
                                            math_functions, pytree_api, reduction_functions, view_functions)

    functional = _module("torch.nn.functional", **nn_functional())
    torch_nn = _module("torch.nn", functional=functional, Parameter=Parameter, **nn_layers())
    torch_nn.parameter = _module("torch.nn.parameter", Parameter=Parameter)
    torch_nn.modules = _module("torch.nn.modules", Module=nn_modules.Module)
    pytree = _module("torch.utils._pytree", **pytree_api.NAMESPACE)
    utils = _module("torch.utils", _pytree=pytree)
    case = _module("torch._export.db.case", SupportLevel=SupportLevel)
    db = _module("torch._export.db", case=case)
    private_export = _module("torch._export", db=db)
    dynamo = _module("torch._dynamo", assume_constant_result=_assume_constant_result)
    export = _module("torch.export", **export_api.NAMESPACE)
    autograd = _module("torch.autograd", Function=_AutogradFunction, grad=_autograd_grad, **grad_mode.NAMESPACE)
    compiler = _module("torch.compiler", is_compiling=export_api.is_exporting, is_dynamo_compiling=export_api.is_exporting,
                       is_exporting=export_api.is_exporting)
    control = _module("functorch.experimental.control_flow", cond=control_flow.cond, map=control_flow.map)
    higher_order_ops = _module("torch._higher_order_ops", cond=control_flow.cond, map=control_flow.map)
    experimental = _module("functorch.experimental", control_flow=control)
    functorch = _module("functorch", experimental=experimental)
    linalg = _module("torch.linalg", **{**view_functions.LINALG, **reduction_functions.LINALG,
                                        **linalg_functions.LINALG})
    special = _module("torch.special", **math_functions.SPECIAL)
    fft = _module("torch.fft", **fft_functions.FFT)
    torch = _module(
        "torch",
        Tensor=Tensor, Size=Size, strided=strided, device=Device, dtype=dtypes.DType,
        nn=torch_nn, utils=utils, _export=private_export, _dynamo=dynamo, export=export, autograd=autograd,
        compiler=compiler, linalg=linalg, special=special, fft=fft, ops=control_flow.OPS_NAMESPACE, _higher_order_ops=higher_order_ops,
        cond=control_flow.cond, is_tensor=_is_tensor, manual_seed=_manual_seed,
        **grad_mode.NAMESPACE,
        **{name: dt for name, dt in dtypes.TORCH_NAMES.items()},
        **layouts.MEMORY_FORMATS,
        **{**view_functions.NAMESPACE, **reduction_functions.NAMESPACE, **functions.NAMESPACE,
           **math_functions.NAMESPACE, **random_functions.NAMESPACE, **data_functions.NAMESPACE,
           **complex_functions.NAMESPACE, **fft_functions.NAMESPACE, **nn_norm.NAMESPACE, **linalg_functions.NAMESPACE,
           **lowrank_functions.NAMESPACE, **nn_sampling.NAMESPACE},
        **{name: getattr(functions, name) for name in (
            "tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "randn", "rand", "full",
            "arange", "zeros_like", "ones_like", "empty_like", "randn_like", "rand_like", "full_like", "cat",
            "stack", "split", "chunk", "unbind", "where", "add", "sub", "mul", "div",
            "pow", "max", "min")},
        **export_api.TORCH_LEVEL,
    )
    return {m.__name__: m for m in (torch, torch_nn, functional, torch_nn.parameter, torch_nn.modules, utils, pytree,
                                     private_export, db, case, dynamo, export, autograd, compiler, functorch,
                                     experimental, control, higher_order_ops, linalg, special, fft)}


_MODULES: dict[str, FrontendModule] | None = None


def resolve(name: str) -> FrontendModule:
    """The front-end module for the dotted import ``name`` (``torch.nn``, ``functorch.experimental``)."""
    global _MODULES
    if _MODULES is None:
        _MODULES = _build()
    try:
        return _MODULES[name]
    except KeyError:
        raise UnsupportedAPIError(
            f"module {name} is not provided by the built-in front end", location=user_location(),
            hint="import only torch, torch.nn, torch.nn.functional, torch.export, torch.utils._pytree, "
                 "torch._dynamo, torch._export.db.case and functorch.experimental.control_flow") from None
