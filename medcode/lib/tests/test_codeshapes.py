"""FY2026 brought an ICD-10-CM category with a letter in second place (QA0): every parser of
code-shaped text takes it, and still refuses what cannot be a code."""

import pytest
from pydantic import ValidationError

from medcode.assistant.intent import code_shapes
from medcode.claims.schemas import ClaimCheckIn
from medcode.codes.templatetags.code_links import link_codes
from medcode.content.articles import system_for_code
from medcode.lib.codeshapes import CPT_CODE, HCPCS_LEVEL2_CODE, system_of
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


# --- one vocabulary: system_of, and every reader of code shapes agreeing with it

SYSTEMS = [
    ("63650", "CPT"),
    ("0001F", "CPT"),  # Category II
    ("0042T", "CPT"),  # Category III
    ("0001U", "CPT"),  # proprietary laboratory analysis
    ("0001M", "CPT"),  # multianalyte assay (two readers used to omit M)
    ("0001A", "CPT"),  # vaccine administration (in the NCCI PTP files)
    ("A4550", "HCPCS"),
    ("V2020", "HCPCS"),
    ("W1234", "ICD10CM"),  # not Level II (its letters run A-V; one reader took any letter)
    ("0001X", None),
    ("E1100", "HCPCS"),  # E11.00 needs its dot to read as ICD-10-CM
    ("E11.00", "ICD10CM"),
    ("QA0.0101", "ICD10CM"),
    ("S72001A", "ICD10CM"),
    ("0DTJ4ZZ", "ICD10PCS"),
    ("0DTJ4IZ", None),  # PCS never uses I or O
    ("59", None),
    ("", None),
]


@pytest.mark.parametrize(("code", "system"), SYSTEMS)
def test_system_of(code: str, system: str | None) -> None:
    assert system_of(code) == system
    assert system_of(code.lower()) == system


PROCEDURES = [(code, system) for code, system in SYSTEMS if len(code) == 5]


@pytest.mark.parametrize(("code", "system"), PROCEDURES)
def test_every_reader_of_procedure_codes_agrees_with_system_of(
    code: str, system: str | None
) -> None:
    procedure = system if system in ("CPT", "HCPCS") else None
    assert (procedure == "CPT") == bool(CPT_CODE.match(code))
    assert (procedure == "HCPCS") == bool(HCPCS_LEVEL2_CODE.match(code))
    # CasePilot, search and the editorial articles read the shape the same way.
    assert (
        (procedure in code_shapes(code))
        if procedure
        else not {"CPT", "HCPCS"} & set(code_shapes(code))
    )
    searched = set(code_systems(code)[0])
    assert ({procedure.lower()} if procedure else set()) == searched & {"cpt", "hcpcs"}
    assert system_for_code(code) == procedure
