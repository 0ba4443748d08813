"""`medcode ask`: the same answer on the command line, with its exit status."""

from __future__ import annotations

import json

import pytest

from medcode.assistant.commands import EXIT_ANSWERED, EXIT_INVALID, EXIT_UNSURE
from medcode.cli import main

pytestmark = pytest.mark.usefixtures("pilot_samples")


def test_ask_prints_the_answer_and_each_cited_fact(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ask", "What is the global period for 63650?", "--date", "2026-04-15"])

    out = capsys.readouterr().out
    assert code == EXIT_ANSWERED
    assert out.startswith("The global period of 63650 is 010")
    assert "[1] 63650 global period: 010" in out and "</codes/63650/?date=2026-04-15>" in out


def test_ask_json_is_the_apis_answer_and_an_unknown_code_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["ask", "What is 99999?", "--json"])

    body = json.loads(capsys.readouterr().out)
    assert code == EXIT_UNSURE
    assert body["codes"][0] | {"status": "not_found"} == body["codes"][0]


def test_an_empty_question_exits_2_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "  "]) == EXIT_INVALID
    assert "Type a question first" in capsys.readouterr().err
