"""``torch.nn`` max unpooling: ``F.max_unpool1d/2d/3d`` and ``nn.MaxUnpool1d/2d/3d``.

``max_unpool2d`` records ``aten.max_unpool2d.default(x, indices, [H, W])``, ``max_unpool3d``
also its stride and padding; ``max_unpool1d`` is what torch.export 2.13 records for it:
both inputs unsqueezed at -1, ``max_unpool2d`` to ``[L, 1]``, then ``squeeze.dim(-1)``.
"""

from __future__ import annotations

from typing import Any

from exportdb.exporter.frontend.nn_modules import Module
from exportdb.exporter.frontend.nn_record import ntuple, record
from exportdb.exporter.frontend.tensor import Tensor


def _output_size(nd: int, input: Tensor, kernel_size: tuple, stride: tuple, padding: tuple,  # noqa: A002
                 output_size: Any) -> list:
    """The spatial output size: the given one (its last ``nd`` entries), else what the pool came from."""
    if output_size is not None:
        sizes = list(output_size)
        if len(sizes) not in (nd, nd + 1, nd + 2):
            raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has a "
                             f"length of '{len(sizes)}'")
        return sizes[len(sizes) - nd:]
    spatial = tuple(input.shape)[input.dim() - nd:]
    return [(n - 1) * s - 2 * p + k for n, k, s, p in zip(spatial, kernel_size, stride, padding)]


def _max_unpool(nd: int, input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
                padding: Any = 0, output_size: Any = None) -> Tensor:
    kernel = ntuple(kernel_size, nd)
    steps = kernel if stride is None else ntuple(stride, nd)
    pads = ntuple(padding, nd)
    size = _output_size(nd, input, kernel, steps, pads, output_size)
    if nd == 1:
        out = record("max_unpool2d.default", input.unsqueeze(-1), indices.unsqueeze(-1), [size[0], 1])
        return out.squeeze(-1)
    if nd == 2:
        return record("max_unpool2d.default", input, indices, size)
    return record("max_unpool3d.default", input, indices, size, list(steps), list(pads))


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)


class _MaxUnpool(Module):
    nd = 2

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        self.kernel_size = ntuple(kernel_size, self.nd)
        self.stride = ntuple(stride if stride is not None else kernel_size, self.nd)
        self.padding = ntuple(padding, self.nd)

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        return _max_unpool(self.nd, input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


FUNCTIONAL = {f.__name__: f for f in (max_unpool1d, max_unpool2d, max_unpool3d)}
LAYERS = {f"MaxUnpool{nd}d": type(f"MaxUnpool{nd}d", (_MaxUnpool,), {"nd": nd}) for nd in (1, 2, 3)}
