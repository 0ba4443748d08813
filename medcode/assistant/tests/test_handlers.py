"""The question handlers: each one's example questions reach it, and nothing else breaks a
release label, a URL or a file name into a code (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from medcode.assistant.handlers import handlers, pick
from medcode.assistant.intent import find_codes, understand

EXAMPLES = [(h.name, example) for h in handlers() for example in h.examples]


@pytest.mark.parametrize(("name", "question"), EXAMPLES, ids=[e[1][:60] for e in EXAMPLES])
def test_each_handlers_examples_are_picked_by_that_handler(name: str, question: str) -> None:
    found = pick(understand(question))

    assert found is not None and found.name == name


@pytest.mark.parametrize(
    "question",
    [
        "What is the weather in Paris?",
        "What does PFS status code B mean?",
        "Check this claim: 63650 and 63661 on 2026-04-15",
        "What is POS 11?",
        # A dated add-on question is the router's add-on answer, not a date-validity one.
        "Which primary codes can be reported with add-on code 92929 on 2024-08-15?",
    ],
)
def test_questions_for_the_routers_own_answers_get_no_handler(question: str) -> None:
    assert pick(understand(question)) is None


@pytest.mark.parametrize(
    "text",
    [
        "NCCI PTP edits 2024Q3 (v30.2)",
        "ICD-10-CM FY2026 April (icd10cm_codes_2026.csv.gz)",
        "see https://www.cms.gov/files/E11.9/page and RVU25D, CY2025",
    ],
)
def test_release_labels_urls_and_file_names_are_never_codes(text: str) -> None:
    assert find_codes(text) == ()


def test_it_reads_typed_codes_dates_doses_and_who_bills() -> None:
    q = understand("ASC claim 08/2024: i214 and 99214s, Bicillin 2.4 million units, then May 2026")

    assert [c.code for c in q.codes] == ["I214", "99214"]
    assert q.dates == (dt.date(2024, 8, 1), dt.date(2026, 5, 1))
    assert q.place == "asc"
    assert [(d.amount, d.unit) for d in q.doses] == [(2_400_000.0, "units")]
    assert understand("Hospital facility claim TOB 13x: 94640 and 94644").place == (
        "outpatient_hospital"
    )
    assert understand("Do I need 58 on the permanent 63650?").modifiers == ("58",)
