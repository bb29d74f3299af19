"""The values the exporter's core handles, as small base classes the front end subclasses.

The core (tracing, symbolic shapes, the interpreter) never imports the front
end: it recognises a tensor as a :class:`TensorValue` and a model as a
:class:`ModuleValue`.  The front end's ``torch.Tensor`` declares itself the
user-facing tensor class (``class Tensor(TensorValue, user_facing=True)``), so
the tensors the core makes (an op's result, an interpreter output) have the
methods users call.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np


class TensorValue:
    """A tensor: its NumPy value, its graph node while tracing (``_node``) and,
    when some size is symbolic, its sizes as ints and SymInts (``_sym``)."""

    __slots__ = ("_value", "_node", "_sym", "requires_grad", "__weakref__", "__dict__")

    #: The class the core instantiates: the front end's user-facing subclass once defined.
    _made_class: ClassVar[type] 

    def __init_subclass__(cls, user_facing: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if user_facing:
            TensorValue._made_class = cls

    @classmethod
    def _make(cls, value: np.ndarray, node: Any = None, requires_grad: bool = False) -> "TensorValue":
        """Wrap ``value``; from the base class this makes the user-facing tensor class."""
        t = object.__new__(TensorValue._made_class if cls is TensorValue else cls)
        t._value = value
        t._node = node
        t._sym = None
        t.requires_grad = requires_grad
        return t


TensorValue._made_class = TensorValue


class ModuleValue:
    """A model the tracer can export: the front end's ``torch.nn.Module`` subclasses it.

    The tracer reads ``forward``, ``named_parameters``, ``named_buffers`` and
    ``training`` from it.
    """

    __slots__ = ()
