"""``torch.layout`` and ``torch.memory_format`` values.

The NumPy exporter keeps every tensor dense and contiguous, so these only
matter as arguments recorded in the graph (``to.dtype(x, torch.float64, False,
False, torch.channels_last)``, ``layout = torch.strided``); ``name`` is what the
op schemas compare defaults against.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    name: str

    def __repr__(self) -> str:
        return f"torch.{self.name}"


@dataclass(frozen=True)
class MemoryFormat:
    name: str

    def __repr__(self) -> str:
        return f"torch.{self.name}"


strided = Layout("strided")
contiguous_format = MemoryFormat("contiguous_format")
preserve_format = MemoryFormat("preserve_format")
channels_last = MemoryFormat("channels_last")
channels_last_3d = MemoryFormat("channels_last_3d")
#: The memory formats by their ``torch`` attribute names.
MEMORY_FORMATS = {f.name: f for f in (contiguous_format, preserve_format, channels_last, channels_last_3d)}
