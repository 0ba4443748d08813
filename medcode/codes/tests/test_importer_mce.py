"""The MCE edit-list importer, on a short manual in the layout of CMS's text rendering."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.db.models import Count

from medcode.codes.importers import icd10pcs, mce
from medcode.codes.models import MceListing, ReferenceRow, Release
from medcode.codes.services import import_file
from medcode.codes.tests.incoming import FIXTURES, incoming_file
from medcode.lib.datafiles import iter_csv_dicts, iter_lines
from medcode.lib.errors import DataFileError

MANUAL = FIXTURES / "mce" / "Definitions_of_Medicare_Code_Edits_v_43_1.txt"


Listed = tuple[str, str, int | None, int | None, dict[str, object]]


def lists(release_id: int) -> dict[str, list[Listed]]:
    found: dict[str, list[Listed]] = {}
    for row in MceListing.objects.filter(release_id=release_id).order_by("pk"):
        found.setdefault(row.list_key, []).append(
            (row.edit, row.code, row.age_low, row.age_high, row.attributes)
        )
    return found


@pytest.mark.django_db
def test_it_reads_every_list_of_the_manual_with_its_edit_ages_and_notes():
    result = import_file(MANUAL)

    assert result.dataset == "mce_edits"
    assert result.row_counts == {"mce_codes": 17, "mce_lists": 12}
    release = Release.objects.get()
    assert (release.version_label, release.effective_from) == (
        "v43.1 (April 2026)",
        dt.date(2026, 4, 1),
    )
    found = lists(result.release_id)
    assert found["age_perinatal"] == [("4A", "A33", 0, 0, {}), ("4A", "Z3800", 0, 0, {})]
    assert found["age_maternity"] == [("4C", "O0900", 9, 64, {}), ("4C", "Z332", 9, 64, {})]
    assert [c for _, c, *_ in found["manifestation_pdx"]] == ["D630", "G132"]
    assert [c for _, c, *_ in found["questionable_admission"]] == ["R030"]
    assert [c for _, c, *_ in found["questionable_obstetric_cesarean"]] == ["10D00Z0"]
    assert [c for _, c, *_ in found["questionable_obstetric_vaginal"]] == ["10E0XZZ"]
    assert [c for _, c, *_ in found["outcome_of_delivery"]] == ["Z370"]
    # The note before edit 9's list is not a list; the asterisk on the list says the same.
    assert found["unacceptable_pdx"] == [
        ("9", "B950", None, None, {}),
        ("9", "Z5189", None, None, {"requires_secondary_dx": True}),
    ]
    assert [c for _, c, *_ in found["noncovered"]] == ["00F3XZZ"]
    assert [c for _, c, *_ in found["noncovered_pancreas_transplant"]] == ["0FYG0Z0", "0FYG0Z1"]
    assert [c for _, c, *_ in found["noncovered_pancreas_diagnoses"]] == ["E1010"]
    assert [c for _, c, *_ in found["unspecified_laterality"]] == ["G8100"]
    # Chapter 2 (codes removed since the last release) is not a list of the edits.
    assert not MceListing.objects.filter(code="F0781").exists()
    pancreas = ReferenceRow.objects.get(
        key="mce_list", data__list_key="noncovered_pancreas_diagnoses"
    )
    assert "except for the following condition" in pancreas.data["condition"]


@pytest.mark.django_db
def test_a_reimport_is_unchanged():
    import_file(MANUAL)

    assert import_file(MANUAL).status == "unchanged"
    assert MceListing.objects.count() == 17


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = MANUAL.read_bytes().decode("cp1252")
    assert old in text
    path = tmp_path / MANUAL.name
    path.write_bytes(text.replace(old, new, 1).encode("cp1252"))
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        # A list under a heading nobody declared: refused, not filed under the wrong edit.
        ("Questionable admission codes", "Questionable readmission codes", "no MCE list"),
        ("R030\t", "10D00Z0\t", "is not an ICD10CM code"),
        ("*Z5189", "Z5189", "asterisked codes"),
        ("(age 9 through 64)\r\n", "(age 12 through 55)\r\n", "the heading says age"),
        (
            "Chapter 1: Edit code lists\r\nBelow",
            "Chapter 1: Edit code lists\r\nAbove",
            "list of edits",
        ),
        ("G132\t", "D630\t", "duplicate code"),
    ],
)
@pytest.mark.django_db
def test_a_changed_layout_is_refused_naming_the_problem(tmp_path, old, new, message):
    with pytest.raises(DataFileError) as caught:
        import_file(edited(tmp_path, old, new), dataset=mce.DATASETS[0])

    assert message in str(caught.value)
    assert not Release.objects.exists() and not MceListing.objects.exists()


def test_the_manual_is_recognised_by_name_and_title(tmp_path):
    from medcode.codes.importers.registry import detect

    assert detect(MANUAL).name == "mce_edits"
    other = tmp_path / MANUAL.name
    other.write_text("Some other text\n")
    assert not mce.matches(other, [])


CODE_LINE = re.compile(r"^\*?[0-9A-Z]{3,7}\s*\t")


@pytest.mark.django_db
def test_the_real_manual_parses_every_listed_code(shared_data_dir):
    path = incoming_file(shared_data_dir, "Definitions_of_Medicare_Code_Edits_v_43_1.txt.gz")
    result = import_file(path)

    rows = MceListing.objects.filter(release_id=result.release_id)
    counts = dict(rows.values_list("list_key").annotate(n=Count("pk")))
    assert counts["age_maternity"] == 2543 and counts["unacceptable_pdx"] == 2652
    assert rows.filter(code="Z5189", attributes__requires_secondary_dx=True).count() == 1
    # The manual states no totals: instead every code-shaped line of chapter 1 (less the
    # one-line note of edit 9, which repeats Z5189) is in exactly one list ...
    chapter: list[str] = []
    removed: list[str] = []
    where = "before"
    for _, line in iter_lines(path, encoding="cp1252"):
        if line.strip() == "Chapter 1: Edit code lists":
            where = "chapter 1"
        elif line.startswith("Chapter 2: Code list changes") and "\t" not in line:
            where = "chapter 2"
        elif line.strip() == "Index" and where == "chapter 2":
            where = "after"
        elif CODE_LINE.match(line):
            (chapter if where == "chapter 1" else removed if where == "chapter 2" else []).append(
                line.split("\t")[0].strip().lstrip("*")
            )
    pancreas = 2  # 11B's two procedures are named in its text, not listed
    assert rows.count() == len(chapter) - 1 + pancreas == result.row_counts["mce_codes"]
    # ... the codes chapter 2 says were removed are on no list ...
    assert (
        removed
        and not rows.filter(
            code__in=removed, list_key__in=["unacceptable_pdx", "noncovered_with_diagnoses"]
        ).exists()
    )
    # ... and every listed code is a FY2026 code (ICD-10-PCS as of April 2026).
    cm = {
        r["code_nodot"]
        for _, r in iter_csv_dicts(
            shared_data_dir / "icd10cm_codes_2026.csv.gz", required=("code_nodot",)
        )
    }
    pcs = {
        str(row[1])
        for row in icd10pcs.parse_codes_txt(
            incoming_file(shared_data_dir, "icd10pcs_codes_2026.txt.gz")
        )
    }
    known_codes: tuple[tuple[str, set[str]], ...] = (("ICD10CM", cm), ("ICD10PCS", pcs))
    for system, known in known_codes:
        listed = set(rows.filter(system=system).values_list("code", flat=True))
        assert listed and not listed - known, sorted(listed - known)[:10]


def test_the_conditional_non_covered_lists_are_titled_as_the_manual_states_them():
    # Manual, 11G: non-covered "only when ICD-10-CM diagnosis code Z302 (Encounter for
    # sterilization) is listed as the principal diagnosis or secondary diagnosis".
    titles = {spec.key: spec.title for spec in mce.LISTS}
    assert titles["noncovered_without_sterilization"].startswith("Non-covered procedure when Z30.2")
    assert "unless" not in titles["noncovered_without_sterilization"]
    assert "over age 60" in titles["noncovered_over_60"]
