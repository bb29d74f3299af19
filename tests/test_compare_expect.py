"""The expectations file of ``exportdb compare``: reading, validation, helpful errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from exportdb.tools.compare_expect import Expectation, ExpectationsError, load_expectations


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "expected_differences.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_entries_are_read_with_reason_and_optional_classification(tmp_path):
    path = write(tmp_path, '# why these differ\n[a]\nreason = " seed keeps the constant "\n\n'
                           '[b]\nreason = "torch fails"\nclassification = "outcome-differs"\n')
    assert load_expectations(path) == {
        "a": Expectation("a", "seed keeps the constant", None),
        "b": Expectation("b", "torch fails", "outcome-differs"),
    }


@pytest.mark.parametrize("text, line, message, hint", [
    ('[a]\nreason = "x"\n\n[b]\nresaon = "y"\n', 5, "unknown key 'resaon' in [b]", "did you mean 'reason'?"),
    ('[a]\nreason = ""\n', 1, "[a] has no reason", "needs a reason"),
    ('[a]\nclassification = "graph-differs"\n', 1, "[a] has no reason", "needs a reason"),
    ('[a]\nreason = "x"\nclassification = "graph-differ"\n', 3, "unknown classification 'graph-differ'",
     "did you mean 'graph-differs'?"),
    ('[a]\nreason = "x"\nclassification = "agree"\n', 3, "unknown classification 'agree'",
     "expected one of: outcome-differs, graph-differs"),
    ('a = "x"\n', 1, "'a' must be a table with a reason", '[a] followed by reason'),
    ('[a]\nreason = "x\n', 2, "invalid TOML", "fix the TOML syntax"),
])
def test_bad_entries_name_the_file_line_and_a_fix(tmp_path, text, line, message, hint):
    path = write(tmp_path, text)
    with pytest.raises(ExpectationsError) as info:
        load_expectations(path)
    err = info.value
    assert err.summary.startswith(f"{path}:{line}: ")
    assert message in err.summary and hint in (err.hint or "")
    assert "\n" not in err.summary


def test_a_missing_file_is_an_error_with_a_hint(tmp_path):
    with pytest.raises(ExpectationsError, match="cannot read expectations file"):
        load_expectations(tmp_path / "nope.toml")
