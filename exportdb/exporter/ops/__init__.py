"""The op table: every operator the exporter records, with its NumPy kernel.

One :class:`OpDef` per ATen overload (``aten.add.Tensor``); eager execution,
tracing and the interpreter all run the same kernel through
:func:`exportdb.exporter.trace.dispatch.call`.  Kernels take NumPy arrays and Python values
laid out exactly like the node's arguments and return arrays (or a tuple of
arrays for multi-output ops).  Importing this package registers every op.
"""

from exportdb.exporter.ops.table import OPS, OpDef, aten, op, register
from exportdb.exporter.ops import control_ops, creation, nn_kernels, pointwise, reduction, shape_ops  # noqa: F401  (registration)
from exportdb.exporter.ops import pointwise_special  # noqa: F401,E402  (registration)
from exportdb.exporter.ops import indexing_ops, matmul, views  # noqa: F401,E402  (registration)
# torch.nn's families come last: they `provide` shared ops only when no family above registered them.
from exportdb.exporter.ops import activation, attention, loss, recurrent  # noqa: F401,E402  (registration)
from exportdb.exporter.ops import scans, sorting, statistics  # noqa: F401,E402  (registration)
from exportdb.exporter.ops import conv, normalization, pooling, resampling  # noqa: F401,E402  (registration)
from exportdb.exporter.ops import complex_ops, spectral  # noqa: F401,E402  (registration)
from exportdb.exporter.ops import grid_sampling, random_ops, selection  # noqa: F401,E402  (registration)
from exportdb.exporter.ops import linalg, linalg_decomp  # noqa: F401,E402  (registration)

__all__ = ["OPS", "OpDef", "aten", "op", "register"]
