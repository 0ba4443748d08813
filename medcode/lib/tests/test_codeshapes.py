"""FY2026 brought an ICD-10-CM category with a letter in second place (QA0): every parser of
code-shaped text takes it, and still refuses what cannot be a code."""

import pytest
from pydantic import ValidationError

from medcode.assistant.intent import code_shapes
from medcode.claims.schemas import ClaimCheckIn
from medcode.codes.templatetags.code_links import link_codes
from medcode.rules.diagnoses import CODE_PATTERN_RE
from medcode.search.querytext import code_systems

NEW_SHAPE = ["QA0", "QA0.0101", "QA00101", "QA0.8"]
OLD_SHAPE = ["S72.001A", "C4A.0", "E119"]
LINE = {"code": "99213", "date_of_service": "2026-03-02"}


@pytest.mark.parametrize("code", NEW_SHAPE + OLD_SHAPE)
def test_a_claim_takes_the_diagnosis(code: str) -> None:
    claim = ClaimCheckIn.model_validate({"diagnoses": [code], "lines": [LINE]})
    assert claim.diagnoses == [code]


@pytest.mark.parametrize("code", ["QAA.1", "Q0", "1A0.1", "QA0.01234"])
def test_a_claim_refuses_what_is_not_a_diagnosis_code(code: str) -> None:
    with pytest.raises(ValidationError, match="diagnosis"):
        ClaimCheckIn.model_validate({"diagnoses": [code], "lines": [LINE]})


@pytest.mark.parametrize("code", NEW_SHAPE + OLD_SHAPE)
def test_search_and_casepilot_read_it_as_icd10cm(code: str) -> None:
    assert "icd10cm" in code_systems(code)[0]
    assert "ICD10CM" in code_shapes(code)


def test_excludes_notes_and_links_find_it() -> None:
    found = CODE_PATTERN_RE.search("Excludes1: SCN2A disorders (QA0.0-)")
    assert found is not None and found.group("start") == "QA0.0"
    assert 'href="/codes/QA0.0101/"' in link_codes("Code also QA0.0101 if known")
