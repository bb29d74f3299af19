"""Attack class: math in a description pulling MathJax from a CDN, and ``\\href{javascript:...}`` through it.

The site shows math as MathML written at build time (``exportdb.site.mathml``):
no page loads MathJax or any script from another host, and a formula with a
command the converter does not know (``\\href`` among them) is refused by the
description check with the case's file and line.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from sphinx.cmd.build import build_main

from attack_support import innocent_case

REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc=[\"']?(?:https?:)?//", re.I)


def _with_description(path: Path, description: str) -> Path:
    path.write_text(path.read_text().replace('"""Doubles its input."""', f"r'''{description}'''"), encoding="utf-8")
    return path


def test_math_is_mathml_with_no_script_and_a_link_in_math_is_refused(tmp_path: Path):
    cases = tmp_path / "cases"
    _with_description(innocent_case(cases, "a_math"), r"Doubles :math:`\frac{x}{2} \cdot 4 = 2 x`.")
    linked = _with_description(innocent_case(cases, "b_href"), r"Click :math:`\href{javascript:alert(1)}{here}`.")
    innocent_case(cases, "c_plain")
    src, html = tmp_path / "site", tmp_path / "html"
    src.mkdir()
    (src / "conf.py").write_text(textwrap.dedent(f"""
        extensions = ["exportdb.site.sphinx_extension"]
        exportdb_cases_dir = {str(cases)!r}
        exportdb_use_cache = False
        """))
    (src / "index.rst").write_text("Site\n====\n\n.. math::\n\n   e^{i \\pi} + 1 = 0\n\n"
                                   ".. toctree::\n\n   generated/index\n")
    log = tmp_path / "warnings.txt"
    assert build_main(["-q", "-w", str(log), str(src), str(html)]) == 0
    warnings = log.read_text()
    assert re.search(rf"{re.escape(str(linked))}:\d+: the description's math cannot be shown "
                     r"\(Unknown LaTeX command \"\\href\"", warnings), warnings
    assert not (html / "generated" / "cases" / "b_href.html").exists()
    page = (html / "generated" / "cases" / "a_math.html").read_text()
    assert "<math" in page and "<mfrac>" in page
    assert "<math" in (html / "index.html").read_text()
    for path in html.rglob("*.html"):
        text = path.read_text()
        assert not REMOTE_SCRIPT.search(text), path
        assert "mathjax" not in text.lower(), path
        assert "javascript:" not in text, path
    assert not list(html.rglob("*mathjax*")) and not list(html.rglob("*MathJax*"))
