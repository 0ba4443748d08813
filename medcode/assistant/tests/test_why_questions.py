"""The questions quoted under "Why" in issue 14, asked through the API and the /pilot/ page:
each gets the answer the data supports (sample rows in conftest.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.usefixtures("pilot_samples")

ASK = "/api/v1/assistant/ask"
ON = "2026-04-15"


def ask(client: Client, question: str, date: str = ON) -> dict[str, Any]:
    response = client.post(
        ASK, data=json.dumps({"question": question, "date": date}), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    result: dict[str, Any] = response.json()
    return result


def shown(answer: dict[str, Any]) -> str:
    return "\n".join([answer["answer"], *(f["text"] for f in answer["facts"]), *answer["notices"]])


def test_an_asc_pair_is_answered_from_the_practitioner_table(client: Client) -> None:
    answer = ask(client, "63650 + 62321 in an ASC?")

    assert "practitioner table" in answer["answer"]
    assert "modifier indicator 0" in answer["answer"]
    assert "modifier indicator 1" not in answer["answer"]


def test_99417_for_medicare_says_status_i_and_g2212_not_that_ncci_allows_it(
    client: Client,
) -> None:
    answer = ask(client, "99417 with 99215 for Medicare?")

    assert answer["answer"].startswith("For Medicare, 99417 has PFS status I")
    assert "G2212" in answer["answer"] and "69 minutes" in answer["answer"]
    assert "NCCI does not stop" not in shown(answer)


def test_g2212_is_only_for_a_visit_levelled_on_time(client: Client) -> None:
    answer = ask(client, "Can G2212 be billed with 99215 when the level was chosen on MDM?")

    assert "only when the visit level was chosen by time" in answer["answer"]


def test_an_add_on_whose_primaries_exclude_the_other_code_says_so(client: Client) -> None:
    answer = ask(client, "63650 with 77003?")

    assert "63650 is not an eligible primary for it" in answer["answer"]
    assert "62281" in answer["answer"]


def test_an_mue_answer_denies_the_whole_line_never_only_the_excess(client: Client) -> None:
    text = shown(ask(client, "We billed 3 units of 20552 on one line. MUE and what happens?"))

    assert "all lines of the code for that date are denied" in text
    assert "only the units over the limit are denied" not in text.lower()


def test_no_payment_is_quoted_for_a_code_medicare_does_not_pay(client: Client) -> None:
    answer = ask(client, "What does Medicare pay for 99358 in the office?")

    assert answer["answer"].startswith("No Medicare payment: 99358 has PFS status I")
    assert "$" not in shown(answer)


def test_a_release_label_is_never_a_code(client: Client) -> None:
    answer = ask(client, "Are the NCCI 2024Q3 (v30.2) edits the newest?")

    assert "V302" not in {c["code"] for c in answer["codes"]}


def test_old_edits_for_a_later_date_are_said_to_be_stale_never_in_force(client: Client) -> None:
    late = ask(client, "Can 63650 and 63685 be billed together?", date="2026-12-05")
    current = ask(client, "Can 63650 and 63685 be billed together?", date="2024-08-01")

    assert any(
        n.startswith("NCCI PTP edits for 2026-12-05 are not loaded") for n in late["notices"]
    )
    assert "in force" not in shown(late)
    assert not any(n.startswith("NCCI PTP edits for") for n in current["notices"])


def test_a_bilateral_question_names_modifier_50_from_the_indicator(client: Client) -> None:
    answer = ask(client, "What modifier for bilateral 64483?")

    assert "bilateral indicator 1" in answer["answer"] and "modifier 50" in answer["answer"]


def test_58_on_the_permanent_lead_is_answered_as_a_staged_procedure(client: Client) -> None:
    answer = ask(client, "Do I need 58 on the permanent 63650?")

    assert answer["answer"].startswith("Use modifier 58 on 63650: a staged or related procedure")


def test_a_visit_with_a_procedure_takes_25_not_59(client: Client) -> None:
    answer = ask(client, "Can I bill 99214 with 64483?")

    assert "append modifier 25 to the E/M visit 99214" in answer["answer"]
    assert "XS, XE, XP, XU or 59) is on" not in answer["answer"]


def test_type_2_diabetes_with_ckd_stage_3_is_e11_22_with_the_stage_code(client: Client) -> None:
    answer = ask(client, "Type 2 DM with CKD stage 3")

    assert answer["answer"].startswith("E11.22 (Type 2 diabetes mellitus with diabetic chronic")
    assert "Use additional code" in answer["answer"] and "N18.30" in answer["answer"]
    assert "E10.22" not in shown(answer)


def test_is_c1768_the_rechargeable_generator_is_no_then_c1820(client: Client) -> None:
    answer = ask(client, "Is C1768 the rechargeable generator?")

    assert answer["answer"].startswith("No: C1768 is Graft, vascular")
    assert "the code is C1820" in answer["answer"]


def test_an_out_of_scope_question_says_so_and_offers_caseconsultant(client: Client) -> None:
    answer = ask(client, "What's the weather in Paris?")

    assert answer["answer"].startswith("That question is outside what CasePilot answers")
    assert "CaseConsultant" in answer["answer"]


def test_the_pilot_page_answers_is_x_the_code_for_y(client: Client) -> None:
    html = client.post("/pilot/ask/", {"question": "Is C1768 the rechargeable generator?"})

    text = html.content.decode()
    assert "No: C1768 is Graft, vascular" in text and "C1820" in text
