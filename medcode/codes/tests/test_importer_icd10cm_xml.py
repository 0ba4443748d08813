"""The CDC ICD-10-CM tabular XML importer: codes with generated 7th characters, notes, headings."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from pathlib import Path

import pytest

from medcode.codes.importers import icd10cm_xml
from medcode.codes.importers.base import LICENSED_TEXT_REFUSED
from medcode.codes.importers.registry import UNKNOWN_FILE
from medcode.codes.models import Code, CodeNote, Heading, Release, SeventhCharacter
from medcode.codes.services import import_file
from medcode.lib.errors import DataFileError

TABULAR = """\
<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.tabular>
  <version>2026</version>
  <introduction>
    <introSection type="title">
      <title>ICD-10-CM TABULAR LIST of DISEASES and INJURIES</title>
    </introSection>
  </introduction>
  <chapter>
    <name>1</name>
    <desc>Certain infectious and parasitic diseases (A00-B99)</desc>
    <sectionIndex>
      <sectionRef first="A00" last="A09" id="A00-A09">
         Intestinal infectious diseases
      </sectionRef>
    </sectionIndex>
    <section id="A00-A09">
      <desc>Intestinal infectious diseases (A00-A09)</desc>
      <diag>
        <name>A00</name>
        <desc>Cholera</desc>
        <useAdditionalCode>
          <note>code to identify resistance to antimicrobial drugs (Z16.-)</note>
        </useAdditionalCode>
        <useAdditionalCode>
          <note>code to identify associated manifestations</note>
        </useAdditionalCode>
        <diag>
          <name>A00.0</name>
          <desc>Cholera due to Vibrio cholerae 01, biovar cholerae</desc>
        </diag>
        <diag>
          <name>A00.9</name>
          <desc>Cholera, unspecified</desc>
        </diag>
      </diag>
      <diag>
        <name>A09</name>
        <desc>Infectious gastroenteritis and colitis, unspecified</desc>
      </diag>
    </section>
  </chapter>
  <chapter>
    <name>19</name>
    <desc>Injury, poisoning and certain other consequences of external causes (S00-T88)</desc>
    <notes>
      <note>Use secondary code(s) from Chapter 20 to indicate cause of injury.</note>
    </notes>
    <section id="S00-S09">
      <desc>Injuries to the head (S00-S09)</desc>
      <includes>
        <note>injuries of ear</note>
      </includes>
      <diag>
        <name>S06</name>
        <desc>Intracranial injury</desc>
        <excludes1>
          <note>head injury NOS (S09.90)</note>
        </excludes1>
        <sevenChrNote>
          <note>The appropriate 7th character is to be added to each code from category S06</note>
        </sevenChrNote>
        <sevenChrDef>
          <extension char="A">initial encounter</extension>
          <extension char="D">subsequent encounter</extension>
          <extension char="S">sequela</extension>
        </sevenChrDef>
        <diag>
          <name>S06.0</name>
          <desc>Concussion</desc>
          <inclusionTerm>
            <note>Commotio cerebri</note>
          </inclusionTerm>
          <diag placeholder="true">
            <name>S06.0X</name>
            <desc>Concussion</desc>
            <diag>
              <name>S06.0X0</name>
              <desc>Concussion without loss of consciousness</desc>
            </diag>
            <diag>
              <name>S06.0X7</name>
              <desc>Concussion with death due to brain injury</desc>
            </diag>
          </diag>
        </diag>
        <diag>
          <name>S06.A</name>
          <desc>Traumatic brain compression and herniation</desc>
          <sevenChrDef>
            <extension char="A">initial encounter</extension>
            <extension char="S">sequela</extension>
          </sevenChrDef>
          <diag>
            <name>S06.A0</name>
            <desc>Traumatic brain compression without herniation</desc>
          </diag>
        </diag>
      </diag>
    </section>
    <section id="T07">
      <desc>Injuries involving multiple body regions (T07)</desc>
      <diag>
        <name>T07</name>
        <desc>Unspecified multiple injuries</desc>
        <sevenChrDef>
          <extension char="A">initial encounter</extension>
          <extension char="D">subsequent encounter</extension>
          <extension char="S">sequela</extension>
        </sevenChrDef>
      </diag>
    </section>
  </chapter>
