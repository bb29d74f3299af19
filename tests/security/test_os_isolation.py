"""Attack classes that only the operating system can stop: secrets, the network, other processes,
and writes that bypass Python's audit hooks (``ctypes``).

Under bubblewrap every promise is asserted.  With the fallback
(``EXPORTDB_SANDBOX=guard``, or no usable bwrap) the build says once which
promises do not hold, and the test checks that they indeed do not (a file
outside the case directories can be read), while the ones it keeps still hold.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from exportdb.execution import isolation
from attack_support import assert_innocents_exported, hostile_case, innocent_case, run_all

BWRAP = isolation.unavailable_reason() is None
needs_bwrap = pytest.mark.skipif(not BWRAP and not os.environ.get("CI"),
                                 reason=f"bubblewrap unavailable: {isolation.unavailable_reason()}")


def _leak(expression: str) -> str:
    """A case that raises with ``expression``'s value, so it would appear in the case's page."""
    return f'''
try:
    value = {expression}
except Exception as exc:
    value = "refused " + type(exc).__name__
raise RuntimeError("LEAK[" + str(value) + "]")
'''


@needs_bwrap
def test_secrets_in_files_and_environment_do_not_reach_a_page(tmp_path: Path, monkeypatch):
    secret_file = tmp_path / "outside" / "token.txt"
    secret_file.parent.mkdir()
    secret_file.write_text("FILE-SECRET-1234")
    monkeypatch.setenv("EXPORTDB_TEST_SECRET", "ENV-SECRET-5678")
    cases = tmp_path / "cases"
    hostile_case(cases, "reads_file", _leak(f"open({str(secret_file)!r}).read()"))
    hostile_case(cases, "reads_env", _leak("dict(__import__('os').environ)"))
    hostile_case(cases, "reads_proc_environ", _leak("open('/proc/1/environ', 'rb').read()"))
    hostile_case(cases, "reads_home", _leak("__import__('os').listdir('/root')"))
    _, report = run_all(cases)
    texts = " ".join(r.result.text for r in report.records.values())
    assert "LEAK[" in texts  # the cases ran
    assert "FILE-SECRET" not in texts and "ENV-SECRET" not in texts


@needs_bwrap
def test_the_network_is_unreachable_even_through_ctypes(tmp_path: Path):
    connect = '''
import ctypes, socket
libc = ctypes.CDLL(None)
fd = libc.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
address = bytes([2, 0, 0, 80, 1, 1, 1, 1]) + bytes(8)   # 1.1.1.1:80
result = libc.connect(fd, address, 16)
raise RuntimeError("CONNECT[" + str(result) + "]")
'''
    cases = tmp_path / "cases"
    hostile_case(cases, "connects", connect)
    _, report = run_all(cases)
    text = report.get("connects", "builtin").result.text
    assert "CONNECT[-1]" in text or "SandboxError" in text, text


@needs_bwrap
def test_writes_and_signals_through_ctypes_change_nothing_outside(tmp_path: Path):
    target = tmp_path / "victim.txt"
    target.write_text("intact")
    attack = f'''
import ctypes, os
libc = ctypes.CDLL(None)
fd = libc.open({str(target).encode()!r}, os.O_WRONLY | os.O_TRUNC)
libc.write(fd, b"pwned", 5)
libc.kill(libc.getppid(), 9)
libc.kill(-1, 9)
'''
    cases = tmp_path / "cases"
    hostile_case(cases, "a_ctypes", attack)
    names = [innocent_case(cases, f"b_innocent_{i}").stem for i in range(3)]
    _, report = run_all(cases)
    assert target.read_text() == "intact"
    assert_innocents_exported(report, names)


def test_the_fallback_says_once_which_promises_do_not_hold(tmp_path: Path):
    cases = tmp_path / "cases"
    innocent_case(cases, "a_one")
    innocent_case(cases, "b_two")
    secret = tmp_path / "outside.txt"
    secret.write_text("READABLE-IN-FALLBACK")
    hostile_case(cases, "c_reader", _leak(f"open({str(secret)!r}).read()"))
    env = {**os.environ, isolation.SANDBOX_ENV: "guard", "EXPORTDB_TEST_SECRET": "ENV-SECRET-5678"}
    run = subprocess.run([sys.executable, "-m", "exportdb", "generate", "--cases", str(cases), "--out",
                          str(tmp_path / "out"), "-j", "2"], capture_output=True, text=True, env=env, timeout=300)
    notices = [line for line in run.stderr.splitlines() if "without OS isolation" in line]
    assert len(notices) == 1, run.stderr
    assert all(limit in notices[0] for limit in isolation.FALLBACK_LIMITS)
    page = (tmp_path / "out" / "cases" / "c_reader.rst").read_text()
    assert "READABLE-IN-FALLBACK" in page  # as documented: the fallback does not hide files
    assert "ENV-SECRET" not in page  # but the environment is still not passed on


@needs_bwrap
def test_a_process_started_through_ctypes_does_not_outlive_its_case(tmp_path: Path):
    spawn = '''
import ctypes, os, time
libc = ctypes.CDLL(None)
if libc.fork() == 0:  # the grandchild: plants a file in every later case's scratch directory
    os.closerange(0, 1024)  # lets go of the result pipe, so the case's process looks done
    while True:
        for name in os.listdir("/scratch"):
            libc.close(libc.creat(f"/scratch/{name}/planted".encode(), 0o644))  # past the audit hook
        time.sleep(0.01)
'''
    check = '''
import os, time
time.sleep(0.3)
if os.path.exists("planted"):
    raise RuntimeError("a file planted by an earlier case")
'''
    cases = tmp_path / "cases"
    hostile_case(cases, "a_spawner", spawn)
    names = [hostile_case(cases, f"b_checker_{i}", check).stem for i in range(3)]
    _, report = run_all(cases, jobs=1)
    for name in names:
        assert report.get(name, "builtin").status == "exported", report.get(name, "builtin")
