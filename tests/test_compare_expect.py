"""The expectations file of ``exportdb compare``: reading, validation, helpful errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter_helpers import SEEDS_DIR

from exportdb.tools.compare_expect import Expectation, ExpectationsError, load_expectations, unquoted_seeds


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "expected_differences.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_entries_are_read_with_reason_and_optional_classification(tmp_path):
    path = write(tmp_path, '# why these differ\n[a]\nreason = " seed keeps the constant "\nseed = " Keep it. "\n\n'
                           '[b]\nreason = "torch fails"\nseed = "Refuse it."\nclassification = "outcome-differs"\n')
    assert load_expectations(path) == {
        "a": Expectation("a", "seed keeps the constant", None, "Keep it."),
        "b": Expectation("b", "torch fails", "outcome-differs", "Refuse it."),
    }


@pytest.mark.parametrize("text, line, message, hint", [
    ('[a]\nreason = "x"\nseed = "s"\n\n[b]\nresaon = "y"\n', 6, "unknown key 'resaon' in [b]", "did you mean 'reason'?"),
    ('[a]\nreason = "x"\n', 1, "[a] quotes no seed sentence", 'add seed = "<the deciding sentence, verbatim>"'),
    ('[a]\nreason = "x"\nseed = "  "\n', 1, "[a] quotes no seed sentence", "or fix the exporter"),
    ('[a]\nreason = "x"\nsede = "s"\n', 3, "unknown key 'sede' in [a]", "did you mean 'seed'?"),
    ('[a]\nreason = ""\n', 1, "[a] has no reason", "needs a reason"),
    ('[a]\nclassification = "graph-differs"\n', 1, "[a] has no reason", "needs a reason"),
    ('[a]\nreason = "x"\nseed = "s"\nclassification = "graph-differ"\n', 4, "unknown classification 'graph-differ'",
     "did you mean 'graph-differs'?"),
    ('[a]\nreason = "x"\nseed = "s"\nclassification = "agree"\n', 4, "unknown classification 'agree'",
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


def test_seed_quotes_are_checked_against_the_documents_text():
    entries = {"a": Expectation("a", "r", None, "must be a **tuple of tensors**. Pytree of"),
               "b": Expectation("b", "r", None, "operands may be anything")}
    document = "- The **operands** must be a **tuple\n  of tensors**. Pytree of tensors will be allowed."
    assert unquoted_seeds(entries, [document]) == ["b"]
    assert unquoted_seeds(entries, []) == ["a", "b"]


def test_every_listed_difference_quotes_a_seed_sentence_verbatim():
    """The registry's own file: each entry's seed sentence is in the seed documents."""
    root = Path(__file__).resolve().parents[1]
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"seed documents not found at {SEEDS_DIR} (the ../shared checkout is absent)")
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt"))]
    expectations = load_expectations(root / "cases" / "expected_differences.toml")
    assert expectations and unquoted_seeds(expectations, texts) == []
