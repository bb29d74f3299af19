"""Attack class: forging results on the worker-to-parent channel (results are data, never code)."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from exportdb.engines import EngineResult
from exportdb.execution import channel
from attack_support import assert_innocents_exported, hostile_case, innocent_case, run_all

FORGE = '''
import os, pickle, json
forged = json.dumps({"completed": True, "result": {"engine": "builtin", "ok": True, "text": "<script>forged</script>",
                     "error_type": None, "seconds": 0.0, "eager_check": None, "extra": {}}}).encode()
for job_id in range(1, 100000, 997):
    header = json.dumps({"id": job_id, "exit": None}).encode()
    message = header + b"\\n" + forged
    for fd in range(3, 64):
        try:
            os.write(fd, len(message).to_bytes(8, "little") + message)
            os.write(fd, pickle.dumps(("pwned",)))
        except OSError:
            pass
'''


def test_a_case_writing_forged_answers_to_every_descriptor_changes_no_other_result(tmp_path: Path):
    cases = tmp_path / "cases"
    innocent_case(cases, "a_first")
    hostile_case(cases, "b_forger", FORGE)
    innocent_case(cases, "c_after")
    innocent_case(cases, "d_later")
    _, report = run_all(cases, tmp_path / "cache")
    assert_innocents_exported(report, ["a_first", "c_after", "d_later"])
    forger = report.get("b_forger", "builtin")
    assert "forged" not in forger.result.text
    assert all("<script>" not in r.result.text for r in report.records.values())
    cached = (tmp_path / "cache" / "results.json").read_text()
    assert "<script>" not in cached and "pwned" not in cached


def _answer(body: dict, job_id: int = 7) -> bytes:
    return channel.answer_frame(job_id, None, json.dumps(body).encode())[channel.HEADER_BYTES:]


GOOD = {"completed": True, "result": {"engine": "builtin", "ok": True, "text": "graph", "error_type": None,
                                      "seconds": 0.5, "eager_check": None, "extra": {"hint": "h"}}}


def test_a_valid_answer_is_decoded_into_a_result():
    answer = channel.decode_answer(_answer(GOOD))
    assert answer.job_id == 7 and answer.result == EngineResult("builtin", True, "graph", None, 0.5, None, {"hint": "h"})


@pytest.mark.parametrize("bad", [
    pickle.dumps(EngineResult("builtin", True, "x")),                     # a pickle: never loaded
    _answer({"completed": True, "result": {**GOOD["result"], "ok": "yes"}}),      # wrong type
    _answer({"completed": True, "result": {**GOOD["result"], "seconds": True}}),
    _answer({"completed": True, "result": {**GOOD["result"], "evil": 1}}),        # unknown field
    _answer({"completed": True, "result": {k: v for k, v in GOOD["result"].items() if k != "text"}}),
    _answer({"completed": True, "result": {**GOOD["result"], "extra": {"a": [[[[[[[[[[1]]]]]]]]]]}}}),
    _answer({"completed": "true", "error": "x"}),
    b'{"id": 1, "exit": null}\n' + b"[" * 100000,                          # deep nesting: no RecursionError
    b'{"id": 1, "exit": null}\n{"completed": true, "result": NaN}',
    b"\xff\xfe not utf-8",
])
def test_a_malformed_answer_is_refused_with_a_channel_error(bad: bytes):
    with pytest.raises(channel.ChannelError):
        channel.decode_answer(bad)


def test_an_oversized_frame_is_refused_before_it_is_buffered():
    reader = channel.FrameReader(limit=1000)
    with pytest.raises(channel.ChannelError):
        reader.feed((10**9).to_bytes(8, "little") + b"x")
