"""Where in the user's code we are: the frames outside exportdb, for errors and node stacks."""

from __future__ import annotations

import os
import sys
from typing import Any

from exportdb.errors import SourceLocation

#: exportdb's own directory: frames in it are never the user's.
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))) + os.sep
#: Code objects at which the walk for user frames stops (the tracer's entry).
STOP_CODES: set = set()


def _is_user_file(filename: str) -> bool:
    return not filename.startswith(_PACKAGE_DIR) and not filename.startswith("<frozen")


def user_stack(skip: int = 1) -> tuple[tuple[str, int, str], ...]:
    """User frames (file, line, function), outermost first, up to the tracer's entry."""
    frame = sys._getframe(skip)
    frames = []
    while frame is not None:
        code = frame.f_code
        if code in STOP_CODES:
            break
        if _is_user_file(code.co_filename):
            frames.append((code.co_filename, frame.f_lineno, code.co_name))
        frame = frame.f_back
    frames.reverse()
    return tuple(frames)


def user_plain_locals(skip: int = 1) -> list[tuple[str, Any]]:
    """(name, value) of the user frames' plain local variables (not those a nested function
    closes over), outermost frame first, each frame's in the order the code names them."""
    frame = sys._getframe(skip)
    frames = []
    while frame is not None and frame.f_code not in STOP_CODES:
        if _is_user_file(frame.f_code.co_filename):
            frames.append(frame)
        frame = frame.f_back
    found = []
    for frame in reversed(frames):
        code, values = frame.f_code, frame.f_locals
        cells = set(code.co_cellvars)
        found.extend((name, values[name]) for name in code.co_varnames if name not in cells and name in values)
    return found


def user_location() -> SourceLocation | None:
    """The innermost user frame, for error messages."""
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if _is_user_file(code.co_filename):
            return SourceLocation(code.co_filename, frame.f_lineno, code.co_name)
        if code in STOP_CODES:
            break
        frame = frame.f_back
    return None
