"""``torch.no_grad``, ``torch.enable_grad``, ``torch.set_grad_enabled``, ``torch.inference_mode``
and ``torch.is_grad_enabled``: context managers that also work as decorators.

The grad mode is a flag here (the front end computes no gradients); each change
made while exporting is noted, so the ops run with grad disabled end up in a
``wrap_with_set_grad_enabled`` sub-graph, as torch.export 2.13 records them.
``inference_mode`` changes nothing torch.export records.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from exportdb.exporter.trace.context import note_grad_mode

_ENABLED = [True]


def is_grad_enabled() -> bool:
    return _ENABLED[0]


def _set(enabled: bool) -> None:
    if enabled != _ENABLED[0]:
        _ENABLED[0] = enabled
        note_grad_mode(enabled)


class _GradMode:
    """Enter: switch the grad mode to ``self.mode``; exit: restore it.  Calling an instance
    on a function wraps the function in a fresh instance of the same mode."""

    mode = True

    def __enter__(self) -> None:
        self.prev = _ENABLED[0]
        _set(self.mode)

    def __exit__(self, *exc: Any) -> None:
        _set(self.prev)

    def _fresh(self) -> "_GradMode":
        return type(self)()

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self._fresh():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):  # noqa: N801  (torch's name)
    mode = False


class enable_grad(_GradMode):  # noqa: N801
    mode = True


class set_grad_enabled(_GradMode):  # noqa: N801
    """Takes effect when called, like torch's: ``torch.set_grad_enabled(False)`` alone
    switches the mode; used with ``with`` it is restored on exit."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.prev = _ENABLED[0]
        _set(self.mode)

    def __enter__(self) -> None:
        return None

    def _fresh(self) -> "_GradMode":
        return set_grad_enabled(self.mode)

    def __call__(self, fn: Callable) -> Callable:
        _set(self.prev)  # as a decorator it applies only while the function runs
        return super().__call__(fn)


class inference_mode(_GradMode):  # noqa: N801
    def __init__(self, mode: bool = True) -> None:
        self.enabled = mode

    def __enter__(self) -> None:
        self.prev = _ENABLED[0]

    def __exit__(self, *exc: Any) -> None:
        return None

    def _fresh(self) -> "_GradMode":
        return inference_mode(self.enabled)


NAMESPACE = {"no_grad": no_grad, "enable_grad": enable_grad, "set_grad_enabled": set_grad_enabled,
             "inference_mode": inference_mode, "is_grad_enabled": is_grad_enabled}
