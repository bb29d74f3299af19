"""Symbolic output shapes, one rule per op, in one table (:data:`core.RULES`).

Only used when some input has a symbolic size (static tracing reads shapes off
the NumPy results).  Each family module registers its rules with
:func:`core.rule`; importing this package registers them all.
"""

from __future__ import annotations

from typing import Any

from exportdb.errors import UnsupportedAPIError
from exportdb.exporter.symbolic.shape_rules import factories, indexing, linear_algebra, pointwise, reductions, views  # noqa: F401
from exportdb.exporter.symbolic.shape_rules import nn  # noqa: F401,E402  (torch.nn's spatial ops)
from exportdb.exporter.symbolic.shape_rules import nn_functional  # noqa: F401,E402  (activations, losses, attention, RNNs)
from exportdb.exporter.symbolic.shape_rules import scans_sorting  # noqa: F401,E402
from exportdb.exporter.symbolic.shape_rules import linalg  # noqa: F401,E402  (decompositions and solvers)
from exportdb.exporter.symbolic.shape_rules import spectral  # noqa: F401,E402  (Fourier transforms, complex numbers)
from exportdb.exporter.symbolic.shape_rules.core import RULES, broadcast, require_equal, same_size
from exportdb.exporter.trace.user_frames import user_location

__all__ = ["RULES", "broadcast", "output_shape", "require_equal", "same_size"]


def output_shape(op: Any, args: tuple, kwargs: dict) -> Any:
    """The symbolic output shape of ``op``, or raise when no rule covers it."""
    fn = RULES.get(op.qualname)
    if fn is None:
        raise UnsupportedAPIError(f"{op.qualname} has no symbolic-shape rule, so it cannot take inputs with dynamic "
                                  "sizes in the built-in exporter", location=user_location(),
                                  hint="mark the dimension static, or run the case with the torch engine")
    return fn(*args, **kwargs)
