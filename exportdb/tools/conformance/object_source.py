"""Constructor source for the torch objects OpInfo samples and ModuleInfo inputs pass as arguments.

A sample may pass a module instance (``distance_function=nn.PairwiseDistance()``,
``nn.TransformerEncoder(layer, 2)``) or an options object
(``options=nn.LinearCrossEntropyOptions(batch_chunk_size=2)``).  A user writes
such an argument as a constructor call, so the harness does too:

* a dataclass of a public ``torch.nn`` name is rebuilt from its fields (those
  that differ from their defaults);
* a module of a public ``torch.nn`` name is rebuilt from its constructor
  arguments, read back from the instance: an attribute of the parameter's name
  (``PairwiseDistance.eps``), or where the module keeps it elsewhere, the place
  :data:`RECOVERED` names (``TransformerEncoderLayer``'s ``d_model`` is its
  ``self_attn.embed_dim``).

Every rebuilt module is checked: torch builds it from the written source and it
must have the same structure, settings and parameter shapes as the instance,
else the object is not expressible.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any, Callable

#: Public namespaces a constructed object's class is named from.
CLASS_NAMESPACES = ("torch.nn",)
#: Constructor parameters left out: the harness builds float32 CPU objects.
SKIPPED = ("device", "dtype")


def _attention_layer(self_attn: str, ffn: str = "linear1") -> dict[str, Callable[[Any], Any]]:
    return {
        "d_model": lambda m: getattr(m, self_attn).embed_dim,
        "nhead": lambda m: getattr(m, self_attn).num_heads,
        "dim_feedforward": lambda m: getattr(m, ffn).out_features,
        "dropout": lambda m: m.dropout.p,
        "activation": lambda m: m.activation,
        "layer_norm_eps": lambda m: m.norm1.eps,
        "batch_first": lambda m: getattr(m, self_attn).batch_first,
        "norm_first": lambda m: m.norm_first,
        "bias": lambda m: getattr(m, ffn).bias is not None,
    }


#: class name -> parameter -> where the instance keeps that constructor argument.
RECOVERED: dict[str, dict[str, Callable[[Any], Any]]] = {
    "TransformerEncoderLayer": _attention_layer("self_attn"),
    "TransformerDecoderLayer": _attention_layer("self_attn"),
    "PairwiseDistance": {"p": lambda m: m.norm},
}


class NoSource(ValueError):
    """The object has no constructor source the harness can write."""


def public_name(cls: type) -> str | None:
    """``torch.nn.PairwiseDistance`` for a class a public namespace names, else None."""
    import importlib

    for namespace in CLASS_NAMESPACES:
        if getattr(importlib.import_module(namespace), cls.__name__, None) is cls:
            return f"{namespace}.{cls.__name__}"
    return None


def object_source(value: Any, literal: Callable[[Any], str]) -> str:
    """``torch.nn.PairwiseDistance(eps=1e-08)`` for ``value``; ``literal`` writes its arguments.

    Raises :class:`NoSource` when the class has no public name or its arguments cannot be recovered."""
    cls = type(value)
    name = public_name(cls)
    if name is None:
        raise NoSource(f"an argument of type {cls.__module__}.{cls.__qualname__}")
    if dataclasses.is_dataclass(value):
        return _call(name, _dataclass_arguments(value), literal)
    import torch

    if isinstance(value, torch.nn.Module):
        text = _call(name, _module_arguments(value), literal)
        _check_rebuilt(torch, value, text)
        return text
    raise NoSource(f"an argument of type {cls.__module__}.{cls.__qualname__}")


def _call(name: str, arguments: list[tuple[str | None, Any]], literal: Callable[[Any], str]) -> str:
    parts = [literal(v) if k is None else f"{k}={literal(v)}" for k, v in arguments]
    return f"{name}({', '.join(parts)})"


def _dataclass_arguments(value: Any) -> list[tuple[str | None, Any]]:
    out: list[tuple[str | None, Any]] = []
    for f in dataclasses.fields(value):
        if not f.init:
            continue
        current = getattr(value, f.name)
        default = f.default if f.default is not dataclasses.MISSING else (
            f.default_factory() if f.default_factory is not dataclasses.MISSING else dataclasses.MISSING)
        if default is dataclasses.MISSING or current != default:
            out.append((f.name, current))
    return out


def _module_arguments(module: Any) -> list[tuple[str | None, Any]]:
    """The constructor arguments of ``module``: required ones positionally, the rest by keyword when they
    differ from the default."""
    cls = type(module)
    recovered = RECOVERED.get(cls.__name__, {})
    out: list[tuple[str | None, Any]] = []
    for p in inspect.signature(cls.__init__).parameters.values():
        if p.name == "self" or p.name in SKIPPED or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.name in recovered:
            value = recovered[p.name](module)
        elif p.name in vars(module):
            value = getattr(module, p.name)
        else:
            raise NoSource(f"a {cls.__name__} whose constructor argument {p.name!r} the harness cannot recover")
        if p.default is p.empty:
            if p.kind == p.KEYWORD_ONLY:
                out.append((p.name, value))
            else:
                out.append((None, value))
        elif not _same(value, p.default):
            out.append((p.name, value))
    return out


def _same(a: Any, b: Any) -> bool:
    if callable(a) or callable(b):
        return a is b
    return type(a) is type(b) and a == b


def _describe(torch: Any, module: Any) -> list:
    """What the rebuilt module must share with the instance: every submodule's class, settings and
    parameter/buffer shapes."""
    out = []
    for path, sub in module.named_modules():
        settings = sorted((k, repr(v) if not callable(v) else getattr(v, "__qualname__", repr(v)))
                          for k, v in vars(sub).items()
                          if not k.startswith("_") and k != "training"
                          and (v is None or isinstance(v, (bool, int, float, str, tuple)) or callable(v)))
        tensors = [(n, tuple(t.shape), str(t.dtype)) for n, t in
                   [*sub.named_parameters(recurse=False), *sub.named_buffers(recurse=False)] if t is not None]
        out.append((path, type(sub).__name__, settings, tensors))
    return out


def _check_rebuilt(torch: Any, module: Any, text: str) -> None:
    try:
        rebuilt = eval(text, {"torch": torch})  # noqa: S307 - the harness's own generated source
    except Exception as exc:  # noqa: BLE001
        raise NoSource(f"a {type(module).__name__}: torch cannot build {text} ({type(exc).__name__})") from None
    if _describe(torch, rebuilt) != _describe(torch, module):
        raise NoSource(f"a {type(module).__name__} that {text} does not rebuild")
