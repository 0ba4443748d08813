"""A consult mail is read like a coder reads it: its questions one by one, claim lines as a claim."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcode.consult.drafting import draft_answer
from medcode.consult.intake import record_inquiry
from medcode.consult.mail_questions import holds_claim_lines, questions_in
from medcode.consult.tests.conftest import make_mail
from tests.users import make_user

DEVICE_AND_58 = (
    "Hi, for our claim: patient had the SCS trial (63650) on 11/3/2025 and the permanent "
    "generator 63685 with the rechargeable generator on 11/20/2025. Do we need modifier 58 on "
    "63685, and is C1768 the right device code for the rechargeable generator? Thanks, Ann"
)
CLAIM = (
    "Please check this claim:\n63650 x1 11/03/2025 dx M96.1\n63685-58 x1 11/20/2025 dx M96.1\n"
    "Thanks"
)


def test_a_narrative_mentioning_a_claim_holds_no_claim_lines():
    assert not holds_claim_lines(DEVICE_AND_58)
    assert holds_claim_lines(CLAIM)


def test_each_question_is_asked_alone_and_a_modifier_question_keeps_the_case():
    (first_ask, first), (second_ask, second) = questions_in(DEVICE_AND_58)
    assert first_ask == "Do we need modifier 58 on 63685?"
    assert "63650" in first and "11/20/2025" in first and "claim" not in first
    assert second == second_ask == "is C1768 the right device code for the rechargeable generator?"


def test_codes_with_dots_are_not_sentence_ends_and_a_claim_is_read_whole():
    assert questions_in("Is E11.9 billable? And I10?") == [
        ("Is E11.9 billable?", "Is E11.9 billable?"),
        ("And I10?", "And I10?"),
    ]
    assert questions_in(CLAIM) == [(CLAIM, CLAIM)]


@pytest.fixture
def device_data(db: None, shared_data_dir: Path) -> None:
    from medcode.codes.services import import_file
    from medcode.search.index import rebuild_index

    for name in ("pfs_rvu_2025d.csv.gz", "HCPC2026_JAN_ANWEB_01122026.xlsx"):
        import_file(shared_data_dir / name)
    rebuild_index(force=True)


def test_the_device_code_and_modifier_58_mail_is_answered_not_claim_checked(device_data):
    make_user("ann@clinic.test")
    raw = make_mail(DEVICE_AND_58, message_id="<scs-1@clinic.test>", subject="SCS coding")
    inquiry = record_inquiry(raw, channel="smtp", envelope_sender="ann@clinic.test").inquiry
    draft, reply = draft_answer(inquiry)
    # Both questions, in order, each answered.
    assert reply.index("Do we need modifier 58 on 63685?") < reply.index("is C1768 the right")
    assert "63650" in reply and "010" in reply  # the global period decides modifier 58
    assert "C1820" in reply  # the rechargeable generator's code, not C1768
    assert "diagnosis pointer" not in reply.lower()
    assert "claim_check" not in draft["intent"]
