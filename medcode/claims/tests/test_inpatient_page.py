"""/claims/inpatient/: the discharge form and its answer (the inpatient check's MCE edits and
MS-DRG), and bad input said in the page."""

from __future__ import annotations

from typing import Any

URL = "/claims/inpatient/"
AMI = {
    "discharge_date": "2026-05-04",
    "principal_diagnosis": "I21.4",
    "secondary_diagnoses": "E11.9, N18.4",
    "sex": "M",
    "discharge_status": "01",
}


def page(client: Any, params: dict[str, str]) -> str:
    response = client.get(URL, params)
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_empty_form_checks_nothing(client, db):
    text = page(client, {})

    assert 'name="principal_diagnosis"' in text
    assert "MCE edits:" not in text


def test_a_discharge_is_grouped_and_checked(client, db):
    text = page(client, AMI)

    assert "MS-DRG 281" in text
    assert "N184: CC, counted" in text
    assert "drgpy 0.2.1, MS-DRG v43.1" in text
    assert "MCE edits: 0" in text
    # No IPPS Table 5 is loaded in this database: no weight, and the page says why.
    assert "Relative weight" not in text
    assert "no MS-DRG weights (IPPS Table 5) loaded for 2026-05-04" in text


def test_the_known_difference_is_flagged_on_the_page(client, db):
    text = page(
        client,
        {**AMI, "principal_diagnosis": "M16.0", "secondary_diagnoses": "",
         "procedures": "0SR9019 0SRB019", "sex": "F"},
    )  # fmt: skip

    assert "MS-DRG 470" in text
    assert "should group to 461-462" in text
    # The difference points readers to About the data, never to a file in the repository.
    assert "docs/" not in text and ".md" not in text
    assert "see About the data, MS-DRG grouping" in text
    assert 'href="/about/data/#msdrg"' in text


def test_bad_input_is_said_naming_the_field(client, db):
    text = page(client, {**AMI, "procedures": "0SR90"})

    assert "procedures: procedure 1 must be a 7-character ICD-10-PCS code" in text
    assert "MS-DRG 281" not in text


def test_the_worksheet_links_to_it(client, db):
    assert URL in client.get("/claims/").content.decode()
