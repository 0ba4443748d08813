"""The worksheet leads a bundling finding with what is usually true; modifiers come second,
confirmed; "Use code" on a modifier page asks which line."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.test import Client

from medcode.claims import bundling, worksheets
from medcode.claims.models import Worksheet
from medcode.rules import Finding, check_ptp
from medcode.rules.tests import builders
from medcode.rules.tests.builders import line, ptp_edit, tables

HTMX = {"HTTP_HX_REQUEST": "true"}


def use_code(client: Client, code: str, **extra: str) -> Any:
    return client.post("/claims/add/", {"code": code, **extra})


def document(client: Client) -> Any:
    return Worksheet.objects.get(pk=client.session[worksheets.SESSION_KEY]).document


def ptp(
    column_1: str, column_2: str, indicator: str = "1", *modifiers: str, rationale: str = "x"
) -> Finding:
    """The finding the real PTP rule makes for column 1 on line 1 and column 2 on line 3."""
    edit = ptp_edit(column_1, column_2, indicator, rationale=rationale)
    claim = builders.claim(line(1, column_1, *modifiers), line(2, "J3490"), line(3, column_2))
    [finding] = check_ptp(claim, tables(ptp=[edit]))
    return finding


@pytest.mark.parametrize(
    ("rationale", "lead"),
    [
        ("CPT Manual or CMS manual coding instruction", "Usually included: 95972 is normally"),
        ("Standards of medical/surgical practice", "Usually included: 95972 is normally"),
        ("Mutually exclusive procedures", "Usually not reported together"),
    ],
)
def test_a_bundling_finding_leads_with_what_is_usually_true(rationale: str, lead: str) -> None:
    found = bundling.bundling_of(ptp("63650", "95972", rationale=rationale))
    assert found is not None
    assert found.lead.startswith(lead) and found.rationale == rationale
    assert "63650 alone" in found.lead or "only 63650 is paid" in found.lead
    assert found.column2_line == 3


def test_a_visit_bundled_into_a_procedure_gets_the_visit_conditions_not_59() -> None:
    found = bundling.bundling_of(ptp("20610", "99213"))
    assert found is not None and found.conditions == bundling.EM_CONDITIONS
    assert "25" in found.conditions and "not used on E/M" in found.conditions
    procedure = bundling.bundling_of(ptp("63650", "95972"))
    assert procedure is not None and procedure.conditions == bundling.DISTINCT_CONDITIONS


def test_the_view_reads_the_edit_the_rule_attached_not_the_message() -> None:
    finding = ptp("63650", "95972", rationale="Misuse of column two code (see chapter I)")
    reworded = dataclasses.replace(finding, message="95972 and 63650: an NCCI edit applies.")
    found = bundling.bundling_of(reworded)
    assert found is not None and found.column2_line == 3
    assert found.rationale == "Misuse of column two code (see chapter I)"  # parentheses too


def test_other_findings_are_not_read_as_bundling() -> None:
    mue = Finding(rule="mue", severity="error", lines=(1,), message="x", fix="", source="")
    assert bundling.bundling_of(mue) is None
    # No modifier bypasses an indicator-0 edit; a modifier on column 1 is a move, not a choice.
    assert bundling.bundling_of(ptp("63650", "95972", "0")) is None
    assert bundling.bundling_of(ptp("63650", "95972", "1", "XS")) is None


@pytest.mark.parametrize(
    ("value", "needed"),
    [("2+59", True), ("2+XS", True), ("1-59,2+59", True), ("2+25", False), ("2-50", False),
     ("nonsense", False)],
)  # fmt: skip
def test_only_distinct_service_modifiers_need_confirming(value: str, needed: bool) -> None:
    assert bundling.needs_confirmation(value) is needed


def test_the_worksheet_shows_the_lead_and_the_rationale_before_any_modifier_button(client, samples):
    use_code(client, "11042", date="2024-07-15")
    use_code(client, "97597", date="2024-07-15")
    html = client.get("/claims/").content.decode()
    finding = html[html.index('data-rule="ptp"') :]
    assert finding.index("Usually included") < finding.index("Add 59 to line 2")
    assert finding.index("Remove line 2: it is included") < finding.index("Add 59 to line 2")
    # The modifier buttons sit in a closed <details> behind a required confirmation.
    override = finding[finding.index('<details class="finding__override">') :]
    assert override.index('name="confirm" value="1" required') < override.index("Add 59")
    assert bundling.DISTINCT_CONDITIONS.split(":")[0] in override


def test_a_finding_marked_stale_keeps_its_bundling_view(client, samples):
    # The sample NCCI edits are 2024Q3: on a 2026 date the finding says they are not loaded.
    use_code(client, "11042", date="2026-07-15")
    use_code(client, "97597", date="2026-07-15")
    html = client.get("/claims/").content.decode()
    finding = html[html.index('data-rule="ptp"') :]
    assert "are not loaded" in finding[: finding.index("</li>")]
    assert finding.index("Usually included") < finding.index("Add 59 to line 2")


def test_a_distinct_service_modifier_is_not_added_without_the_confirmation(client, samples):
    use_code(client, "11042", date="2024-07-15")
    use_code(client, "97597", date="2024-07-15")
    response = client.post("/claims/fix/", {"fix": "2+59"}, **HTMX)
    assert document(client)["lines"][1]["modifiers"] == []
    assert bundling.CONFIRM_FIRST in response.content.decode().replace("&#x27;", "'")


def test_use_code_on_a_modifier_asks_which_line_and_adds_it_there_only(client, samples):
    use_code(client, "11042", date="2024-07-15")
    use_code(client, "97597", date="2024-07-15")
    response = use_code(client, "59", system="MODIFIER")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Which line gets modifier 59?" in html
    assert 'name="fix" value="1+59"' in html and 'name="fix" value="2+59"' in html
    assert 'name="confirm" value="1" required' in html  # 59 claims a distinct service
    assert all(line["modifiers"] == [] for line in document(client)["lines"])  # nothing yet
    client.post("/claims/fix/", {"fix": "1+59", "confirm": "1"})
    assert [line["modifiers"] for line in document(client)["lines"]] == [["59"], []]


def test_use_code_on_a_modifier_with_no_lines_says_to_add_a_line_first(client, db):
    response = use_code(client, "25", system="MODIFIER")
    assert response.status_code == 302
    page = client.get("/claims/").content.decode()
    assert worksheets.NO_LINE_FOR_MODIFIER.format(code="25").split(":")[0] in page
