"""Attack class: a damaged cache (by a fault, a killed run or a hand edit) never breaks a later build.

Every corruption below is followed by two ``exportdb generate`` runs: the first
succeeds with the same pages and one warning line, the second is silent again.
Nothing is deleted by hand.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from jinja2.bccache import bc_magic

from attack_support import innocent_case


def _generate(tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "exportdb", "generate", "--cases", str(tmp_path / "cases"),
                           "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache"), "-j", "1"],
                          capture_output=True, text=True, timeout=300)


def _pages(tmp_path: Path) -> dict[str, str]:
    out = tmp_path / "out"
    return {p.relative_to(out).as_posix(): re.sub(r"Export time: [0-9.]+ s", "", p.read_text())
            for p in sorted(out.rglob("*.rst")) if p.name != "timings.rst"}


def _wrong_types_in_results(cache: Path) -> None:
    data = json.loads((cache / "results.json").read_text())
    for entry in data["results"].values():
        entry["text"] = 12
        entry["ok"] = "yes"
    (cache / "results.json").write_text(json.dumps(data))


def _wrong_types_in_case_cache(cache: Path) -> None:
    path = next(cache.glob("cases-*.json"))
    data = json.loads(path.read_text())
    for entry in data["cases"].values():
        entry["tags"] = {"a": 1}
        entry["support_level"] = ["SUPPORTED"]
    path.write_text(json.dumps(data))


def _directory_for_results(cache: Path) -> None:
    (cache / "results.json").unlink()
    (cache / "results.json" / "sub").mkdir(parents=True)


def _directory_for_case_cache(cache: Path) -> None:
    path = next(cache.glob("cases-*.json"))
    path.unlink()
    (path / "sub").mkdir(parents=True)


def _truncated_template_pickle(cache: Path) -> None:
    entries = list((cache / "templates").glob("__jinja2_*"))
    assert entries
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:len(bc_magic) + 3])  # the magic header, then a cut pickle


def _garbage_json(cache: Path) -> None:
    (cache / "results.json").write_bytes(b'{"fingerprint": "\xff\x00' + b"[" * 50000)
    next(cache.glob("cases-*.json")).write_text('["not", "a", "cache"]')


CORRUPTIONS = [_wrong_types_in_results, _wrong_types_in_case_cache, _directory_for_results,
               _directory_for_case_cache, _truncated_template_pickle, _garbage_json]


@pytest.mark.parametrize("corrupt", CORRUPTIONS, ids=lambda f: f.__name__.strip("_"))
def test_every_build_after_a_corrupted_cache_succeeds_with_one_warning(tmp_path: Path, corrupt):
    innocent_case(tmp_path / "cases", "doubler")
    first = _generate(tmp_path)
    assert first.returncode == 0, first.stderr
    pages = _pages(tmp_path)
    for page in (tmp_path / "out").rglob("*.rst"):
        page.unlink()  # so the templates are rendered again, through the template cache
    corrupt(tmp_path / "cache")
    healed = _generate(tmp_path)
    assert healed.returncode == 0, healed.stderr
    assert "Traceback" not in healed.stderr
    warnings = [line for line in healed.stderr.splitlines() if line.startswith("exportdb: warning:")]
    assert 1 <= len(warnings) <= 2, healed.stderr  # one line per damaged cache file
    assert _pages(tmp_path) == pages
    again = _generate(tmp_path)
    assert again.returncode == 0 and "warning" not in again.stderr, again.stderr


def test_stale_temporary_files_of_a_killed_run_are_removed(tmp_path: Path):
    innocent_case(tmp_path / "cases", "doubler")
    assert _generate(tmp_path).returncode == 0
    old = time.time() - 3600
    left = [tmp_path / "cache" / ".tmp-abc.part", tmp_path / "out" / ".tmp-def.part",
            tmp_path / "out" / "cases" / ".tmp-ghi.part"]
    fresh = tmp_path / "out" / ".tmp-now.part"  # maybe another build's write in progress: kept
    for path in [*left, fresh]:
        path.write_text("half a page")
    for path in left:
        os.utime(path, (old, old))
    innocent_case(tmp_path / "cases", "another")
    (tmp_path / "cases" / "doubler.py").write_text((tmp_path / "cases" / "doubler.py").read_text() + "\n# edited\n")
    assert _generate(tmp_path).returncode == 0
    assert not any(path.exists() for path in left) and fresh.exists()


def test_generated_files_follow_the_umask(tmp_path: Path):
    innocent_case(tmp_path / "cases", "doubler")
    assert _generate(tmp_path).returncode == 0
    page = tmp_path / "out" / "cases" / "doubler.rst"
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(page.stat().st_mode) == 0o666 & ~mask
