"""Attack and fault classes: escape codes from a case reaching the terminal or a page; a read-only output.

A case's error text, source and description may hold ESC, BEL, OSC and other
C0/C1 control characters: every terminal line the CLI prints from them, and
every page, shows them escaped (``\\x1b``).  A read-only output directory ends
the run with one error line and a hint, not a traceback.  (Generated files
following the umask and stale temporary files of killed runs are in
``test_cache_healing.py``.)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from exportdb.tools.cli import main
from attack_support import hostile_case, innocent_case

# ESC-based colour and OSC title sequences, BEL, a C1 CSI, DEL and a NUL
NASTY = "\x1b]0;pwned\x07\x1b[31mred\x9b2J\x7f\x00"
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # anything but tab and newline


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _cases(directory: Path) -> Path:
    hostile_case(directory, "a_error_text", f"raise RuntimeError({NASTY!r})")
    # the same characters, raw, in the source file (a page shows the source) and in its Result
    hostile_case(directory, "b_source_text", f"y = '{NASTY.replace(chr(0), '')}'\nraise ValueError(y)")
    innocent_case(directory, "c_innocent")
    path = innocent_case(directory, "d_description")
    path.write_text(path.read_text().replace('"""Doubles its input."""', f'"""Doubles {NASTY[:9]} its input."""'))
    return directory


def test_control_characters_reach_no_terminal_line_and_no_page_raw(tmp_path: Path, capsys):
    cases, out = _cases(tmp_path / "cases"), tmp_path / "out"
    status, stdout, stderr = _run(capsys, "generate", "--cases", str(cases), "--out", str(out),
                                  "--cache-dir", str(tmp_path / "cache"))
    assert status == 0  # not --strict: the broken description is reported, the other pages written
    assert not RAW_CONTROL.search(stdout + stderr), repr(stdout + stderr)
    assert "\\x1b]0;pwned\\x07" in stderr  # shown, escaped, on the lines about the two failing cases
    assert f"{cases / 'd_description.py'}:5: the description holds the control character U+001B" in stderr
    pages = {p.name: p.read_text(encoding="utf-8") for p in out.rglob("*.rst")}
    assert "a_error_text.rst" in pages and "b_source_text.rst" in pages and "d_description.rst" not in pages
    for name, text in pages.items():
        assert not RAW_CONTROL.search(text), name
    assert "\\x1b]0;pwned\\x07" in pages["a_error_text.rst"] and "\\x1b[31mred" in pages["b_source_text.rst"]
    for case in ("a_error_text", "b_source_text"):
        status, stdout, stderr = _run(capsys, "show", str(cases / f"{case}.py"), "--traceback")
        assert status == 1 and not RAW_CONTROL.search(stdout + stderr), repr(stdout + stderr)
        assert "\\x1b]0;pwned\\x07" in stdout or "\\x1b[31mred" in stdout


def _read_only(directory: Path) -> None:
    """Make ``directory`` refuse new files, also for root (whom permission bits do not stop)."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
    elif shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(directory)]).returncode:
        pytest.skip("running as root without chattr +i: no way to make a directory read-only here")


def _writable(directory: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(directory)], check=False)
    directory.chmod(0o755)


@pytest.mark.parametrize("where", ["out", "out/cases"])
def test_a_read_only_output_directory_gives_one_error_line_not_a_traceback(tmp_path: Path, capsys, where: str):
    cases, out = tmp_path / "cases", tmp_path / "out"
    innocent_case(cases, "a_case")
    argv = ("generate", "--cases", str(cases), "--out", str(out), "--cache-dir", str(tmp_path / "cache"))
    assert _run(capsys, *argv)[0] == 0
    innocent_case(cases, "b_new_case")  # a new page to write, and the manifest to update
    locked = tmp_path / where
    _read_only(locked)
    try:
        status, stdout, stderr = _run(capsys, *argv)
    finally:
        _writable(locked)
    lines = stderr.strip().splitlines()
    assert status == 2 and "Traceback" not in stderr, stderr
    assert lines[-2].startswith(f"exportdb generate: {locked}") and lines[-1].startswith("hint: "), stderr
    assert _run(capsys, *argv)[0] == 0  # writable again: the next run succeeds
    assert (out / "cases" / "b_new_case.rst").is_file()
