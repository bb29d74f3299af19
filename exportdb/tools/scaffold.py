"""``exportdb new``: write a valid, minimal case file from ``templates/case.py.jinja``.

    >>> write_case("my_case", ["python.closure"], Path("cases"))   # doctest: +SKIP
    PosixPath('cases/my_case.py')
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from exportdb.catalog import tags as taxonomy
from exportdb.catalog.registry import case_name_problem
from exportdb.site.render import Renderer


class ScaffoldError(ValueError):
    """The new case cannot be created; the message says why."""


def class_name_for(name: str) -> str:
    """``my_case`` -> ``MyCase``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part) or "Case"


def write_case(name: str, tags: Sequence[str], cases_dir: Path, *, supported: bool = True) -> Path:
    """Create ``cases_dir/name.py``; refuse bad names, unknown tags and existing files."""
    bad_name = case_name_problem(name)
    if bad_name:
        raise ScaffoldError(bad_name)
    for tag in tags:
        if not taxonomy.is_known(tag):
            close = taxonomy.suggest(tag)
            raise ScaffoldError(f"unknown tag {tag!r}" + (f"; did you mean {close!r}?" if close else ""))
    path = Path(cases_dir) / f"{name}.py"
    if any(p.stem.lower() == name.lower() for p in Path(cases_dir).rglob("*.py")):
        raise ScaffoldError(f"a case named {name!r} already exists in {cases_dir}")
    text = Renderer().render("case.py.jinja", name=name, class_name=class_name_for(name),
                             tags=taxonomy.sort_tags(tags), supported=supported)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
