"""Grid sampling: ``F.grid_sample`` and the ``torch.grid_sampler*`` functions.

``F.grid_sample(x, grid, mode='nearest', padding_mode='border')`` records
``aten.grid_sampler.default(x, grid, 1, 1, False)``: the modes as torch's enum
values, ``align_corners`` False unless given.  ``torch.grid_sampler_2d`` and
``torch.grid_sampler_3d`` record their own ops.
"""

from __future__ import annotations

from typing import Any

from exportdb.exporter.frontend.nn_record import record
from exportdb.exporter.frontend.tensor import Tensor

_MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
_PADDING = {"zeros": 0, "border": 1, "reflection": 2}


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear", padding_mode: str = "zeros",  # noqa: A002
                align_corners: bool | None = None) -> Tensor:
    if mode not in _MODES:
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in _PADDING:
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    return record("grid_sampler.default", input, grid, _MODES[mode], _PADDING[padding_mode], bool(align_corners))


def _sampler(name: str):
    def fn(input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int,  # noqa: A002
           align_corners: bool) -> Tensor:
        return record(f"{name}.default", input, grid, interpolation_mode, padding_mode, align_corners)

    fn.__name__ = fn.__qualname__ = name
    return fn


FUNCTIONAL = {"grid_sample": grid_sample}
LAYERS: dict[str, Any] = {}  # no torch.nn class samples a grid
NAMESPACE = {name: _sampler(name) for name in ("grid_sampler", "grid_sampler_2d", "grid_sampler_3d")}
