"""``torch.nn``: Module with parameters, buffers and submodules, a few layers, functional."""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any, Iterator

import numpy as np

from exportdb.exporter.ir.values import ModuleValue
from exportdb.exporter.trace.dispatch import call
from exportdb.exporter.trace.context import note_module_access, note_state_read
from exportdb.exporter.trace.user_frames import user_location
from exportdb.errors import UnsupportedAPIError
from exportdb.exporter.frontend.tensor import Parameter, Tensor
from exportdb.exporter.ops import aten
from exportdb.exporter.ops import creation as _creation


class Buffer(Tensor):
    """``torch.nn.Buffer``: assigned to a module attribute, its data is registered as a buffer
    (``persistent=False`` keeps it out of the state_dict, as ``register_buffer`` does)."""

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> "Buffer":
        b = Tensor._make(np.zeros((0,), np.float32) if data is None else data._value)
        b.__class__ = cls
        b.persistent = persistent
        return b

    def __init__(self, data: Tensor | None = None, *, persistent: bool = True) -> None:
        pass


class Module(ModuleValue):
    """``torch.nn.Module``: ``__call__`` runs ``forward``; attributes that are
    Parameters, registered buffers or Modules are tracked by name."""

    training: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    def _registry(self, name: str) -> dict:
        try:
            return object.__getattribute__(self, name)
        except AttributeError:
            raise AttributeError(
                f"cannot assign module state before Module.__init__() call (did {type(self).__name__}.__init__ "
                "call super().__init__()?)") from None

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, Parameter):
            self._drop(name)
            self._registry("_parameters")[name] = value
        elif isinstance(value, Buffer):
            self.register_buffer(name, Tensor._make(value._value), persistent=value.persistent)
        elif isinstance(value, Module):
            self._drop(name)
            self._registry("_modules")[name] = value
        elif name in self.__dict__.get("_buffers", {}) and (value is None or isinstance(value, Tensor)):
            self._buffers[name] = value
        elif name in self.__dict__.get("_parameters", {}) and value is None:
            self._parameters[name] = None
        else:
            self._drop(name)
            object.__setattr__(self, name, value)

    def _drop(self, name: str) -> None:
        for registry in ("_parameters", "_buffers", "_modules"):
            self.__dict__.get(registry, {}).pop(name, None)

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if name in d.get(registry, {}):
                value = d[registry][name]
                if registry != "_modules" and value is not None:
                    note_state_read(value, self, name)
                elif value is not None:
                    note_module_access(self, name, value)
                return value
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for registry in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__.get(registry, {}):
                del self.__dict__[registry][name]
                return
        object.__delattr__(self, name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"Module [{type(self).__name__}] is missing the required \"forward\" function")

    # -- registration ----------------------------------------------------------
    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        self._drop(name)
        self._registry("_buffers")[name] = tensor
        if not persistent:
            self._non_persistent_buffers.add(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        self._drop(name)
        self._registry("_parameters")[name] = param

    def add_module(self, name: str, module: "Module | None") -> None:
        self._drop(name)
        self._registry("_modules")[name] = module

    register_module = add_module

    # -- traversal ---------------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "") -> Iterator[tuple[str, "Module"]]:
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(memo, f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator["Module"]:
        return (m for _, m in self.named_modules())

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        return ((n, m) for n, m in self._modules.items() if m is not None)

    def children(self) -> Iterator["Module"]:
        return (m for _, m in self.named_children())

    def _named_members(self, registry: str, prefix: str, recurse: bool) -> Iterator[tuple[str, Tensor]]:
        seen: set[int] = set()
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for mod_prefix, module in modules:
            for name, value in module.__dict__[registry].items():
                if value is None or id(value) in seen:
                    continue
                seen.add(id(value))
                yield (f"{mod_prefix}.{name}" if mod_prefix else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        return self._named_members("_parameters", prefix, recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        return (p for _, p in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        return (b for _, b in self.named_buffers(recurse=recurse))

    def is_persistent_buffer(self, fqn: str) -> bool:
        owner, _, name = fqn.rpartition(".")
        module = self.get_submodule(owner) if owner else self
        return name not in module._non_persistent_buffers

    def get_submodule(self, target: str) -> "Module":
        module = self
        for part in target.split(".") if target else []:
            module = module._modules[part]
        return module

    def state_dict(self) -> dict[str, Tensor]:
        state = dict(self.named_parameters())
        state.update((k, v) for k, v in self.named_buffers() if self.is_persistent_buffer(k))
        return state

    # -- modes and no-op conversions ------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        return self

    def to(self, *args: Any, **kwargs: Any) -> "Module":
        return self

    def cpu(self) -> "Module":
        return self

    def float(self) -> "Module":
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        return None

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"({n}): {m!r}".replace("\n", "\n  ") for n, m in self.named_children()]
        head = f"{type(self).__name__}({self.extra_repr()}"
        return head + ("\n  " + "\n  ".join(lines) + "\n)" if lines else ")")


def _uniform(shape: tuple, bound: float) -> Parameter:
    value = _creation.RNG.uniform(-bound, bound, size=shape).astype(np.float32)
    return Parameter(Tensor._make(value))


class Linear(Module):
    def __init__(self, in_features: int, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(in_features) if in_features else 0.0
        self.weight = _uniform((out_features, in_features), bound)
        if bias:
            self.bias = _uniform((out_features,), bound)
        else:
            self.register_parameter("bias", None)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002  (torch's parameter name: the placeholder is `input`)
        return linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Bilinear(Module):
    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in1_features, self.in2_features, self.out_features = in1_features, in2_features, out_features
        bound = 1 / math.sqrt(in1_features) if in1_features else 0.0
        self.weight = _uniform((out_features, in1_features, in2_features), bound)
        if bias:
            self.bias = _uniform((out_features,), bound)
        else:
            self.register_parameter("bias", None)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return bilinear(input1, input2, self.weight, self.bias)


class _Activation(Module):
    fn_name = ""

    def forward(self, x: Tensor) -> Tensor:
        return getattr(x, self.fn_name)()


class ReLU(_Activation):
    fn_name = "relu"

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return x.relu_() if self.inplace else x.relu()


class Sigmoid(_Activation):
    fn_name = "sigmoid"


class Tanh(_Activation):
    fn_name = "tanh"


class Identity(Module):
    def forward(self, input: Any) -> Any:  # noqa: A002
        return input


class Softmax(Module):
    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return softmax(x, self.dim if self.dim is not None else -1)


class Dropout(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        return dropout(x, self.p, self.training)


class _ModuleSequence(Module):
    """Shared container behaviour of Sequential and ModuleList: indexing, len, iteration."""

    def __getitem__(self, index: int) -> Module:
        return list(self._modules.values())[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())


class Sequential(_ModuleSequence):
    def __init__(self, *modules: Any) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(modules):
                self.add_module(str(i), module)

    def forward(self, x: Any) -> Any:
        for module in self._modules.values():
            x = module(x)
        return x


class ModuleList(_ModuleSequence):
    def __init__(self, modules: Any = ()) -> None:
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> "ModuleList":
        self.add_module(str(len(self._modules)), module)
        return self


class ModuleDict(Module):
    def __init__(self, modules: dict | None = None) -> None:
        super().__init__()
        for name, module in (modules or {}).items():
            self.add_module(name, module)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def keys(self):
        return self._modules.keys()

    def items(self):
        return self._modules.items()

    def values(self):
        return self._modules.values()


# -- torch.nn.functional -----------------------------------------------------------
def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    return call(aten("linear.default"), x, weight, *((bias,) if bias is not None else ()))


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    return call(aten("bilinear.default"), input1, input2, weight, *((bias,) if bias is not None else ()))


def relu(x: Tensor, inplace: bool = False) -> Tensor:
    return x.relu_() if inplace else x.relu()


def sigmoid(x: Tensor) -> Tensor:
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    return x.tanh()


def softmax(x: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    if dim is None:
        raise UnsupportedAPIError("softmax() without dim is deprecated and not supported", location=user_location(),
                                  hint="pass dim explicitly")
    return x.softmax(dim, dtype)


def log_softmax(x: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    if dim is None:
        raise UnsupportedAPIError("log_softmax() without dim is not supported", location=user_location(),
                                  hint="pass dim explicitly")
    return x.log_softmax(dim, dtype)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    return call(aten("gelu.default"), x, **({} if approximate == "none" else {"approximate": approximate}))


def dropout(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    return call(aten("dropout.default"), x, p, training)


FUNCTIONAL = {f.__name__: f for f in (linear, bilinear, relu, sigmoid, tanh, softmax, log_softmax, gelu, dropout)}
LAYERS = {c.__name__: c for c in (Module, Buffer, Linear, Bilinear, ReLU, Sigmoid, Tanh, Identity, Softmax, Dropout,
                                  Sequential, ModuleList, ModuleDict)}
