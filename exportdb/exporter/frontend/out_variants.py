"""``out=`` arguments of element-wise functions: ``torch.sin(x, out=buf)``.

torch.export 2.13 records the op's ``out`` overload, and later uses of ``buf``
read that node::

    sin: "f32[3]" = torch.ops.aten.sin.out(x, out = buf)

The out overload is the one whose schema takes the same arguments as the
overload the call binds (``copysign.Scalar`` -> ``copysign.Scalar_out``,
``xlogy.Scalar_Self`` -> ``xlogy.OutScalar_Self``); its kernel runs the
functional kernel and writes the result into ``out`` (which must already have
the result's shape, and a dtype the result casts into, as torch requires).
Out overloads are made the first time a call needs them.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from exportdb.exporter.frontend.aten_binding import fits
from exportdb.exporter.ops import OPS
from exportdb.exporter.ops.kernel_util import write_into
from exportdb.exporter.ops.schemas import Schema, qualnames, schema
from exportdb.exporter.ops.table import OpDef
from exportdb.exporter.trace.dispatch import call


def _signature(found: Schema) -> list[tuple[str, str]]:
    return [(a.name, a.base_type) for a in found.args if a.name != "out"]


def out_overload(found: Schema) -> str | None:
    """The qualname of ``found``'s out variant, or None when torch has none."""
    prefix = found.qualname.rsplit(".", 1)[0] + "."
    want = _signature(found)
    for qualname in qualnames():
        if not qualname.startswith(prefix) or qualname == found.qualname:
            continue
        candidate = schema(qualname)
        if candidate is not None and "out" in candidate.by_name and len(candidate.returns) == 1 \
                and _signature(candidate) == want:
            return qualname
    return None


def _out_kernel(kernel: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    def run(*args: Any, out: np.ndarray, **kwargs: Any) -> np.ndarray:
        result = np.asarray(kernel(*args, **kwargs))
        if result.shape != out.shape:
            raise RuntimeError(f"the out= tensor has shape {list(out.shape)}, the result {list(result.shape)} "
                               "(the built-in exporter does not resize out= tensors)")
        return write_into(out, result)

    return run


#: Out overloads made so far.  They stay out of the op table: ``OpDef.mutates`` indexes positional
#: arguments, and ``out`` is keyword-only; the front end points ``out`` at the node itself instead.
_OUT_OPS: dict[str, OpDef] = {}


def _out_op(qualname: str, functional: str) -> OpDef:
    if qualname not in _OUT_OPS:
        _OUT_OPS[qualname] = OpDef(qualname, _out_kernel(OPS[functional].kernel))
    return _OUT_OPS[qualname]


def call_with_out(name: str, overloads: tuple[str, ...], args: tuple, kwargs: dict, out: Any) -> Any:
    """Call the out variant of the first overload of ``aten.<name>`` that fits; returns ``out``,
    which later reads the op's node.  Raises TypeError when no overload (or out variant) fits."""
    for overload in overloads:
        found = schema(f"aten.{name}.{overload}")
        if found is None or not fits(found, args, kwargs) or found.qualname not in OPS:
            continue
        qualname = out_overload(found)
        if qualname is None:
            break
        result = call(_out_op(qualname, found.qualname), *args, **kwargs, out=out)
        if getattr(result, "_node", None) is not None:
            out._node = result._node
        return out
    raise TypeError(f"{name}() has no out= variant for these arguments in the built-in front end")
