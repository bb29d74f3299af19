"""Where in the user's code we are: the frames outside exportdb, for errors and node stacks."""

from __future__ import annotations

import os
import sys

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
