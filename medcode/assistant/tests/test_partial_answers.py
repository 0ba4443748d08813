"""When no rule answers a question: a grounded partial answer, never "I cannot answer"."""

from __future__ import annotations

import pytest

from medcode.assistant.answer import answer_question
from medcode.assistant.guard import NOTHING_SURE
from medcode.assistant.tests.conftest import ON

pytestmark = pytest.mark.usefixtures("pilot_samples")


def test_a_pair_question_with_one_unknown_code_states_what_is_known_of_the_other() -> None:
    answer = answer_question("Can 63650 and 99999 be billed together?", today=ON)

    assert answer.summary.startswith("99999 is not a code in the code sets loaded here")
    assert "does not decide it" in answer.summary
    assert "63650" in answer.summary
    assert NOTHING_SURE not in answer.summary
    texts = [f.text for f in answer.facts]
    assert any(t.startswith("63650 PFS status A") for t in texts)
    assert all(f.citation.release for f in answer.facts)
    assert answer.offers_consult


@pytest.mark.parametrize(
    "question",
    [
        "Write me a cover letter for a hospital billing job.",
        "What will UnitedHealth's stock price be next month?",
    ],
)
def test_plainly_non_coding_requests_are_out_of_scope(question: str) -> None:
    answer = answer_question(question, today=ON)

    assert answer.intent == "off_topic"
    assert "outside what CasePilot answers" in answer.summary
