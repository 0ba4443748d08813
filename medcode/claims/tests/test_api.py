"""POST /api/v1/claims/check and /check-batch: the happy path and every bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest

from medcode.claims import api, schemas, services

CHECK = "/api/v1/claims/check"
BATCH = "/api/v1/claims/check-batch"
DOS = "2024-07-15"


def line(code: str = "99213", **fields: Any) -> dict[str, Any]:
    return {"code": code, "units": 1, "date_of_service": DOS, "diagnosis_pointers": [1], **fields}


def claim(*lines: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"diagnoses": ["M79.89"], "lines": list(lines) or [line()], **fields}


def post(client, body: Any, *, raw: bool = False):
    data = body if raw else json.dumps(body)
    return client.post(CHECK, data=data, content_type="application/json")


def errors_of(response: Any) -> Any:
    return response.json()["errors"]


def test_it_checks_a_claim_and_returns_each_finding_with_its_fix_and_source(client, samples):
    response = post(client, claim(line("11042"), line("97597"), claim_id="A-1"))

    assert response.status_code == 200
    body = response.json()
    assert body["claim_id"] == "A-1"
    [ptp] = [f for f in body["findings"] if f["rule"] == "ptp"]
    assert ptp["severity"] == "error"
    assert ptp["lines"] == [1, 2]
    assert ptp["fix"].startswith("Append 59 or XS to 97597")
    assert "2024Q3" in ptp["source"]
    assert body["counts"]["error"] == 1
    assert "RVU24C" in body["sources"]["pfs"]


def test_a_clean_claim_has_no_findings(client, samples):
    response = post(client, claim(line("11042"), line("97597", modifiers=["XS"])))

    assert response.status_code == 200
    assert response.json()["findings"] == []


def test_malformed_json_is_a_400_that_says_where(client, db):
    response = post(client, '{"lines": [', raw=True)

    assert response.status_code == 400
    [error] = errors_of(response)
    assert error["field"] == "body"
    assert error["message"].startswith("malformed JSON")
    assert "line 1, column" in error["message"]


def test_a_body_that_is_not_an_object_is_refused(client, db):
    response = post(client, [claim()])

    assert response.status_code == 422
    assert errors_of(response)[0]["message"] == services.NOT_AN_OBJECT.format(kind="a list")


@pytest.mark.parametrize(
    ("body", "line_number", "field", "words"),
    [
        pytest.param(
            claim(colour="red"), None, "colour", "unknown field 'colour'", id="unknown-claim-field"
        ),
        pytest.param(
            claim(line(), line(cpt="99213")),
            2,
            "cpt",
            "unknown field 'cpt'",
            id="unknown-line-field",
        ),
        pytest.param(
            claim(line(), line(units=-1)),
            2,
            "units",
            "between 0 and 9999, not -1",
            id="negative-units",
        ),
        pytest.param(
            claim(line(units=10000)), 1, "units", "between 0 and 9999, not 10000", id="huge-units"
        ),
        pytest.param(claim(line(units=1.5)), 1, "units", "whole number", id="fractional-units"),
        pytest.param(claim(line(units=True)), 1, "units", "whole number", id="boolean-units"),
        pytest.param(
            claim(line(date_of_service="07/15/2024")),
            1,
            "date_of_service",
            "YYYY-MM-DD",
            id="us-date",
        ),
        pytest.param(
            claim(line(date_of_service="2024-02-30")),
            1,
            "date_of_service",
            "not a real date",
            id="no-such-day",
        ),
        pytest.param(
            claim(line(date_of_service=20240715)),
            1,
            "date_of_service",
            "YYYY-MM-DD",
            id="number-date",
        ),
        pytest.param(
            claim(line(modifiers=["59", "XS", "RT", "LT", "25"])),
            1,
            "modifiers",
            "at most 4",
            id="five-modifiers",
        ),
        pytest.param(
            claim(line(modifiers=["5"])),
            1,
            "modifiers",
            "modifier 1 must be 2 letters",
            id="short-modifier",
        ),
        pytest.param(claim(line(code="1104")), 1, "code", "5-character", id="short-code"),
        pytest.param(
            claim({"units": 1, "date_of_service": DOS}),
            1,
            "code",
            "code is required",
            id="missing-code",
        ),
        pytest.param(
            claim(line(diagnosis_pointers=[13])),
            1,
            "diagnosis_pointers",
            "from 1 to 12",
            id="pointer-13",
        ),
        pytest.param(
            claim(line(place_of_service="office")),
            1,
            "place_of_service",
            "2-digit",
            id="place-word",
        ),
        pytest.param(
            claim(diagnoses=["E11.9"] * 13),
            None,
            "diagnoses",
            "at most 12",
            id="thirteen-diagnoses",
        ),
        pytest.param(
            claim(diagnoses=["11042"]), None, "diagnoses", "ICD-10-CM", id="cpt-as-diagnosis"
        ),
        pytest.param(
            claim(line(number=3), line(number=3)),
            3,
            "lines.number",
            "more than one line",
            id="repeated-number",
        ),
        pytest.param(
            claim(setting="inpatient"), None, "setting", "practitioner", id="unknown-setting"
        ),
        pytest.param({"diagnoses": []}, None, "lines", "required", id="no-lines-field"),
        pytest.param(claim(lines=[]), None, "lines", "at least one line", id="empty-lines"),
        pytest.param(claim(lines=["99213"]), 1, "line", "object", id="line-not-an-object"),
    ],
)
def test_bad_input_is_a_422_naming_the_line_and_field(client, db, body, line_number, field, words):
    response = post(client, body)

    assert response.status_code == 422
    assert response.json()["detail"].startswith("the claim is not valid")
    error = errors_of(response)[0]
    assert (error["line"], error["field"]) == (line_number, field)
    assert words in error["message"]


def test_line_errors_name_the_line_number_the_claim_gave(client, db):
    response = post(client, claim(line(number=7), line(number=9, units=-5)))

    assert errors_of(response)[0]["line"] == 9


def test_a_claim_of_10000_lines_is_refused_with_one_clear_error(client, db):
    response = post(client, claim(*[line()] * 10_000))

    assert response.status_code == 422
    assert errors_of(response) == [
        {"line": None, "field": "lines", "message": schemas.TOO_MANY_LINES.format(count=10_000)}
    ]


def test_a_body_over_a_megabyte_is_a_413(client, db):
    response = post(client, claim(claim_id="x" * 1_100_000))

    assert response.status_code == 413
    size = len(json.dumps(claim(claim_id="x" * 1_100_000)))
    assert response.json()["detail"] == api.BODY_TOO_LARGE.format(size=f"{size:,}")


def test_lower_case_modifiers_and_codes_are_accepted_and_upper_cased(client, samples):
    response = post(
        client,
        claim(line("11042"), line("97597", modifiers=["xs"]), line("g0283", modifiers=["rt"])),
    )

    assert response.status_code == 200
    rules = {f["rule"] for f in response.json()["findings"]}
    assert "ptp" not in rules  # xs bypassed the edit as XS does
    assert "code_invalid" not in rules or "G0283" in json.dumps(response.json())


def test_duplicate_lines_are_a_warning_not_an_error(client, samples):
    response = post(client, claim(line("99213"), line("99213")))

    assert response.status_code == 200
    [duplicate] = [f for f in response.json()["findings"] if f["rule"] == "duplicate_line"]
    assert duplicate["severity"] == "warning"
    assert duplicate["lines"] == [1, 2]


def test_the_openapi_schema_documents_the_claim_body(client, db):
    schema = client.get("/api/v1/openapi.json").json()

    body = schema["paths"]["/api/v1/claims/check"]["post"]["requestBody"]
    properties = body["content"]["application/json"]["schema"]["properties"]
    assert {"claim_id", "setting", "diagnoses", "lines"} <= set(properties)
    assert "code" in properties["lines"]["items"]["properties"]


# Batch ---------------------------------------------------------------------------------------


def results(response) -> list[dict[str, Any]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    text = b"".join(response.streaming_content).decode()
    return [json.loads(row) for row in text.splitlines()]


def test_a_batch_of_json_lines_streams_a_result_per_claim_then_a_summary(client, samples):
    body = "\n".join(
        [
            json.dumps(claim(line("11042"), line("97597"), claim_id="A")),
            "",
            json.dumps(claim(line("99213", units=-1), claim_id="B")),
            "{not json",
            json.dumps(claim(line("99213"), claim_id="C")),
        ]
    )
    rows = results(client.post(BATCH, data=body, content_type="application/x-ndjson"))

    assert [r.get("claim_id") for r in rows[:4]] == ["A", "B", None, "C"]
    assert [r["record"] for r in rows[:4]] == [1, 3, 4, 5]
    assert any(f["rule"] == "ptp" for f in rows[0]["findings"])
    assert rows[1]["errors"][0] == {
        "line": 1,
        "field": "units",
        "message": schemas.UNITS_OUT_OF_RANGE.format(value=-1),
    }
    assert rows[2]["errors"][0]["message"].startswith("malformed JSON")
    assert rows[4]["summary"]["claims"] == 4
    assert rows[4]["summary"]["invalid"] == 2


CSV_TEXT = (
    "claim_id,line,code,modifiers,units,date_of_service,diagnosis_pointers,diagnoses\r\n"
    "A,1,11042,,1,2024-07-15,1,E11.621 L97.421\r\n"
    "A,2,97597,,1,2024-07-15,1 2,\r\n"
    "B,1,99213,xs,1,07/15/2024,A,M79.89\r\n"
)


def test_a_csv_batch_groups_rows_into_claims(client, samples):
    rows = results(client.post(BATCH, data=CSV_TEXT, content_type="text/csv"))

    assert rows[0]["claim_id"] == "A"
    assert [f["lines"] for f in rows[0]["findings"] if f["rule"] == "ptp"] == [[1, 2]]
    assert rows[1]["claim_id"] == "B"
    assert rows[1]["errors"][0] == {
        "line": 1,
        "field": "date_of_service",
        "message": schemas.DATE_FORMAT.format(value="07/15/2024"),
        "row": 4,
    }


def test_a_csv_without_a_required_column_is_a_400_naming_it(client, db):
    text = "claim_id,code,date_of_service\nA,99213,2024-07-15\n"
    response = client.post(BATCH, data=text, content_type="text/csv")

    assert response.status_code == 400
    assert response.json()["detail"] == services.CSV_MISSING_COLUMNS.format(
        columns="units", required=", ".join(services.CSV_REQUIRED)
    )


def test_a_csv_with_an_unknown_column_is_a_400_naming_it(client, db):
    text = "claim_id,code,units,date_of_service,colour\nA,99213,1,2024-07-15,red\n"
    response = client.post(BATCH, data=text, content_type="text/csv")

    assert response.status_code == 400
    assert "colour" in response.json()["detail"]


def test_a_claims_rows_must_be_together_in_a_csv(client, samples):
    text = (
        "claim_id,code,units,date_of_service,diagnosis_pointers,diagnoses\n"
        "A,99213,1,2024-07-15,1,M79.89\nB,99213,1,2024-07-15,1,M79.89\nA,11042,1,2024-07-15,1,M79.89\n"
    )
    rows = results(client.post(BATCH, data=text, content_type="text/csv"))

    assert rows[2]["errors"][0]["message"] == services.CSV_ROWS_APART.format(claim_id="A", row=4)


def test_a_batch_in_another_format_is_a_415(client, db):
    response = client.post(BATCH, data="<claims/>", content_type="application/xml")

    assert response.status_code == 415
    assert "text/csv" in response.json()["detail"]


def test_a_json_list_is_a_batch_too(client, samples):
    body = json.dumps([claim(claim_id="A"), claim(line(units=99999), claim_id="B")])
    rows = results(client.post(BATCH, data=body, content_type="application/json"))

    assert [r["claim_id"] for r in rows[:2]] == ["A", "B"]
    assert "errors" in rows[1]


def test_malformed_json_in_a_json_batch_is_a_400(client, db):
    response = client.post(BATCH, data="[{", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith("malformed JSON")


def test_a_batch_can_be_uploaded_as_a_file(client, samples):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("claims.csv", CSV_TEXT.encode(), content_type="text/csv")
    rows = results(client.post(BATCH, {"file": upload}))

    assert [r.get("claim_id") for r in rows[:2]] == ["A", "B"]
    assert rows[2]["summary"]["claims"] == 2


def test_an_upload_without_the_file_field_is_a_400(client, db):
    response = client.post(BATCH, {"other": "x"})

    assert response.status_code == 400
    assert response.json()["detail"] == api.NO_FILE


@pytest.mark.parametrize("path", [CHECK, BATCH])
def test_a_wrong_api_key_is_refused_before_the_claim_is_read(client, db, path):
    response = client.post(
        path,
        data=json.dumps(claim()),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer mc_not_a_real_key",
    )

    assert response.status_code == 401
    assert "detail" in response.json()


def test_the_check_gives_the_expected_payment_per_line_and_a_total(client, samples):
    response = post(client, claim(line("11042", place_of_service="11"), line("99213")))

    payment = response.json()["payment"]
    assert payment["basis"] == "national"
    assert [(p["line"], p["amount"]) for p in payment["lines"]] == [(1, "126.72"), (2, "85.13")]
    assert payment["total"] == "211.85"
    assert payment["is_complete"] is True
    assert "RVU24C" in payment["lines"][0]["source"]


def test_a_malformed_locality_is_a_422_naming_the_field(client, db):
    response = post(client, claim(locality="<script>"))

    assert response.status_code == 422
    [error] = errors_of(response)
    assert error["field"] == "locality"
    assert "locality must be" in error["message"]


def test_a_locality_without_gpcis_of_its_year_gets_national_amounts_and_says_so(client, samples):
    response = post(client, claim(line("99213"), locality="Atlantis"))

    payment = response.json()["payment"]
    assert payment["basis"] == "national"
    assert payment["lines"][0]["amount"] == "85.13"
    assert any(n.startswith("GPCIs for 2024 are not loaded") for n in payment["notices"])
