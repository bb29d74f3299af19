"""What a node's ``meta["val"]`` holds for tensors, and how annotations print it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from exportdb.exporter.ir import dtypes
from exportdb.exporter.ir.dtypes import DType


@dataclass(frozen=True)
class TensorMeta:
    """Shape and dtype of a tensor value (sizes are ints or symbolic sizes)."""

    shape: tuple
    dtype: DType

    def annotation(self, dim_text: Callable[[Any], str] | None = None) -> str:
        """``f32[3, 2]``, the text between the quotes of a node annotation; ``dim_text``
        writes a symbolic size (default: ``str``)."""
        sizes = (dim_text(s) if dim_text is not None and hasattr(s, "expr") else str(s) for s in self.shape)
        return f"{self.dtype.code}[{', '.join(sizes)}]"


def meta_of(value: Any) -> Any:
    """Describe a kernel result: TensorMeta for arrays, a tuple of those, or the value."""
    if isinstance(value, np.ndarray):
        return TensorMeta(tuple(value.shape), dtypes.from_numpy(value.dtype))
    if isinstance(value, (tuple, list)):
        return tuple(meta_of(v) for v in value)
    return value


def annotation_of(val: Any, sym_text: Callable[[Any], str] | None = None) -> str | None:
    """The annotation of a node whose ``meta['val']`` is ``val`` (None: print none);
    ``sym_text`` writes symbolic sizes (``s27``), by default as the value itself does."""
    if isinstance(val, TensorMeta):
        return val.annotation(sym_text)
    if sym_text is not None and hasattr(val, "expr"):
        return f"Sym({sym_text(val)})"
    sym = getattr(val, "annotation", None)
    if callable(sym):
        return sym()
    return None
