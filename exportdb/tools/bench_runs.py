"""Whole-run benchmarks for ``exportdb bench``: generation of a synthetic registry, site builds, serve.

Every run is a separate process (a fresh interpreter, as a user's command
would be), timed by wall clock; its peak memory is the largest sum of resident
set sizes of the process and all its descendants (the worker pool included),
sampled from ``/proc`` ten times a second.  Numbers depend on the machine
and on what else runs on it; they are reported, never asserted against a
target here.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import exportdb
from exportdb.site.generate import Settings, generate

CHECKOUT = Path(exportdb.__file__).resolve().parent.parent
SYNTHETIC_SCRIPT = CHECKOUT / "bench" / "make_synthetic_registry.py"


# --------------------------------------------------------------------------- processes


def _children() -> dict[int, list[int]]:
    """``{parent pid: [child pids]}`` of every process visible in /proc."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants, now."""
    tree = _children()
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += _rss_bytes(current)
        todo.extend(tree.get(current, ()))
    return total


@dataclass
class Measured:
    """One timed process: wall seconds, peak tree RSS, exit status and output."""

    seconds: float
    peak_rss: int
    status: int
    stdout: str
    stderr: str

    @property
    def peak_mb(self) -> float:
        return self.peak_rss / 2**20


def measure(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
            interval: float = 0.1) -> Measured:
    """Run ``argv`` to completion, sampling the memory of its process tree.

    Each sample scans ``/proc`` (a few milliseconds of CPU, more on a busy
    machine), so samples are spaced to keep the sampler from competing with
    the run it measures; the workers live for seconds, far longer than that.
    """
    peak = 0
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    return Measured(seconds, peak, proc.returncode, stdout, stderr)


# --------------------------------------------------------------------------- generation


def synthetic_module() -> ModuleType:
    """``bench/make_synthetic_registry.py`` of the checkout exportdb runs from."""
    if not SYNTHETIC_SCRIPT.is_file():
        raise FileNotFoundError(f"{SYNTHETIC_SCRIPT} not found: `exportdb bench` runs from a source checkout")
    spec = importlib.util.spec_from_file_location("make_synthetic_registry", SYNTHETIC_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_CHILD = "from exportdb.tools.bench_runs import generation_child; generation_child()"


def generation_child() -> None:
    """Body of one measured generation run: ``generate`` and a JSON line of what it did."""

    cases, out = sys.argv[1:3]
    jobs = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] != "0" else None
    # a cache of its own beside the pages: the cold run must not find the user's shared cache warm
    outcome = generate(Settings(cases_dir=Path(cases), out_dir=Path(out), jobs=jobs, cache_dir=Path(out) / ".cache"))
    records = outcome.report.records.values()
    written = outcome.written
    assert written is not None
    print(json.dumps({
        "cases": len(outcome.registry.cases),
        "problems": len(outcome.problems),
        "exported": sorted({r.job.case for r in records if not r.cached}),
        "jobs_run": sum(not r.cached for r in records),
        "written": list(written.paths),
        "unchanged": written.unchanged,
        "rendered": written.rendered,
        "removed": written.removed,
    }))


@dataclass
class GenerationRun:
    label: str
    measured: Measured
    facts: dict = field(default_factory=dict)


def expected_rewrites(name: str, tags: tuple[str, ...]) -> set[str]:
    """The pages an edit of case ``name`` may rewrite: its page, its tags' pages, the index and timings."""
    return {f"cases/{name}.rst", "index.rst", "timings.rst", *(f"{tag}.rst" for tag in tags)}


