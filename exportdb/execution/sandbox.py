"""The guard a worker process puts around case code.

A case file is ordinary Python, and the worker that loads or exports it runs
whatever the file says.  :class:`Sandbox` keeps the usual accidents (and the
obvious hostile moves) from leaving a trace outside the worker:

* writing, creating, renaming or deleting a file anywhere except the worker's
  scratch directory (which is also its ``TMPDIR`` and is deleted with it);
* starting processes, sending signals, opening network connections, reading
  standard input (which carries the worker's jobs);
* printing more than :data:`OUTPUT_LIMIT` characters (what a case prints is
  discarded either way).

It is built on :func:`sys.addaudithook`: a refused operation raises
:class:`PermissionError` inside the case, and the first refusal of a job is
kept as :attr:`Watch.violation`, one line naming the case file and the line
that tried, which the worker reports instead of the job's result even when the
case swallowed the exception.  This is a guard against mistakes, not a
security boundary: code that really wants out (``ctypes``, file descriptors
inherited from elsewhere) can get out of any audit hook.

    >>> sandbox = Sandbox("/tmp/scratch")                          # doctest: +SKIP
    >>> sys.addaudithook(sandbox.audit)                            # doctest: +SKIP
    >>> with sandbox.watch("cases/x.py") as watch:                 # doctest: +SKIP
    ...     run_the_case()
    >>> watch.violation                                            # doctest: +SKIP
    'cases/x.py:7: the case tried to write /home/me/notes.txt ...'
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

OUTPUT_LIMIT = 1 << 20  # characters a case may print before it is reported
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_WRITE_MODES = set("wax+")
_PATH_VERBS = ("write", "delete", "change", "rename", "link", "create")


@dataclass
class Watch:
    """What happened while one job ran: the first refused operation, and output size."""

    case_file: str
    violation: str | None = None
    printed: int = 0
    refused: list[str] = field(default_factory=list)


class _Sink(io.TextIOBase):
    """A text stream that counts what is written to it and throws it away."""

    def __init__(self, sandbox: "Sandbox"):
        self.sandbox = sandbox

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        watch = self.sandbox.current
        if watch is not None:
            watch.printed += len(text)
            if watch.printed > OUTPUT_LIMIT and watch.violation is None:
                self.sandbox.record(f"the case printed more than {OUTPUT_LIMIT // 1024} KiB "
                                    "(a case must not print; its output is discarded)")
        return len(text)


def _target(path: Any) -> str | None:
    """The absolute, symlink-resolved form of a path argument (None for a file descriptor)."""
    if isinstance(path, int):
        return None
    try:
        name = os.fsdecode(path)
    except TypeError:
        return None
    return os.path.realpath(os.path.join(os.getcwd(), name))


class Sandbox:
    """Refuses writes outside ``scratch`` (and processes, sockets, stdin) while a job runs."""

    def __init__(self, scratch: str):
        self.scratch = os.path.realpath(scratch)
        self.current: Watch | None = None
        self.armed = False
        self._checking = False
        self._table: dict[str, Callable[[tuple], str | None]] = {}
        self.sink = _Sink(self)

    # ----------------------------------------------------------------- verdicts

    def _allowed(self, path: Any) -> bool:
        target = _target(path)
        if target is None:
            return False
        return target == os.devnull or target == self.scratch or target.startswith(self.scratch + os.sep)

    def _shown(self, path: Any) -> str:
        target = _target(path)
        return repr(path) if target is None else target

    def _check_open(self, args: tuple) -> str | None:
        path, mode, flags = args[0], args[1], args[2] if len(args) > 2 else 0
        writes = bool((flags or 0) & _WRITE_FLAGS) or (isinstance(mode, str) and bool(_WRITE_MODES & set(mode)))
        if writes and not self._allowed(path):
            return f"write {self._shown(path)}"
        if not isinstance(path, int) and not self._allowed(path) and os.path.isdir(self._shown(path)):
            # a descriptor of a directory is what the dir_fd= variants of open, rename, remove
            # and mkdir take: holding one outside scratch would let a relative path escape
            return f"open the directory {self._shown(path)}"
        return None

    def _paths(self, verb: str, count: int) -> Callable[[tuple], str | None]:
        def check(args: tuple) -> str | None:
            for path in args[:count]:
                if not self._allowed(path):
                    return f"{verb} {self._shown(path)}"
            return None
        return check

    def _always(self, what: str) -> Callable[[tuple], str | None]:
        return lambda args: what

    def _rules(self) -> dict[str, Callable[[tuple], str | None]]:
        rules: dict[str, Callable[[tuple], str | None]] = {"open": self._check_open}
        for event in ("os.remove", "os.rmdir", "shutil.rmtree"):
            rules[event] = self._paths("delete", 1)
        for event in ("os.mkdir", "os.chmod", "os.chown", "os.utime", "os.truncate", "os.chflags",
                      "os.lchflags", "os.setxattr", "os.removexattr", "os.mkfifo", "os.mknod"):
            rules[event] = self._paths("change", 1)
        rules["os.rename"] = self._paths("rename", 2)
        rules["os.link"] = self._paths("link", 2)
        rules["os.symlink"] = lambda args: self._paths("create a link at", 1)(args[1:])
        for event in ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                      "os.fork", "os.forkpty", "pty.spawn", "os.startfile"):
            rules[event] = self._always("start a process")
        for event in ("os.kill", "os.killpg", "signal.pthread_kill", "signal.pidfd_send_signal", "os.pidfd_open"):
            rules[event] = self._always("send a signal")
        for event in ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"):
            rules[event] = self._always("use the network")
        rules["builtins.input"] = self._always("read standard input")
        for event in ("resource.setrlimit", "resource.prlimit"):
            rules[event] = self._always("change its resource limits")
        return rules

    # ----------------------------------------------------------------- hook

    def audit(self, event: str, args: tuple) -> None:
        """The audit hook: raise PermissionError for a refused operation once armed."""
        if not self.armed or self._checking:
            return
        rule = self._table.get(event)
        if rule is None:
            return
        self._checking = True
        try:
            action = rule(args)
        finally:
            self._checking = False
        if action is None:
            return
        why = "a case may write only under its worker's scratch directory" if action.startswith(_PATH_VERBS) \
            else "a case may not do this"
        message = f"the case tried to {action} ({why})"
        self.record(message)
        raise PermissionError(f"exportdb sandbox: {message}")

    def arm(self) -> None:
        """Start refusing (call once, after the worker's own start-up writes are done)."""
        self._table = self._rules()
        self.armed = True

    def record(self, message: str) -> None:
        """Keep ``message`` (with the case's file and line) as the job's violation, if it is the first."""
        watch = self.current
        if watch is None:
            return
        watch.refused.append(message)
        if watch.violation is None:
            watch.violation = f"{self._where(watch.case_file)}: {message}"

    @staticmethod
    def _where(case_file: str) -> str:
        """``file:line`` of the innermost frame running the case file (just the file if none)."""
        wanted = os.path.realpath(case_file)
        frame = sys._getframe(1)
        while frame is not None:
            name = frame.f_code.co_filename
            if name == case_file or name == wanted:
                return f"{case_file}:{frame.f_lineno}"
            frame = frame.f_back
        return case_file

    @contextmanager
    def watch(self, case_file: str) -> Iterator[Watch]:
        """Run one job: prints go to the counting sink; cwd, sys.path and the recursion limit are restored."""
        watch = Watch(case_file)
        saved = (sys.stdout, sys.stderr, os.getcwd(), list(sys.path), sys.getrecursionlimit())
        self.current = watch
        sys.stdout = sys.stderr = self.sink
        try:
            yield watch
        finally:
            sys.stdout, sys.stderr = saved[0], saved[1]
            self.current = None
            try:
                os.chdir(saved[2])
            except OSError:
                pass
            sys.path[:] = saved[3]
            sys.setrecursionlimit(saved[4])
