"""exportdb: an ExportDB documentation generator with a NumPy tracing exporter.

The exporter traces PyTorch-style ``nn.Module`` code without PyTorch::

    >>> from exportdb import export
    >>> from exportdb.exporter.frontend import torch
    >>> class M(torch.nn.Module):
    ...     def forward(self, x):
    ...         return x.cos() + 1
    >>> print(export(M(), (torch.ones(2),)).graph_text())   # doctest: +SKIP
"""

__version__ = "0.1.0"

__all__ = ["__version__", "export"]


def export(*args, **kwargs):
    """Trace ``model.forward`` into an :class:`~exportdb.exporter.ir.program.ExportedProgram`."""
    from exportdb.exporter.trace.export import export as _export  # start-up: `import exportdb` loads no NumPy

    return _export(*args, **kwargs)
