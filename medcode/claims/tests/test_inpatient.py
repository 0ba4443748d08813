"""POST /api/v1/claims/inpatient-check and `medcode claims inpatient`: MCE edits of a
discharge over the real v43.1 lists (skipped without them), its MS-DRG with the real Table 5
weight, and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from medcode.cli import main
from medcode.codes.services import import_file

URL = "/api/v1/claims/inpatient-check"
MCE_FILE = "incoming/2026/Definitions_of_Medicare_Code_Edits_v_43_1.txt.gz"
WEIGHTS_FILE = "msdrg_weights_fy2026.csv.gz"
DISCHARGE = {
    "discharge_date": "2026-05-04",
    "age": 78,
    "principal_diagnosis": "E11.9",  # questionable admission as principal (8A)
    "secondary_diagnoses": ["O24.419", "G81.90"],  # maternity at 78 (4C); laterality (20)
    "procedures": ["0SR20JZ", "0FYG0Z0"],  # over 60 (11F); pancreas alone (11B), limited (17A)
}


def post(client: Any, body: Any) -> Any:
    return client.post(URL, data=json.dumps(body), content_type="application/json")


@pytest.mark.fulldata
def test_a_discharge_gets_the_mce_edits_of_the_real_lists(
    client, db, shared_data_dir: Path, capsys, tmp_path
):
    import_file(shared_data_dir.parent / MCE_FILE)

    response = post(client, DISCHARGE)

    assert response.status_code == 200
    body = response.json()
    assert [e["edit"] for e in body["edits"]] == ["4C", "8A", "11B", "11F", "17A", "20"]
    assert body["edits"][0]["codes"] == ["O24419"]
    assert "v43.1" in body["edits"][0]["source"]
    # Grouped in the same call (drgpy's DRG for these codes is not hand-checked here: the case
    # set in rules/tests is), and no weight is quoted without a loaded Table 5.
    assert body["ms_drg"]["grouped"] is True
    assert body["ms_drg"]["weight"] is None
    assert "no MS-DRG weights (IPPS Table 5) loaded for 2026-05-04" in body["ms_drg"]["reason"]
    assert body["notices"]  # no ICD-10-CM/PCS release imported: validity not checked
    path = tmp_path / "discharge.json"
    path.write_text(json.dumps(DISCHARGE))
    assert main(["claims", "inpatient", str(path)]) == 1
    assert "6 MCE edit(s)" in capsys.readouterr().out
    assert main(["claims", "inpatient", str(path), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["edits"] == body["edits"]


@pytest.mark.fulldata
def test_a_discharge_is_grouped_with_the_table_5_weight(
    client, db, shared_data_dir, capsys, tmp_path
):
    import_file(shared_data_dir / WEIGHTS_FILE)
    import_file(shared_data_dir / "icd10cm_cc_mcc_fy2026.csv.gz")
    body = {
        "discharge_date": "2026-05-04",
        "principal_diagnosis": "I21.4",
        "secondary_diagnoses": ["E11.9", "N18.4"],
        "sex": "m",
    }

    response = post(client, body)

    assert response.status_code == 200
    drg = response.json()["ms_drg"]
    assert (drg["drg"], drg["mdc"], drg["type"], drg["weight"]) == ("281", "05", "MED", 0.9191)
    assert drg["title"] == "ACUTE MYOCARDIAL INFARCTION, DISCHARGED ALIVE WITH CC"
    assert drg["drove"] == ["N184"]
    assert "MS-DRG v43 FY2026" in drg["weight_source"]
    assert drg["version"] == "v43.1"
    expired = post(client, {**body, "discharge_status": "20"}).json()["ms_drg"]
    assert (expired["drg"], expired["weight"]) == ("284", 0.6922)
    # Z59.00 is a CC on the loaded Table 6J that drgpy's tables lack: shown, not counted, warned.
    homeless = {**body, "principal_diagnosis": "I50.9", "secondary_diagnoses": ["Z59.00"]}
    drg = post(client, homeless).json()["ms_drg"]
    assert (drg["drg"], drg["severity"][0]["counted"]) == ("293", False)
    assert "Z59.00 is a CC on IPPS Table 6J but drgpy does not count it" in drg["warnings"][0]
    path = tmp_path / "discharge.json"
    path.write_text(json.dumps(body))
    main(["claims", "inpatient", str(path)])
    out = capsys.readouterr().out
    assert "MS-DRG 281" in out and "weight 0.9191" in out and "N184" in out


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({**DISCHARGE, "principal_diagnosis": "1E1.9"}, "principal_diagnosis", "ICD-10-CM"),
        ({**DISCHARGE, "procedures": ["0SR20J"]}, "procedures", "7-character ICD-10-PCS"),
        ({**DISCHARGE, "age": 130}, "age", "124"),
        ({**DISCHARGE, "discharge_date": "05/04/2026"}, "discharge_date", "YYYY-MM-DD"),
        ({**DISCHARGE, "colour": "red"}, "colour", "Extra inputs"),
        ({**DISCHARGE, "sex": "X"}, "sex", "'M' or 'F'"),
        ({**DISCHARGE, "discharge_status": "home"}, "discharge_status", "two digits"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, db, body, field, words):
    response = post(client, body)

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert words in error["message"]


def test_malformed_json_is_a_400(client, db):
    response = client.post(URL, data="{", content_type="application/json")

    assert response.status_code == 400
