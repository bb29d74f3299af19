"""Operating-system isolation of the workers: bubblewrap where it runs, the audit-hook guard alone elsewhere.

With bubblewrap (``bwrap``, Debian package ``bubblewrap``) each worker, and so
every case process it forks, runs in its own user, PID, network, IPC and UTS
namespaces with no capabilities and an empty environment (only the variables
the runner passes), sees the file system read-only and only where a case needs
it (the Python installation, ``sys.path``, the case directories, system
libraries), writes only to a private ``tmpfs`` at ``/tmp``, and dies with the
runner.  The memory cap is set by the runner on the process before ``bwrap``
starts (a hard limit, which nothing inside can raise).

Where ``bwrap`` is missing or cannot create namespaces (no user namespaces,
seccomp in a container), workers run without it, under the guard of
:mod:`exportdb.execution.sandbox` and a fresh process per case, and
:func:`fallback_notice` says once per build which promises do not hold then.
``EXPORTDB_SANDBOX=guard`` chooses the fallback on purpose (tests use it to
check what it still promises).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence

SANDBOX_ENV = "EXPORTDB_SANDBOX"  # "guard": never use bubblewrap
INNER_SCRATCH = "/scratch"  # the worker's scratch directory inside the sandbox: the only writable place
_SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin")
_SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives",
                 "/etc/localtime", "/etc/nsswitch.conf", "/etc/passwd", "/etc/group")

#: What the fallback does not promise (printed once per build when it is in use).
FALLBACK_LIMITS = ("case code can read any file the build can read, and publish it in its page",
                   "case code that bypasses Python's audit hooks (ctypes, native extensions) can write files, "
                   "start processes, signal other processes and use the network")


def _bwrap() -> str | None:
    return shutil.which("bwrap")


@functools.lru_cache(maxsize=1)
def unavailable_reason() -> str | None:
    """None when workers run under bubblewrap here, else why not (checked once per process)."""
    if os.environ.get(SANDBOX_ENV) == "guard":
        return f"{SANDBOX_ENV}=guard is set"
    if not sys.platform.startswith("linux"):
        return "bubblewrap needs Linux"
    program = _bwrap()
    if program is None:
        return "bwrap is not installed (Debian package bubblewrap)"
    try:
        probe = subprocess.run(_namespace_options(program) + ["--ro-bind", "/", "/", "--", "/bin/true"],
                               capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap cannot run ({exc})"
    if probe.returncode != 0:
        detail = probe.stderr.decode("utf-8", "replace").strip().splitlines()
        return f"bwrap cannot create its namespaces here ({detail[-1] if detail else probe.returncode})"
    return None


def _namespace_options(program: str) -> list[str]:
    return [program, "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--cap-drop", "ALL", "--die-with-parent", "--new-session", "--clearenv"]


def _real_parents(paths: Iterable[str]) -> set[str]:
    """The real directory of each path (its target's, for a link), resolving each directory once."""
    resolved: dict[str, str] = {}
    parents = set()
    for path in paths:
        if os.path.islink(path):
            parents.add(os.path.dirname(os.path.realpath(path)))
            continue
        directory = os.path.dirname(os.path.abspath(path))
        if directory not in resolved:
            resolved[directory] = os.path.realpath(directory)
        parents.add(resolved[directory])
    return parents


def covering_dirs(paths: Iterable[str]) -> tuple[str, ...]:
    """The fewest directories holding every path: their real parents, none inside another."""
    dirs = sorted(_real_parents(paths))
    kept: list[str] = []
    for directory in dirs:
        if not any(directory == k or directory.startswith(k.rstrip(os.sep) + os.sep) for k in kept):
            kept.append(directory)
    return tuple(kept)


def covers(roots: Sequence[str], paths: Iterable[str]) -> bool:
    """Whether every path lies (once links are resolved) in one of the directories ``roots``."""
    real = [r.rstrip(os.sep) + os.sep for r in roots]
    return all(any((parent + os.sep).startswith(r) for r in real) for parent in _real_parents(paths))


def read_only_paths(roots: Sequence[str]) -> list[str]:
    """What a worker may read: Python, ``sys.path``, exportdb, the case directories ``roots``."""
    import exportdb

    cwd = os.getcwd()
    paths = [sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable)),
             os.path.dirname(os.path.realpath(exportdb.__file__))]
    # sys.path, except the directory the build runs in (which may hold anything)
    paths += [p for p in sys.path if p and os.path.isdir(p) and os.path.realpath(p) != os.path.realpath(cwd)]
    paths += list(roots)
    out: list[str] = []
    for path in sorted({os.path.realpath(p) for p in paths}):
        if path != "/" and not any(path.startswith(k + os.sep) for k in out):
            out.append(path)
    return out


def wrap(argv: Sequence[str], env: dict[str, str], roots: Sequence[str]) -> list[str]:
    """``argv`` run under bubblewrap with ``env`` as its whole environment (call only when available)."""
    program = _bwrap()
    assert program is not None
    command = _namespace_options(program)
    for directory in _SYSTEM_DIRS:
        if os.path.islink(directory):
            command += ["--symlink", os.readlink(directory), directory]
        elif os.path.isdir(directory):
            command += ["--ro-bind", directory, directory]
    for path in _SYSTEM_FILES:
        command += ["--ro-bind-try", path, path]
    command += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", INNER_SCRATCH]
    for path in read_only_paths(roots):
        if not path.startswith("/usr/"):
            command += ["--ro-bind", path, path]
    command += ["--remount-ro", "/tmp", "--remount-ro", "/dev"]
    for name, value in sorted(env.items()):
        command += ["--setenv", name, value]
    command += ["--chdir", INNER_SCRATCH, "--", *argv]
    return command


_NOTICE_GIVEN = False


def fallback_notice() -> str | None:
    """The loud line about the fallback's limits, the first time it is asked for in this process."""
    global _NOTICE_GIVEN
    reason = unavailable_reason()
    if reason is None or _NOTICE_GIVEN:
        return None
    _NOTICE_GIVEN = True
    return (f"exportdb: warning: case code runs without OS isolation ({reason}); only the in-process "
            f"guard and a fresh process per case apply, so these promises do not hold: "
            + "; ".join(FALLBACK_LIMITS))
