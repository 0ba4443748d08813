"""The worksheet page /claims/, its htmx partials, "Use code", fixes and exports."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from medcode.claims import worksheets
from medcode.claims.models import Worksheet
from tests.users import make_user

HTMX = {"HTTP_HX_REQUEST": "true"}


def use_code(client: Client, code: str, **extra: str):
    return client.post("/claims/add/", {"code": code, **extra})


def document(client: Client) -> Any:
    worksheet_id = client.session[worksheets.SESSION_KEY]
    return Worksheet.objects.get(pk=worksheet_id).document


def test_the_empty_worksheet_page_renders_without_saving_anything(client, db):
    response = client.get("/claims/")

    assert response.status_code == 200
    assert b"Claim check" in response.content
    assert b"No lines yet" in response.content
    assert Worksheet.objects.count() == 0


def test_use_code_adds_a_line_dated_today_and_goes_to_the_worksheet(client, samples):
    response = use_code(client, "11042")

    assert response.status_code == 302
    assert response["Location"] == "/claims/"
    [line] = document(client)["lines"]
    assert line["code"] == "11042"
    assert line["date_of_service"] == worksheets.today().isoformat()
    page = client.get("/claims/")
    assert b'value="11042"' in page.content
    assert b"Added 11042 as line 1" in page.content


def test_use_code_takes_the_date_of_service_of_the_code_page(client, samples):
    use_code(client, "11042", system="CPT", date="2024-07-15")

    assert document(client)["lines"][0]["date_of_service"] == "2024-07-15"


def test_use_code_on_a_diagnosis_adds_it_to_the_diagnosis_list(client, samples):
    use_code(client, "E11.9", system="ICD10CM")
    use_code(client, "E11.9", system="ICD10CM")

    assert document(client)["diagnoses"] == ["E11.9"]


def test_use_code_on_a_pcs_code_says_it_does_not_go_on_this_claim(client, samples):
    use_code(client, "0SR90J9", system="ICD10PCS")

    page = client.get("/claims/")
    assert b"ICD-10-PCS" in page.content
    assert document(client)["lines"] == []


def test_use_code_needs_the_csrf_token(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/claims/add/", {"code": "11042"})

    assert response.status_code == 403
    assert Worksheet.objects.count() == 0


def test_changing_a_line_returns_the_findings_panel_for_htmx(client, samples):
    use_code(client, "11042", date="2024-07-15")
    use_code(client, "97597", date="2024-07-15")
    use_code(client, "M79.89", system="ICD10CM")

    response = client.post("/claims/lines/2/", {"code": "97597", "units": "2"}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<h2 id="findings-h">Findings</h2>')
    assert 'data-rule="ptp"' in html
    assert 'data-rule="mue"' in html
    assert "Add 59 to line 2" in html
    assert "2024Q3" in html


def test_an_input_error_in_a_line_names_the_line_and_field(client, samples):
    use_code(client, "99213", date="2024-07-15")

    response = client.post("/claims/lines/1/", {"units": "-3"}, **HTMX)

    assert "Line 1, units: units must be between 0 and 9999, not -3" in response.content.decode()


def test_apply_fix_adds_the_modifier_and_the_finding_clears(client, samples):
    use_code(client, "11042", date="2024-07-15")
    use_code(client, "97597", date="2024-07-15")
    use_code(client, "M79.89", system="ICD10CM")

    response = client.post("/claims/fix/", {"fix": "2+XS", "confirm": "1"}, **HTMX)

    assert document(client)["lines"][1]["modifiers"] == ["XS"]
    assert 'data-rule="ptp"' not in response.content.decode()
    assert 'name="modifier_1" value="XS"' in response.content.decode()


def test_a_fix_for_a_line_that_is_gone_changes_nothing(client, samples):
    use_code(client, "11042", date="2024-07-15")

    response = client.post("/claims/fix/", {"fix": "5+59", "confirm": "1"}, **HTMX)

    assert response.status_code == 200
    assert "no longer fits" in response.content.decode()


def test_lines_can_be_added_and_removed_and_diagnoses_set(client, samples):
    use_code(client, "11042", date="2024-07-15")
    client.post("/claims/lines/new/", **HTMX)
    client.post("/claims/diagnoses/", {"dx_1": "e11.621", "dx_2": "L97.421"}, **HTMX)

    assert len(document(client)["lines"]) == 2
    assert document(client)["lines"][1]["date_of_service"] == "2024-07-15"
    client.post("/claims/lines/1/delete/", **HTMX)
    assert [line["code"] for line in document(client)["lines"]] == [""]
    assert document(client)["diagnoses"] == ["e11.621", "L97.421"]


def test_without_htmx_an_edit_redirects_to_the_worksheet(client, samples):
    use_code(client, "11042")

    response = client.post("/claims/lines/1/", {"units": "2"})

    assert response.status_code == 302
    assert document(client)["lines"][0]["units"] == "2"


def test_the_lines_export_is_the_batch_csv_layout(client, samples):
    use_code(client, "11042", date="2024-07-15")
    use_code(client, "97597", date="2024-07-15")
    use_code(client, "M79.89", system="ICD10CM")
    client.post("/claims/fix/", {"fix": "2+59", "confirm": "1"}, **HTMX)

    response = client.get("/claims/export/lines.csv")

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["code"], r["modifiers"]) for r in rows] == [("11042", ""), ("97597", "59")]
    assert rows[0]["diagnoses"] == "M79.89"
    batch = client.post(
        "/api/v1/claims/check-batch", data=response.content, content_type="text/csv"
    )
    assert b'"findings":[]' in b"".join(batch.streaming_content)


def test_the_findings_export_lists_each_finding(client, samples):
    use_code(client, "11042", date="2024-07-15")
    use_code(client, "97597", date="2024-07-15")

    response = client.get("/claims/export/findings.csv")

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {"ptp", "dx_pointer"} <= {r["rule"] for r in rows} or {"ptp"} <= {
        r["rule"] for r in rows
    }


def test_the_page_links_its_print_stylesheet(client, db):
    page = client.get("/claims/").content.decode()

    assert "claims/claims.css" in page


def test_a_guest_sees_only_their_own_worksheet(samples):
    first, second = Client(), Client()
    use_code(first, "11042")

    assert b'value="11042"' not in second.get("/claims/").content
    assert b'value="11042"' in first.get("/claims/").content


def test_a_signed_in_user_has_a_saved_worksheet(client, samples):
    user = make_user("coder")
    client.force_login(user)

    use_code(client, "11042")

    [worksheet] = Worksheet.objects.filter(owner=user)
    assert worksheet.document["lines"][0]["code"] == "11042"
    other = Client()
    other.force_login(user)
    assert b'value="11042"' in other.get("/claims/").content


@pytest.mark.parametrize("path", ["/claims/add/", "/claims/fix/", "/claims/lines/new/"])
def test_edits_refuse_get(client, db, path):
    assert client.get(path).status_code == 405


def test_a_guest_who_signs_in_keeps_the_worksheet(client, samples):
    use_code(client, "11042")
    user = make_user("newcoder")
    client.force_login(user)

    page = client.get("/claims/")

    assert b'value="11042"' in page.content
    assert Worksheet.objects.get(owner=user).document["lines"][0]["code"] == "11042"


def test_the_worksheet_shows_the_expected_payment_and_exports_it(client, samples):
    use_code(client, "11042", date="2024-07-15")
    use_code(client, "99213", date="2024-07-15")
    for number in (1, 2):
        client.post(f"/claims/lines/{number}/", {"place_of_service": "11"})

    page = client.get("/claims/").content.decode()

    assert "Expected Medicare payment" in page
    assert "$126.72" in page  # 11042: (1.01 + 2.73 + 0.13) x 32.7442, national, office
    assert "$85.13" in page
    assert "$211.85" in page
    rows = list(
        csv.DictReader(io.StringIO(client.get("/claims/export/payment.csv").content.decode()))
    )
    assert [(r["line"], r["amount"]) for r in rows[:3]] == [
        ("1", "126.72"),
        ("2", "85.13"),
        ("total", "211.85"),
    ]


def test_a_locality_is_kept_and_its_missing_gpcis_are_said(client, samples):
    use_code(client, "99213", date="2024-07-15")

    response = client.post("/claims/locality/", {"locality": "13202-01"}, **HTMX)

    assert document(client)["locality"] == "13202-01"
    assert "GPCIs for 2024 are not loaded" in response.content.decode()
    assert "$85.13" in response.content.decode()  # national, said so
    lines = client.get("/claims/export/lines.csv").content.decode()
    assert "13202-01" in lines
