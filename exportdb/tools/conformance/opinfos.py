"""PyTorch's OpInfo database, as the conformance harness reads it.

Everything comes from the installed torch at run time
(``torch.testing._internal.common_methods_invocations.op_db``, which needs the
``expecttest`` package); nothing of it is copied into exportdb.  An OpInfo is
known by its *key*: ``name`` or ``name.variant_test_name`` (``max.binary``).
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator

from exportdb.tools.conformance.op_spelling import SUBSCRIPTS, TEMPLATES

#: Namespaces a function variant may be named from, searched in this order.
NAMESPACES = ("torch", "torch.nn.functional", "torch.linalg", "torch.special", "torch.fft", "torch.masked",
              "torch.signal.windows")
#: The sample dtypes run by default, and those run for an op that has no float32 samples.
DTYPES = ("float32",)
FALLBACK_DTYPES = ("int64", "bool")
#: Float32 tolerances when the OpInfo declares none (torch's own float32 defaults).
DEFAULT_RTOL, DEFAULT_ATOL = 1.3e-6, 1e-5
#: Every op's samples are generated after seeding torch with this.
SAMPLE_SEED = 0


class OpDbUnavailable(RuntimeError):
    """torch (or expecttest, which op_db needs) cannot be imported."""


@lru_cache(maxsize=1)
def load_op_db() -> tuple[Any, ...]:
    """``op_db`` of the installed torch (imported once per process)."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from torch.testing._internal.common_methods_invocations import op_db
    except ModuleNotFoundError as exc:
        raise OpDbUnavailable(f"cannot load torch's op_db: missing module {exc.name!r} "
                              "(pip install torch expecttest)") from None
    return tuple(op_db)


def op_key(op: Any) -> str:
    """``name`` or ``name.variant_test_name``: unique across op_db."""
    return f"{op.name}.{op.variant_test_name}" if op.variant_test_name else op.name


def ops_by_key() -> dict[str, Any]:
    """Every OpInfo by its key, in op_db's order."""
    return {op_key(op): op for op in load_op_db()}


def supports_float32(op: Any) -> bool:
    import torch

    return torch.float32 in op.supported_dtypes("cpu")


def sample_dtypes(op: Any, wanted: tuple[str, ...] = DTYPES) -> list[str]:
    """The dtypes whose samples run, in order: those of ``wanted`` the OpInfo supports on CPU; for an op
    without float32 (bitwise ops, gcd, bincount, ...), its int64 and bool samples (:data:`FALLBACK_DTYPES`)."""
    import torch

    supported = {str(d).removeprefix("torch.") for d in op.supported_dtypes("cpu")}
    chosen = [d for d in wanted if d in supported]
    if "float32" not in supported:
        chosen += [d for d in FALLBACK_DTYPES if d in supported and d not in chosen]
    return chosen


def samples_of(op: Any, dtype: str) -> list[Any]:
    """Every CPU SampleInput of ``op`` for ``dtype``, generated after seeding torch (so always the same)."""
    import torch

    torch.manual_seed(SAMPLE_SEED)
    return list(op.sample_inputs("cpu", getattr(torch, dtype)))


def float32_samples(op: Any) -> list[Any]:
    """Every CPU float32 SampleInput of ``op``."""
    return samples_of(op, "float32")


@lru_cache(maxsize=1)
def _public_functions() -> dict[int, list[str]]:
    """id(function) -> every public dotted name (``torch.add``) it has, in NAMESPACES order."""
    import importlib

    found: dict[int, list[str]] = {}
    for namespace in NAMESPACES:
        module = importlib.import_module(namespace)
        for name, value in vars(module).items():
            if name.startswith("_") or isinstance(value, (types.ModuleType, type)) or not callable(value):
                continue
            found.setdefault(id(value), []).append(f"{namespace}.{name}")
    return found


@dataclass(frozen=True)
class Callee:
    """How a generated case calls the op: ``torch.add(...)`` or ``x.add(...)``."""

    kind: str  # "function", "method", "template" or "subscript" (see op_spelling)
    name: str  # a function's dotted name ("torch.nn.functional.relu"), a method name ("add"), a template


def _seeded_target(fn: Any) -> Any:
    """What ``lambda x, *args, **kwargs: wrapper_set_seed(torch.F, x, *args, **kwargs)`` calls, else ``fn``.

    op_db wraps random ops so only the seed is set; the arguments pass through unchanged.
    """
    code = getattr(fn, "__code__", None)
    if code is None or fn.__name__ != "<lambda>" or code.co_names[:2] != ("wrapper_set_seed", "torch"):
        return fn
    if not code.co_flags & 0x04 or not code.co_flags & 0x08 or code.co_argcount > 1:  # (x?, *args, **kwargs)
        return fn
    target: Any = fn.__globals__.get("torch")
    for attribute in code.co_names[2:]:
        target = getattr(target, attribute, None)
    return target if callable(target) else fn


def callee_of(op: Any) -> Callee | None:
    """How a user calls the op: the spelling of a wrapped op (op_spelling), else the function variant when
    a public namespace names it, else the Tensor method (the method variant, or the method a seeded wrapper
    calls: ``x.item()``, ``x.uniform_(0, 1)``), else None."""
    import torch

    key = op_key(op)
    if key in TEMPLATES:
        return Callee("template", TEMPLATES[key])
    if key in SUBSCRIPTS:
        return Callee("subscript", SUBSCRIPTS[key])
    target = _seeded_target(op.op)
    names = _public_functions().get(id(target), [])
    if names:
        preferred = [n for n in names if n.endswith("." + op.name) or n == f"torch.{op.name}"]
        return Callee("function", (preferred or names)[0])
    for method in (op.method_variant, target):
        name = getattr(method, "__name__", "")
        if method is not None and name and getattr(torch.Tensor, name, None) is method:
            return Callee("method", name)
    return None


def is_internal(op: Any) -> bool:
    """A private or internal op: ``aten._*``, ``torch._*``, ``torch.ops.*``, jiterator and sparse test ops,
    backward ops."""
    key = op_key(op)
    return (key.startswith(("_", "torch._", "torch.ops.", "jiterator_", "sparse.")) or "backward" in key
            or getattr(op.op, "__name__", "").startswith("_"))


def float32_tolerances(op: Any) -> tuple[float, float]:
    """(rtol, atol) for float32: the loosest the OpInfo's tolerance overrides declare, else the defaults."""
    import torch

    rtol, atol = DEFAULT_RTOL, DEFAULT_ATOL
    for decorator in _flat_decorators(op):
        table = getattr(decorator, "d", None)  # toleranceOverride: dtype -> tol(atol, rtol)
        if isinstance(table, dict) and torch.float32 in table:
            tol = table[torch.float32]
            rtol, atol = max(rtol, float(getattr(tol, "rtol", 0.0))), max(atol, float(getattr(tol, "atol", 0.0)))
        precision = getattr(decorator, "precision", None)  # precisionOverride: dtype -> atol
        if isinstance(precision, dict) and torch.float32 in precision:
            atol = max(atol, float(precision[torch.float32]))
    return rtol, atol


def _flat_decorators(op: Any) -> Iterator[Any]:
    for decorator in op.decorators or ():
        inner = getattr(decorator, "decorators", None)  # DecorateInfo
        if isinstance(inner, (list, tuple)):
            yield from inner
        else:
            yield decorator
