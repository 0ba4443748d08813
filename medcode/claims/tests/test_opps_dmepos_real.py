"""The expected OPPS payment of outpatient hospital claims and the DMEPOS fees of DME lines,
over the real April 2026 Addendum B and April 2025 DMEPOS files, checked to the cent against
a calculation written out here from the raw rows (skipped without them)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from medcode.claims.tests.test_payment_real import cents, raw_rows
from medcode.cli import main
from medcode.codes.services import import_file

CHECK = "/api/v1/claims/check"
OPPS_DOS = "2026-05-04"
DME_DOS = "2025-05-05"


@pytest.fixture
def real_opps(db: None, shared_data_dir: Path) -> Path:
    import_file(shared_data_dir / "opps_addendum_b_2026_04.csv.gz")
    return shared_data_dir


@pytest.fixture
def real_dmepos(db: None, shared_data_dir: Path) -> Path:
    import_file(shared_data_dir / "dmepos_fee_schedule_2025_04.csv.gz")
    return shared_data_dir


def line(code: str, *modifiers: str, units: int = 1, dos: str = OPPS_DOS) -> dict[str, Any]:
    return {"code": code, "modifiers": list(modifiers), "units": units, "date_of_service": dos}


def post(client: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(CHECK, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    payment: dict[str, Any] = response.json()["payment"]
    return payment


@pytest.mark.fulldata
def test_an_outpatient_claims_opps_payment_equals_the_hand_calculation(real_opps, client):
    rows = {r["hcpcs"]: r for r in raw_rows(real_opps / "opps_addendum_b_2026_04.csv.gz")}
    si = {code: rows[code]["status_indicator"] for code in rows}
    rate = {code: Decimal(rows[code]["payment_rate"] or "0") for code in rows}
    # The status indicators the calculation relies on, as the file gives them.
    assert [si[c] for c in ("96374", "96375", "93005", "36415", "71046", "J0696")] == [
        "S",
        "S",
        "Q1",
        "Q4",
        "Q3",
        "N",
    ]
    # Two T procedures of the file with different rates: the higher paid in full.
    t_codes = sorted((c for c in rows if si[c] == "T" and rate[c] > 0), key=lambda c: rate[c])
    low, high = t_codes[0], t_codes[-1]
    assert rate[high] > rate[low]
    body = {
        "setting": "outpatient_hospital",
        "lines": [
            line("96374"),
            line("96375", units=2),
            line("93005"),  # Q1 with an S service that date: packaged
            line("36415"),  # Q4 with S, T, Q-lines on the claim: packaged
            line("71046"),  # the only Q3 of the date: its own rate
            line("J0696"),  # N: packaged
            line(low),
            line(high),
        ],
    }
    expected = {
        1: rate["96374"],
        2: cents(rate["96375"] * 2),
        3: Decimal("0.00"),
        4: Decimal("0.00"),
        5: rate["71046"],
        6: Decimal("0.00"),
        7: cents(rate[low] * Decimal("0.5")),  # SI T multiple procedure reduction
        8: rate[high],
    }

    payment = post(client, body)

    assert payment["basis"] == "opps_national"
    assert {p["line"]: Decimal(p["amount"]) for p in payment["lines"]} == expected
    assert Decimal(payment["total"]) == sum(expected.values())
    assert payment["is_complete"] is True
    assert [p["status"] for p in payment["lines"]][2:4] == ["packaged", "packaged"]
    assert payment["lines"][2]["packaged_into"] == [1, 2, 7, 8]  # the S and T lines
    assert {p["schedule"] for p in payment["lines"]} == {"opps"}
    assert payment["lines"][0]["source"] == "OPPS Addendum B 2026 April, effective 2026-04-01"
    assert payment["sources"]["opps"] == payment["lines"][0]["source"]


@pytest.mark.fulldata
def test_a_j1_line_is_the_claims_one_payment(real_opps, client, tmp_path, capsys):
    rows = {r["hcpcs"]: r for r in raw_rows(real_opps / "opps_addendum_b_2026_04.csv.gz")}
    assert rows["29881"]["status_indicator"] == "J1"
    body = {
        "setting": "outpatient_hospital",
        "lines": [line("96374"), line("29881"), line("93005"), line("C1778")],
    }

    payment = post(client, body)

    assert payment["total"] == str(Decimal(rows["29881"]["payment_rate"]).quantize(Decimal("0.01")))
    packaged = [p for p in payment["lines"] if p["status"] == "packaged"]
    assert [p["line"] for p in packaged] == [1, 3, 4]
    assert all(p["packaged_into"] == [2] for p in packaged)

    path = tmp_path / "claim.json"
    path.write_text(json.dumps(body))
    main(["claims", "check", str(path)])
    out = capsys.readouterr().out
    assert f"Expected Medicare payment (OPPS national): ${payment['total']}" in out
    assert "OPPS SI J1" in out and "packaged" in out


@pytest.mark.fulldata
def test_dme_lines_take_the_states_dmepos_fee_by_modifier(real_dmepos, client):
    raw = raw_rows(real_dmepos / "dmepos_fee_schedule_2025_04.csv.gz")

    def fee(code: str, mod: str, column: str) -> Decimal:
        [row] = [r for r in raw if r["hcpcs"] == code and r["mod"] == mod and not r["mod2"]]
        return Decimal(row[column])

    body = {
        "state": "TX",
        "lines": [
            line("E0114", "NU", dos=DME_DOS),
            line("E0114", "RR", units=2, dos=DME_DOS),
            line("E0114", dos=DME_DOS),  # no payment modifier: no row
            line("E0601", "RR", dos=DME_DOS),
        ],
    }
    expected = {
        1: fee("E0114", "NU", "tx_nr"),
        2: cents(fee("E0114", "RR", "tx_nr") * 2),
        3: None,
        4: fee("E0601", "RR", "tx_nr"),
    }

    payment = post(client, body)

    amounts = {p["line"]: p["amount"] for p in payment["lines"]}
    assert amounts == {k: None if v is None else str(v) for k, v in expected.items()}
    assert payment["state"] == "TX" and payment["is_complete"] is False
    assert Decimal(payment["total"]) == sum(v for v in expected.values() if v is not None)
    assert "(NU, RR, UE)" in payment["lines"][2]["reason"]
    assert payment["lines"][0]["schedule"] == "dmepos"
    assert payment["sources"]["dmepos"] == "DMEPOS fee schedule 2025 April, effective 2025-04-01"

    rural = post(client, {**body, "rural": True})
    assert rural["lines"][3]["amount"] == str(fee("E0601", "RR", "tx_r"))
    assert rural["lines"][0]["amount"] is None  # the file gives E0114 no rural fee (0)

    by_county = post(client, {"locality": "Kings County, NY", "lines": body["lines"][:1]})
    assert by_county["state"] == "NY"
    assert by_county["lines"][0]["amount"] == str(fee("E0114", "NU", "ny_nr"))

    later = post(client, {"state": "TX", "lines": [line("E0114", "NU", dos="2026-02-02")]})
    assert later["lines"][0]["amount"] is None
    assert "No DMEPOS fee schedule of 2026 is loaded" in later["lines"][0]["reason"]


def test_a_bad_state_is_a_clear_error(db, client):
    body = {"state": "Texas", "lines": [line("E0114", "NU", dos=DME_DOS)]}
    response = client.post(CHECK, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert "state must be a two-letter US state abbreviation" in response.content.decode()


@pytest.mark.fulldata
def test_the_worksheet_prices_an_outpatient_claim_and_dme_in_a_state(real_opps, client):
    htmx = {"HTTP_HX_REQUEST": "true"}
    for code in ("29881", "93005"):
        client.post("/claims/add/", {"code": code, "date": OPPS_DOS})
    settings = {"locality": "", "setting": "outpatient_hospital", "state": "", "rural": ""}

    response = client.post("/claims/locality/", settings, **htmx)

    html = response.content.decode()
    rows = {r["hcpcs"]: r for r in raw_rows(real_opps / "opps_addendum_b_2026_04.csv.gz")}
    assert f"${Decimal(rows['29881']['payment_rate']):.2f}" in html
    assert "OPPS, SI J1" in html and "packaged into line 1" in html
    lines = client.get("/claims/export/lines.csv").content.decode()
    assert "outpatient_hospital" in lines
    payment = client.get("/claims/export/payment.csv").content.decode()
    assert "opps,J1" in payment

    bad = client.post("/claims/locality/", {**settings, "state": "ZZ"}, **htmx)
    assert "state must be a two-letter US state abbreviation" in bad.content.decode()


def test_the_openapi_schema_documents_state_rural_and_the_opps_line_fields(db, client):
    schema = client.get("/api/v1/openapi.json").json()
    body = schema["paths"]["/api/v1/claims/check"]["post"]["requestBody"]
    properties = body["content"]["application/json"]["schema"]["properties"]
    assert "DMEPOS" in properties["state"]["description"]
    assert properties["rural"]["type"] == "boolean"
    line = schema["components"]["schemas"]["LinePaymentOut"]["properties"]
    assert line["schedule"]["enum"] == ["pfs", "opps", "dmepos"]
    assert "packaged" in line["status"]["enum"]
    assert {"status_indicator", "packaged_into"} <= set(line)
    basis = schema["components"]["schemas"]["PaymentOut"]["properties"]["basis"]
    assert "opps_national" in basis["enum"]
