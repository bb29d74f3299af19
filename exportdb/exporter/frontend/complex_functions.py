"""Complex numbers in the front end: ``torch.complex``, ``polar``, ``view_as_complex`` /
``view_as_real``, ``real`` / ``imag`` / ``angle``, conjugation, and the matching
``torch.Tensor`` members (:class:`TensorComplex`, a mixin of the front end's ``Tensor``).

What torch.export 2.13 records follows torch's lazy conjugation: ``x.conj()`` of a
real tensor is ``x`` itself (no node), of a complex one ``aten._conj``.  Ops that give
back their input unchanged (``resolve_conj`` / ``resolve_neg`` of a tensor without
the conjugate or negative bit, ``x.real`` of a real tensor) record their node and
return the tensor itself, so later uses read that node, as in torch::

    torch.resolve_conj(x); x + 1   ->  resolve_conj = aten.resolve_conj.default(x)
                                       add = aten.add.Tensor(resolve_conj, 1)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from exportdb.exporter.frontend import fft_functions
from exportdb.exporter.ir import dtypes
from exportdb.exporter.ir.graph import Node
from exportdb.exporter.ops import aten
from exportdb.exporter.ops.schemas import schema
from exportdb.exporter.trace.dispatch import call

if TYPE_CHECKING:
    from exportdb.exporter.frontend.tensor import Tensor


def _same_tensor(tensor: "Tensor", name: str) -> "Tensor":
    """Record ``aten.<name>`` of ``tensor`` and return ``tensor``, now read through the new node."""
    out = call(aten(name), tensor)
    if out._node is not None:
        tensor._node = out._node
    return tensor


def _conj_bit(tensor: "Tensor") -> bool:
    """torch's conjugate bit: ``conj()`` of a complex tensor flips it, views keep their base's,
    anything else (``resolve_conj`` included) starts without it.  NumPy values are conjugated
    eagerly, so the bit only decides what is recorded next (torch.export itself refuses
    ``is_conj()``, a bool out of a tensor, so the front end does not offer it)."""
    node, bit = (tensor._node if tensor.dtype.is_complex else None), False
    while node is not None and node.op == "call_function":
        if node.target is aten("_conj.default"):
            bit = not bit
        elif node.target is aten("resolve_conj.default") or not _is_view(node.target.qualname):
            break
        node = node.args[0] if node.args and isinstance(node.args[0], Node) else None
    return bit


def _is_view(qualname: str) -> bool:
    """True for an op whose result is a view of its first argument (``Tensor(a) self -> Tensor(a)``)."""
    found = schema(qualname)
    return bool(found and found.args and found.args[0].type == "Tensor(a)" and found.returns
                and found.returns[0] == "Tensor(a)")


class TensorComplex:
    """``conj``, ``resolve_conj``, ``real``, ``imag``, ``angle``, ``cfloat`` and friends; ``stft`` and ``istft``."""

    __slots__ = ()

    def conj(self) -> "Tensor":
        return call(aten("_conj.default"), self) if self.dtype.is_complex else self

    def conj_physical(self) -> "Tensor":
        return call(aten("conj_physical.default"), self)

    def resolve_conj(self) -> "Tensor":
        if _conj_bit(self):
            return call(aten("resolve_conj.default"), self)
        return _same_tensor(self, "resolve_conj.default")

    def resolve_neg(self) -> "Tensor":
        return _same_tensor(self, "resolve_neg.default")

    @property
    def real(self) -> "Tensor":
        if self.dtype.is_complex:
            return call(aten("real.default"), self)
        return _same_tensor(self, "real.default")

    @property
    def imag(self) -> "Tensor":
        return call(aten("imag.default"), self)

    def angle(self) -> "Tensor":
        return call(aten("angle.default"), self)

    def cfloat(self, memory_format: Any = None) -> "Tensor":
        return self._cast(dtypes.complex64, memory_format)

    def cdouble(self, memory_format: Any = None) -> "Tensor":
        return self._cast(dtypes.complex128, memory_format)

    def stft(self, *args: Any, **kwargs: Any) -> "Tensor":
        return fft_functions.stft(self, *args, **kwargs)

    def istft(self, *args: Any, **kwargs: Any) -> "Tensor":
        return fft_functions.istft(self, *args, **kwargs)


def conj(input: "Tensor") -> "Tensor":  # noqa: A002
    return input.conj()


def conj_physical(input: "Tensor") -> "Tensor":  # noqa: A002
    return input.conj_physical()


def resolve_conj(input: "Tensor") -> "Tensor":  # noqa: A002
    return input.resolve_conj()


def resolve_neg(input: "Tensor") -> "Tensor":  # noqa: A002
    return input.resolve_neg()


def real(input: "Tensor") -> "Tensor":  # noqa: A002
    return input.real


def imag(input: "Tensor") -> "Tensor":  # noqa: A002
    return input.imag


def angle(input: "Tensor") -> "Tensor":  # noqa: A002
    return input.angle()


def is_complex(input: "Tensor") -> bool:  # noqa: A002
    return input.is_complex()


def view_as_complex(input: "Tensor") -> "Tensor":  # noqa: A002
    return call(aten("view_as_complex.default"), input)


def view_as_real(input: "Tensor") -> "Tensor":  # noqa: A002
    return call(aten("view_as_real.default"), input)


def complex(real: "Tensor", imag: "Tensor") -> "Tensor":  # noqa: A001
    return call(aten("complex.default"), real, imag)


def polar(abs: "Tensor", angle: "Tensor") -> "Tensor":  # noqa: A002
    return call(aten("polar.default"), abs, angle)


#: Names the ``torch`` module gets.
NAMESPACE: dict[str, Any] = {
    fn.__name__: fn for fn in (conj, conj_physical, resolve_conj, resolve_neg, real, imag, angle, is_complex,
                               view_as_complex, view_as_real, complex, polar)
}
