"""Where each case page sits in the site's navigation (the sidebar's tree).

The sidebar groups the case pages by tag: each tag page carries a hidden
toctree of its cases.  The tag pages' files keep the seed document's layout, so
that toctree is not written into them; the Sphinx extension adds it to the
source as Sphinx reads the page (:func:`hidden_toctree`).  A case with several
tags sits under the first of them in taxonomy order (one place in the tree: a
page with several parents would make Sphinx's next/previous links and
breadcrumbs ambiguous); every tag page still shows all its cases.  Cases
without a known tag stay under the ExportDB index.
"""

from __future__ import annotations

from collections.abc import Sequence

from exportdb.catalog import tags as taxonomy
from exportdb.catalog.registry import Case

CASES_SUBDIR = "cases"
_KNOWN_TAGS = frozenset(tag.name for tag in taxonomy.TAXONOMY)


def home_tag(case: Case) -> str | None:
    """The tag page under which ``case`` sits in the navigation: its first known tag."""
    first = next(iter(taxonomy.sort_tags(case.tags)), None)  # known tags sort first
    return first if first in _KNOWN_TAGS else None


def cases_by_home_tag(cases: Sequence[Case]) -> dict[str | None, list[str]]:
    """Case names under each tag page (``None``: under the index), in registry order."""
    groups: dict[str | None, list[str]] = {}
    for case in cases:
        groups.setdefault(home_tag(case), []).append(case.name)
    return groups


def hidden_toctree(case_names: Sequence[str]) -> str:
    """The reST of a hidden toctree of the case pages ``case_names`` (relative to a tag page)."""
    if not case_names:
        return ""
    entries = "".join(f"   {CASES_SUBDIR}/{name}\n" for name in case_names)
    return f"\n\n.. toctree::\n   :hidden:\n\n{entries}"
