"""Export leaves the user's model as it found it, as torch.export 2.13 does.

The tracer runs ``forward`` for real, so Python side effects happen: ``self.calls += 1``,
``self.cache.append(x)``, a new attribute, ``self.training = False``.  torch.export
traces without keeping them.  :func:`snapshot` records every module's attributes and the
contents of the plain lists, dicts and sets they hold; :meth:`Snapshot.restore` puts
them back (the same objects, refilled), after the trace.  Tensor values are restored
by the exporter itself.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

_CONTAINERS = (list, dict, set, OrderedDict)


class Snapshot:
    """Attributes of each module and contents of each plain container reachable from them."""

    def __init__(self) -> None:
        self.attributes: list[tuple[Any, dict]] = []
        self.contents: list[tuple[Any, Any]] = []
        self._seen: set[int] = set()

    def _container(self, value: Any) -> None:
        if type(value) not in _CONTAINERS or id(value) in self._seen:
            return
        self._seen.add(id(value))
        if isinstance(value, dict):
            self.contents.append((value, dict(value)))
            items = list(value.values())
        else:
            self.contents.append((value, list(value) if isinstance(value, list) else set(value)))
            items = list(value)
        for item in items:
            self._container(item)

    def add_module(self, module: Any) -> None:
        state = dict(vars(module))
        self.attributes.append((module, state))
        for value in state.values():
            self._container(value)

    def restore(self) -> None:
        for container, saved in reversed(self.contents):
            if isinstance(container, list):
                container[:] = saved
            else:
                container.clear()
                container.update(saved)
        for module, state in self.attributes:
            current = vars(module)
            for name in [n for n in current if n not in state]:
                del current[name]
            current.update(state)


def snapshot(model: Any) -> Snapshot:
    """Record ``model`` and every submodule (through ``named_modules``)."""
    snap = Snapshot()
    for _, module in model.named_modules():
        snap.add_module(module)
    return snap