</ICD10CM.tabular>
"""
NAME = "icd10cm-tabular-April-2026.xml"


def write(path: Path, text: str, *, gz: bool = False) -> Path:
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def refused(path: Path, text: str) -> DataFileError:
    """Import a bad file: the error it raises, after checking nothing was written."""
    before = Release.objects.count()
    with pytest.raises(DataFileError) as caught:
        import_file(write(path, text))
    assert Release.objects.count() == before
    assert Code.objects.count() == 0
    assert str(path) in str(caught.value)
    return caught.value


@pytest.mark.django_db
def test_it_loads_codes_notes_seventh_characters_and_headings(tmp_path):
    result = import_file(write(tmp_path / NAME, TABULAR))

    assert result.status == "imported"
    assert result.row_counts == {"codes": 21, "notes": 7, "seventh": 8, "headings": 5}
    release = Release.objects.get()
    assert (release.dataset, release.code_system, release.version_label) == (
        "icd10cm_tabular",
        "ICD10CM",
        "FY2026 April",
    )
    assert (release.effective_from, release.effective_to) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 9, 30),
    )
    codes = {c.code: c for c in Code.objects.all()}
    a000 = codes["A000"]
    assert (a000.display, a000.long_description, a000.level, a000.parent) == (
        "A00.0",
        "Cholera due to Vibrio cholerae 01, biovar cholerae",
        "code",
        "A00",
    )
    assert (a000.chapter, a000.section, a000.is_billable) == ("1", "A00-A09", True)
    assert (codes["A00"].level, codes["A00"].is_billable) == ("category", False)
    assert (codes["A09"].level, codes["A09"].is_billable) == ("category", True)
    assert sorted(c for c, row in codes.items() if row.is_billable) == [
        "A000", "A009", "A09",
        "S060X0A", "S060X0D", "S060X0S", "S060X7A",
        "S06A0XA", "S06A0XS",
        "T07XXXA", "T07XXXD", "T07XXXS",
    ]  # fmt: skip


@pytest.mark.django_db
def test_it_generates_7th_character_codes_from_the_nearest_declaration(tmp_path):
    import_file(write(tmp_path / NAME, TABULAR))
    codes = {c.code: c for c in Code.objects.all()}

    leaf = codes["S060X0"]
    assert (leaf.level, leaf.is_billable) == ("subcategory", False)
    generated = codes["S060X0D"]
    assert generated.display == "S06.0X0D"
    assert generated.long_description == (
        "Concussion without loss of consciousness, subsequent encounter"
    )
    assert (generated.level, generated.parent, generated.is_billable) == ("code", "S060X0", True)
    assert (generated.chapter, generated.section) == ("19", "S00-S09")
    assert generated.attributes == {"description_derived": True}
    assert codes["S060X0"].attributes == {}
    # S06.A declares its own 7th characters (A, S): they replace the category's.
    assert "S06A0XD" not in codes
    # A category that is itself a leaf pads with X to 6 characters.
    assert codes["T07XXXA"].display == "T07.XXXA"
    assert codes["T07XXXA"].parent == "T07"


@pytest.mark.django_db
def test_it_leaves_out_d_and_s_for_s06_deaths_before_regaining_consciousness(tmp_path):
    import_file(write(tmp_path / NAME, TABULAR))

    assert sorted(
        Code.objects.filter(code__startswith="S060X7").values_list("code", flat=True)
    ) == [
        "S060X7",
        "S060X7A",
    ]


@pytest.mark.django_db
def test_it_keys_notes_by_code_chapter_and_section_in_document_order(tmp_path):
    import_file(write(tmp_path / NAME, TABULAR))

    notes = list(CodeNote.objects.values_list("code", "note_type", "seq", "text"))
    assert (
        "CH19",
        "notes",
        1,
        "Use secondary code(s) from Chapter 20 to indicate cause of injury.",
    ) in notes
    assert ("S00-S09", "includes", 1, "injuries of ear") in notes
    assert ("S060", "inclusionTerm", 1, "Commotio cerebri") in notes
    assert ("S06", "excludes1", 1, "head injury NOS (S09.90)") in notes
    assert (
        "A00",
        "useAdditionalCode",
        1,
        "code to identify resistance to antimicrobial drugs (Z16.-)",
    ) in notes
    assert ("A00", "useAdditionalCode", 2, "code to identify associated manifestations") in notes
    assert any(n[:2] == ("S06", "sevenChrNote") for n in notes)
    seventh = set(SeventhCharacter.objects.values_list("code", "character", "description"))
    assert ("S06", "D", "subsequent encounter") in seventh
    assert ("S06A", "S", "sequela") in seventh
    headings = list(Heading.objects.values_list("kind", "chapter", "code_range", "description"))
    assert headings == [
        ("chapter", "1", "", "Certain infectious and parasitic diseases (A00-B99)"),
        ("section", "1", "A00-A09", "Intestinal infectious diseases (A00-A09)"),
        ("chapter", "19", "", "Injury, poisoning and certain other consequences of external causes (S00-T88)"),
        ("section", "19", "S00-S09", "Injuries to the head (S00-S09)"),
        ("section", "19", "T07", "Injuries involving multiple body regions (T07)"),
    ]  # fmt: skip


@pytest.mark.django_db
def test_it_imports_the_same_file_twice_as_unchanged(tmp_path):
    path = write(tmp_path / NAME, TABULAR)
    import_file(path)
    again = import_file(path)

    assert again.status == "unchanged"
    assert Release.objects.count() == 1
    assert Code.objects.count() == 21


@pytest.mark.django_db
def test_it_reads_a_gzipped_annual_file_as_the_whole_fiscal_year(tmp_path):
    result = import_file(write(tmp_path / "icd10cm_tabular_2025.xml.gz", TABULAR, gz=True))

    release = Release.objects.get(pk=result.release_id)
    assert release.version_label == "FY2025"
    assert (release.effective_from, release.effective_to) == (
        dt.date(2024, 10, 1),
        dt.date(2025, 9, 30),
    )


@pytest.mark.django_db
def test_it_refuses_a_duplicate_code_naming_its_line(tmp_path):
    text = TABULAR.replace("<name>A00.9</name>", "<name>A00.0</name>")
    error = refused(tmp_path / NAME, text)

    assert "duplicate code 'A000'" in error.message
    assert error.line == line_of(text, "<name>A00.0</name>\n          <desc>Cholera, unspecified")


@pytest.mark.django_db
def test_it_refuses_cpt_descriptor_text_naming_the_line(tmp_path):
    text = TABULAR.replace(
        "<name>A09</name>\n        <desc>Infectious gastroenteritis and colitis, unspecified</desc>",
        "<name>99213</name>\n        <desc>Office or other outpatient visit</desc>",
    )
    error = refused(tmp_path / NAME, text)

    assert error.message == LICENSED_TEXT_REFUSED.format(kind="CPT", code="99213")
    assert error.line == line_of(text, "<name>99213</name>")


@pytest.mark.django_db
def test_it_refuses_a_name_that_is_no_icd10cm_code(tmp_path):
    text = TABULAR.replace("<name>A09</name>", "<name>A0-9</name>")
    error = refused(tmp_path / NAME, text)

    assert error.message == icd10cm_xml.NOT_A_CODE.format(code="A0-9")
    assert error.line == line_of(text, "<name>A0-9</name>")


@pytest.mark.django_db
def test_it_refuses_malformed_xml_naming_the_line(tmp_path):
    text = TABULAR.replace("<desc>Cholera, unspecified</desc>", "<desc>Cholera, unspecified</dsc>")
    error = refused(tmp_path / NAME, text)

    assert error.message.startswith("not well-formed XML")
    assert error.line == line_of(text, "</dsc>")


@pytest.mark.django_db
def test_it_refuses_a_truncated_file(tmp_path):
    text = TABULAR[: TABULAR.index('<section id="T07">')]
    error = refused(tmp_path / NAME, text)

    assert error.message.startswith("not well-formed XML")
    assert error.line == text.count("\n") + 1


@pytest.mark.django_db
def test_it_refuses_a_bad_7th_character(tmp_path):
    text = TABULAR.replace('<extension char="D">subsequent', '<extension char="DD">subsequent', 1)
    error = refused(tmp_path / NAME, text)

    assert error.message == icd10cm_xml.BAD_SEVENTH.format(char="DD", code="S06")
    assert error.line == line_of(text, "</sevenChrDef>")


@pytest.mark.django_db
def test_it_does_not_take_a_tabular_under_another_name_or_another_xml(tmp_path):
    with pytest.raises(DataFileError, match="unknown file"):
        import_file(write(tmp_path / "tabular.xml", TABULAR))
    other = TABULAR.replace("ICD10CM.tabular", "ICD10CM.index")
    with pytest.raises(DataFileError) as caught:
        import_file(write(tmp_path / NAME, other))
    assert caught.value.message.startswith(UNKNOWN_FILE.split("(")[0])
    assert Release.objects.count() == 0


def test_the_embedded_tabular_is_the_april_2026_file_of_the_package():
    path = icd10cm_xml.embedded_tabular_path()

    assert path.is_file()
    assert path.name == "icd10c-tabular-April-1-2026.xml"
    assert icd10cm_xml.describe_tabular(path).version_label == "FY2026 April"


@pytest.mark.fulldata
@pytest.mark.django_db
def test_the_embedded_tabular_gives_the_cdc_code_list_code_by_code(shared_data_dir):
    result = import_file(icd10cm_xml.embedded_tabular_path())

    assert result.row_counts == {
        "codes": 98_186,
        "notes": 25_162,
        "seventh": 1_790,
        "headings": 319,
    }
    release = Release.objects.get(pk=result.release_id)
    assert release.codes.filter(is_billable=True).count() == 74_719
    expected = {}
    with gzip.open(shared_data_dir / "icd10cm_codes_2026.csv.gz", "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            expected[row["code_nodot"]] = (
                row["code"],
                row["description"],
                row["billable"] == "1",
                row["parent"].replace(".", ""),
                row["chapter"],
                row["section"],
                row["description_derived"] == "1",
            )
    loaded = {
        c.code: (
            c.display,
            c.long_description,
            c.is_billable,
            c.parent,
            c.chapter,
            c.section,
            c.attributes.get("description_derived", False),
        )
        for c in release.codes.all()
    }
    assert loaded.keys() == expected.keys()
    differing = [code for code in expected if loaded[code] != expected[code]]
    assert differing == []