def run_generation(workdir: Path, count: int, jobs: int | None) -> tuple[list[GenerationRun], list[str]]:
    """Cold, warm and one-edit generation of a synthetic registry of ``count`` cases.

    Returns the runs and a list of problems found while checking that the warm
    run exported and wrote nothing and that the edit re-exported one case and
    rewrote only its own pages.
    """
    synth = synthetic_module()
    cases, out = workdir / "cases", workdir / "pages"
    shutil.rmtree(workdir, ignore_errors=True)
    synth.make_registry(cases, count)
    argv = [sys.executable, "-c", _CHILD, str(cases), str(out), str(jobs or 0)]
    runs: list[GenerationRun] = []
    problems: list[str] = []

    def run(label: str) -> dict:
        measured = measure(argv)
        if measured.status != 0:
            raise RuntimeError(f"generation ({label}) failed with status {measured.status}:\n{measured.stderr}")
        facts = json.loads(measured.stdout.strip().splitlines()[-1])
        runs.append(GenerationRun(label, measured, facts))
        return facts

    cold = run("cold")
    if cold["cases"] != count or cold["problems"]:
        problems.append(f"cold run loaded {cold['cases']} cases with {cold['problems']} problems")
    warm = run("warm")
    if warm["exported"] or warm["written"] or warm["rendered"]:
        problems.append(f"warm run exported {len(warm['exported'])}, rendered {warm['rendered']} "
                        f"and wrote {len(warm['written'])} pages (expected none)")
    index = next(i for i in range(count // 2, count) if not synth.has_rewrite(i))
    name = synth.case_name(index)
    synth.edit_case(cases / f"{name}.py")
    edit = run("one edit")
    allowed = expected_rewrites(name, synth.case_tags(index))
    if edit["exported"] != [name] or edit["jobs_run"] != 1:
        problems.append(f"one edit re-exported {edit['exported']} ({edit['jobs_run']} jobs), expected [{name!r}]")
    if f"cases/{name}.rst" not in edit["written"] or not set(edit["written"]) <= allowed:
        problems.append(f"one edit wrote {edit['written']}, expected {name}'s page and at most {sorted(allowed)}")
    return runs, problems


# --------------------------------------------------------------------------- site build


_UPDATING = re.compile(r"updating environment: (?:\[[^\]]*\] )?(\d+) added, (\d+) changed, (\d+) removed")


def reread_count(sphinx_output: str) -> int | None:
    """Documents Sphinx (re-)read, from its ``updating environment: N added, M changed`` line."""
    match = _UPDATING.search(sphinx_output)
    return int(match[1]) + int(match[2]) if match else None


@dataclass
class SiteRun:
    label: str
    measured: Measured
    reread: int | None
    generated_written: str


def private_cache_env(workdir: Path) -> dict[str, str]:
    """The environment of a measured build: the result cache (``$XDG_CACHE_HOME/exportdb``) under
    ``workdir``, so that a cold build is cold whatever the user's shared cache holds."""
    return {**os.environ, "XDG_CACHE_HOME": str(workdir / "xdg-cache")}


def copy_site(workdir: Path) -> tuple[Path, Path]:
    """A scratch copy of the project's Sphinx project and cases under ``workdir``: (docs, cases)."""
    shutil.rmtree(workdir, ignore_errors=True)
    docs, cases = workdir / "docs", workdir / "cases"
    shutil.copytree(CHECKOUT / "docs", docs, ignore=shutil.ignore_patterns("_build", "generated"))
    shutil.copytree(CHECKOUT / "cases", cases)
    return docs, cases


def edit_description(path: Path, words: str) -> None:
    """Put ``words`` at the start of the case file's first docstring (its description)."""
    text = path.read_text(encoding="utf-8")
    first_doc = text.index('"""') + 3
    path.write_text(text[:first_doc] + words + " " + text[first_doc:], encoding="utf-8")


def run_site(workdir: Path, edit_case: str) -> list[SiteRun]:
    """``exportdb build`` of a copy of the project's site: cold, then after editing ``edit_case``."""
    docs, cases = copy_site(workdir)
    html = workdir / "html"
    argv = [sys.executable, "-m", "exportdb", "build", "--docs", str(docs), "--html", str(html),
            "--cases", str(cases)]
    runs = []

    def run(label: str) -> None:
        measured = measure(argv, env=private_cache_env(workdir))
        if measured.status != 0:
            raise RuntimeError(f"site build ({label}) failed with status {measured.status}:\n{measured.stderr}")
        text = measured.stdout + measured.stderr
        pages = re.search(r"exportdb: pages (\d+ written, \d+ unchanged, \d+ removed)", text)
        runs.append(SiteRun(label, measured, reread_count(text), pages[1] if pages else "?"))

    run("cold")
    edit_description(cases / f"{edit_case}.py", "Edited by exportdb bench.")
    run("one edit")
    return runs


# --------------------------------------------------------------------------- serve


@dataclass
class ServeRun:
    """``exportdb serve``: seconds from start to the first page served, and from an edit to its page rebuilt."""

    first_build: float
    reload: float
    log: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str | None:
    """The body at ``url``, or None when nothing answers there (yet), it is not found, or the
    page was cut short (the server replaced the file while sending it: asked again next poll)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError):
        return None


def time_serve(docs: Path, cases: Path, html: Path, edit_case: str, timeout: float = 1800,
               poll: float = 0.05, env: dict[str, str] | None = None) -> ServeRun:
    """Start ``exportdb serve`` on ``docs`` and ``cases``, wait for the first build, then edit
    ``edit_case``'s description and time until its rebuilt page (carrying the edit) is served."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/generated/cases/{edit_case}.html"
    log_path = html.parent / "serve.log"
    html.parent.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "exportdb", "serve", "--docs", str(docs), "--cases", str(cases),
            "--html", str(html), "--port", str(port)]
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)

    def wait_for(ready: Callable[[], bool], what: str) -> float:
        start = time.perf_counter()
        while not ready():
            if proc.poll() is not None:
                raise RuntimeError(f"exportdb serve exited with status {proc.returncode} while {what}:\n"
                                   f"{log_path.read_text(encoding='utf-8')[-3000:]}")
            if time.perf_counter() - start > timeout:
                raise RuntimeError(f"exportdb serve: no page after {timeout:.0f} s while {what}:\n"
                                   f"{log_path.read_text(encoding='utf-8')[-3000:]}")
            time.sleep(poll)
        return time.perf_counter() - start

    try:
        first = wait_for(lambda: fetch(url) is not None, "building the site")
        marker = f"Edited by exportdb bench {time.time_ns()}."
        edit_description(cases / f"{edit_case}.py", marker)
        reload = wait_for(lambda: marker in (fetch(url) or ""), "rebuilding after the edit")
    finally:
        stop_group(proc)
    return ServeRun(first, reload, log_path.read_text(encoding="utf-8"))


def stop_group(proc: subprocess.Popen) -> None:
    """Stop the process started in its own session, and the builds it started."""
    for sig, wait in ((signal.SIGINT, 10), (signal.SIGKILL, 10)):
        if proc.poll() is not None:
            break
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            continue


def run_serve(workdir: Path, edit_case: str) -> ServeRun:
    """``exportdb serve`` of a copy of the project's site: first build, then one edit."""
    docs, cases = copy_site(workdir)
    return time_serve(docs, cases, workdir / "html", edit_case, env=private_cache_env(workdir))
