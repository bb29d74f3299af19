"""Math in the site as MathML, written at build time: no MathJax, no script, nothing fetched.

Sphinx's default math renderer puts a ``<script>`` that loads MathJax from a
CDN on every page with math: the site then needs the network, and MathJax
would interpret a description's ``\\href{javascript:...}``.  This renderer
converts the LaTeX of ``:math:`` and ``.. math::`` with docutils' own
LaTeX-to-MathML converter into ``<math>`` elements that browsers draw
natively.  The converter knows a fixed set of commands and escapes all text
(``\\href`` is not one of them); what it cannot convert is shown as escaped
LaTeX with a warning, and the description check refuses it in a case
(:func:`exportdb.catalog.rst_safety.math_problem`).
"""

from __future__ import annotations

from typing import Any

from docutils import nodes

from exportdb.catalog.rst_safety import math_problem  # noqa: F401 - the check of a case's math, re-exported

RENDERER = "exportdb_mathml"


def _mathml(translator: Any, node: nodes.Element, block: bool) -> str:
    from docutils.utils.math import MathError
    from docutils.utils.math.latex2mathml import tex2mathml

    latex = node.astext()
    try:
        return tex2mathml(latex, as_block=block)
    except (MathError, RecursionError) as exc:
        from sphinx.util import logging

        logging.getLogger(__name__).warning("math cannot be shown as MathML (%s): %s", exc, latex,
                                            location=node)
        return f"<code>{translator.encode(latex)}</code>"


def visit_math(translator: Any, node: nodes.math) -> None:
    translator.body.append(translator.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    translator.body.append(_mathml(translator, node, block=False))
    translator.body.append("</span>")
    raise nodes.SkipNode


def visit_displaymath(translator: Any, node: nodes.math_block) -> None:
    translator.body.append(translator.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if node.get("number"):
        translator.body.append(f'<span class="eqno">({translator.encode(str(node["number"]))})</span>')
    translator.body.append(_mathml(translator, node, block=True))
    translator.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app: Any) -> None:
    """Register the renderer; with Sphinx's MathJax as the only other one, Sphinx picks this one."""
    app.add_html_math_renderer(RENDERER, (visit_math, None), (visit_displaymath, None))
