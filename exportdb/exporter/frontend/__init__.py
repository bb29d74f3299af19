"""exportdb's PyTorch-compatible front end on NumPy.

``exportdb.exporter.frontend.torch`` is a module object that case files see as
``torch`` when loaded by the built-in engine (it is never registered in
``sys.modules`` as ``torch``).
"""

from __future__ import annotations


def __getattr__(name: str):
    if name in ("torch", "functorch"):
        from exportdb.exporter.frontend.modules import resolve

        return resolve(name)
    raise AttributeError(name)
