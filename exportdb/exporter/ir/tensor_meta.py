"""What a node's ``meta["val"]`` holds for tensors, and how annotations print it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from exportdb.exporter.ir import dtypes
from exportdb.exporter.ir.dtypes import DType


@dataclass(frozen=True)
class TensorMeta:
    """Shape and dtype of a tensor value (sizes are ints or symbolic sizes)."""

    shape: tuple
    dtype: DType

    def annotation(self) -> str:
        """``f32[3, 2]``, the text between the quotes of a node annotation."""
        return f"{self.dtype.code}[{', '.join(str(s) for s in self.shape)}]"


def meta_of(value: Any) -> Any:
    """Describe a kernel result: TensorMeta for arrays, a tuple of those, or the value."""
    if isinstance(value, np.ndarray):
        return TensorMeta(tuple(value.shape), dtypes.from_numpy(value.dtype))
    if isinstance(value, (tuple, list)):
        return tuple(meta_of(v) for v in value)
    return value


def annotation_of(val: Any) -> str | None:
    """The annotation of a node whose ``meta['val']`` is ``val`` (None: print none)."""
    if isinstance(val, TensorMeta):
        return val.annotation()
    sym = getattr(val, "annotation", None)
    if callable(sym):
        return sym()
    return None
