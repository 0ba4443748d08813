"""ICD-10-PCS files of an April update, read with the CMS addenda beside them.

The sample in fixtures/pcs_april is written for these tests (three codes; the October title of
B020ZZZ is invented so that a revision shows): the April codes file adds 0DDU0ZZ, deletes
30233AZ and revises B020ZZZ's title.
"""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from pathlib import Path

import pytest

from medcode.codes.importers.base import import_run
from medcode.codes.importers.icd10pcs import describe_order
from medcode.codes.models import Code, Release
from medcode.codes.queries import release_in_force
from medcode.codes.services import import_file, plan_imports
from medcode.codes.tests.incoming import FIXTURES, incoming_file
from medcode.codes.tests.test_importer_icd10pcs import record
from medcode.lib.errors import DataFileError

SAMPLE = FIXTURES / "pcs_april"
JAN_2026 = dt.date(2026, 1, 15)
MAY_2026 = dt.date(2026, 5, 1)


def copy_sample(folder: Path, *, addenda: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE / "icd10pcs_codes_2026.txt", folder)
    if addenda:
        shutil.copy(SAMPLE / "codes_addenda_2026.txt", folder)
    return folder / "icd10pcs_codes_2026.txt"


def valid_on(code: str, on: dt.date) -> bool:
    release = release_in_force(table="codes", on=on, system="ICD10PCS")
    assert release is not None
    return Code.objects.filter(release=release, code=code).exists()


def codes_of(label: str) -> dict[str, str]:
    release = Release.objects.get(dataset="icd10pcs_order", version_label=label)
    return dict(Code.objects.filter(release=release).values_list("code", "long_description"))


@pytest.mark.django_db
def test_an_april_update_gives_the_april_release_and_the_october_one_it_changed(tmp_path):
    result = import_file(copy_sample(tmp_path))

    assert (result.version_label, result.row_counts, result.is_current) == (
        "FY2026 April",
        {"codes": 3},
        True,
    )
    spans = {
        r.version_label: (r.effective_from, r.effective_to, r.source_file)
        for r in Release.objects.filter(dataset="icd10pcs_order")
    }
    assert spans == {
        "FY2026 April": (dt.date(2026, 4, 1), dt.date(2026, 9, 30), "icd10pcs_codes_2026.txt"),
        "FY2026": (
            dt.date(2025, 10, 1),
            dt.date(2026, 3, 31),
            "icd10pcs_codes_2026.txt less the April changes in codes_addenda_2026.txt",
        ),
    }
    assert codes_of("FY2026 April")["B020ZZZ"] == "Plain Radiography of Brain"
    assert codes_of("FY2026") == {
        "0016070": (
            "Bypass Cerebral Ventricle to Nasopharynx with Autologous Tissue Substitute, "
            "Open Approach"
        ),
        "B020ZZZ": "Plain Radiography of the Brain",  # the "Revise from" title
        "30233AZ": (
            "Transfusion of Embryonic Stem Cells into Peripheral Vein, Percutaneous Approach"
        ),
    }
    assert (valid_on("0DDU0ZZ", JAN_2026), valid_on("0DDU0ZZ", MAY_2026)) == (False, True)
    assert (valid_on("30233AZ", JAN_2026), valid_on("30233AZ", MAY_2026)) == (True, False)


@pytest.mark.django_db
def test_reimporting_the_april_files_changes_nothing(tmp_path):
    path = copy_sample(tmp_path)
    import_file(path)
    before = list(Release.objects.values_list("pk", "version_label").order_by("pk"))

    again = import_file(path)

    assert again.status == "unchanged"
    assert list(Release.objects.values_list("pk", "version_label").order_by("pk")) == before


@pytest.mark.django_db
def test_without_addenda_the_file_is_the_whole_year_and_the_import_says_why(tmp_path):
    result = import_file(copy_sample(tmp_path, addenda=False))

    release = Release.objects.get()
    assert (release.version_label, release.effective_from, release.effective_to) == (
        "FY2026",
        dt.date(2025, 10, 1),
        dt.date(2026, 9, 30),
    )
    assert "no codes_addenda_2026.txt that names the file" in result.message
    assert "cannot be dated" in result.message


@pytest.mark.django_db
def test_the_addenda_of_an_october_release_do_not_split_the_year(tmp_path):
    path = copy_sample(tmp_path)
    addenda = tmp_path / "codes_addenda_2026.txt"
    addenda.write_text(
        addenda.read_text().replace(
            "3 codes in icd10pcs_codes_2026.txt", "3 codes in icd10pcs_codes_2025.txt", 1
        )
    )

    import_file(path)

    release = Release.objects.get()
    assert (release.version_label, release.effective_from, release.effective_to) == (
        "FY2026",
        dt.date(2025, 10, 1),
        dt.date(2026, 9, 30),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad", "message", "line"),
    [
        ("Add:         0DDU0ZZ", "0DDU0ZZ has no title", 1),
        ("Add:         0DDU0Z Extraction of Omentum", "not an ICD-10-PCS code or table", 1),
        ("Added:       0DDU0ZZ Extraction of Omentum", "not an addenda line", 1),
    ],
)
def test_a_malformed_addenda_line_is_named_and_the_previous_release_stays(
    tmp_path, bad, message, line
):
    path = copy_sample(tmp_path, addenda=False)
    import_file(path)
    addenda = tmp_path / "codes_addenda_2026.txt"
    text = (SAMPLE / "codes_addenda_2026.txt").read_text()
    addenda.write_text(
        text.replace("Add:         0DDU0ZZ Extraction of Omentum, Open Approach", bad)
    )

    with pytest.raises(DataFileError) as caught:
        import_file(path)

    assert str(addenda) in str(caught.value)
    assert f"line {line}" in str(caught.value)
    assert message in str(caught.value)
    release = Release.objects.get()
    assert (release.version_label, release.effective_to) == ("FY2026", dt.date(2026, 9, 30))
    assert Code.objects.filter(release=release).count() == 3


@pytest.mark.django_db
def test_addenda_that_do_not_fit_the_file_roll_the_whole_import_back(tmp_path):
    path = copy_sample(tmp_path, addenda=False)
    import_file(path)
    # The addenda add a code the file does not list: found while loading, after rows went in.
    addenda = tmp_path / "codes_addenda_2026.txt"
    text = (SAMPLE / "codes_addenda_2026.txt").read_text()
    addenda.write_text(text.replace("Add:         0DDU0ZZ", "Add:         0DDU4ZZ"))

    with pytest.raises(DataFileError, match=r"0DDU4ZZ is added in codes_addenda_2026\.txt but"):
        import_file(path)

    assert list(Release.objects.values_list("version_label", flat=True)) == ["FY2026"]
    assert Code.objects.count() == 3


def test_of_two_copies_of_one_release_the_one_read_with_addenda_is_imported(tmp_path):
    order = tmp_path / "a_data" / "icd10pcs_order_2026.txt"
    order.parent.mkdir()
    order.write_text(
        record(1, "0016070", "1", "Bypass Cereb Vent to Nasophar with Autol Sub, Open Approach",
               "Bypass Cerebral Ventricle to Nasopharynx with Autologous Tissue Substitute, "
               "Open Approach") + "\n"
    )  # fmt: skip
    codes = copy_sample(tmp_path / "b_incoming")

    for paths in ([order.parent, codes.parent], [codes.parent, order.parent]):
        planned = [path for path, dataset in plan_imports(paths)]
        assert planned == [codes]


LONG_0DDU0ZZ = "Extraction of Omentum, Open Approach"
DELETE_SHORT = "Transfuse of Embr Stem Cell into Periph Vein, Perc Approach"
DELETE_LONG = "Transfusion of Embryonic Stem Cells into Peripheral Vein, Percutaneous Approach"


def write_order_sample(folder: Path, *, gz: bool = False) -> Path:
    """An April order file: 0DD (header) and 0DDU0ZZ added in April, 30233AZ deleted."""
    lines = [
        record(1, "0DD", "0", "Gastrointestinal System, Extraction",
               "Gastrointestinal System, Extraction"),
        record(2, "0DDU0ZZ", "1", "Extraction of Omentum, Open Approach", LONG_0DDU0ZZ),
        record(3, "302", "0", "Circulatory System, Transfusion",
               "Circulatory System, Transfusion"),
        record(4, "30243AZ", "1", "Transfuse of Embr Stem Cell into Central Vein, Perc Approach",
               "Transfusion of Embryonic Stem Cells into Central Vein, Percutaneous Approach"),
    ]  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    text = "\n".join(lines) + "\n"
    if gz:
        path = folder / "icd10pcs_order_2026.txt.gz"
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path = folder / "icd10pcs_order_2026.txt"
        path.write_text(text)
    return path


def write_order_addenda(folder: Path, *, names: str = "icd10pcs_order_2026.txt") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "order_addenda_2026.txt"
    path.write_text(
        f"Add:         0DD     {'Gastrointestinal System, Extraction':<60} "
        "Gastrointestinal System, Extraction\n"
        f"Add:         0DDU0ZZ {'Extraction of Omentum, Open Approach':<60} {LONG_0DDU0ZZ}\n"
        f"Delete:      30233AZ {DELETE_SHORT:<60} {DELETE_LONG}\n"
        f"\nCodes\n  2 codes in {names}\n  2 codes in {names}\n"
    )
    return path


@pytest.mark.django_db
def test_an_order_file_update_keeps_short_titles_and_table_headers(tmp_path):
    path = write_order_sample(tmp_path)
    write_order_addenda(tmp_path)

    import_file(path)

    october = Release.objects.get(version_label="FY2026")
    rows = {
        c.code: (c.short_description, c.long_description, c.level, c.parent)
        for c in Code.objects.filter(release=october)
    }
    assert rows == {
        "302": ("Circulatory System, Transfusion", "Circulatory System, Transfusion", "table", ""),
        "30243AZ": (
            "Transfuse of Embr Stem Cell into Central Vein, Perc Approach",
            "Transfusion of Embryonic Stem Cells into Central Vein, Percutaneous Approach",
            "code",
            "302",
        ),
        "30233AZ": (DELETE_SHORT, DELETE_LONG, "code", "302"),
    }


def order_rows(label: str) -> dict[str, tuple[str, str, str]]:
    release = Release.objects.get(dataset="icd10pcs_order", version_label=label)
    rows = Code.objects.filter(release=release).values_list(
        "code", "short_description", "level", "parent"
    )
    return {code: (short, level, parent) for code, short, level, parent in rows}


@pytest.mark.django_db
def test_an_order_file_finds_its_addenda_in_another_folder_of_the_import(tmp_path):
    # data/ holds the order file; incoming/2026/ its addenda, and the codes file of the same
    # release with its own addenda. Both copies write two releases: the order file is kept.
    order = write_order_sample(tmp_path / "data", gz=True)
    incoming = tmp_path / "incoming"
    write_order_addenda(incoming / "2026")
    codes = copy_sample(incoming / "2026")
    assert describe_order(order).labels == ("FY2026",)  # alone, nothing dates it
    assert describe_order(codes).labels == ("FY2026 April", "FY2026")

    for paths in ([order.parent, incoming], [incoming, order.parent]):
        planned = [path for path, dataset in plan_imports(paths) if dataset.name.startswith("icd")]
        assert planned == [order]

    with import_run([order.parent, incoming]):
        result = import_file(order)

    assert result.row_counts == {"codes": 4}
    assert Release.objects.get(version_label="FY2026").effective_to == dt.date(2026, 3, 31)
    assert order_rows("FY2026 April") == {
        "0DD": ("Gastrointestinal System, Extraction", "table", ""),
        "0DDU0ZZ": ("Extraction of Omentum, Open Approach", "code", "0DD"),
        "302": ("Circulatory System, Transfusion", "table", ""),
        "30243AZ": ("Transfuse of Embr Stem Cell into Central Vein, Perc Approach", "code", "302"),
    }
    assert set(order_rows("FY2026")) == {"302", "30243AZ", "30233AZ"}
    assert (valid_on("0DDU0ZZ", JAN_2026), valid_on("0DDU0ZZ", MAY_2026)) == (False, True)


def test_addenda_in_another_folder_that_name_another_file_are_not_taken(tmp_path):
    order = write_order_sample(tmp_path / "data")
    other = tmp_path / "incoming"
    write_order_addenda(other, names="icd10pcs_order_2025.txt")

    with import_run([order.parent, other]):
        info = describe_order(order)

    assert info.labels == ("FY2026",)
    assert "no order_addenda_2026.txt that names the file" in info.notes


def test_a_malformed_addenda_line_in_another_folder_is_named(tmp_path):
    order = write_order_sample(tmp_path / "data")
    addenda = write_order_addenda(tmp_path / "incoming")
    addenda.write_text(addenda.read_text().replace("Delete:      30233AZ", "Deleted:     30233AZ"))

    with import_run([order.parent, addenda.parent]), pytest.raises(DataFileError) as caught:
        describe_order(order)

    assert str(addenda) in str(caught.value)
    assert "line 3" in str(caught.value)
    assert "not an addenda line" in str(caught.value)


@pytest.mark.fulldata
@pytest.mark.django_db
def test_the_2026_april_pcs_codes_are_dated_by_the_cms_addenda(shared_data_dir):
    # The order file in data/ and the codes file in incoming/2026/ are one release (FY2026 as
    # updated for April 1 2026), each with its addenda in incoming/2026/; the order file, which
    # also has the table headers and short titles, is the one loaded.
    order = shared_data_dir / "icd10pcs_order_2026.txt.gz"
    incoming = incoming_file(shared_data_dir, "order_addenda_2026.txt").parent.parent
    paths = [shared_data_dir, incoming]
    planned = [
        (path, dataset) for path, dataset in plan_imports(paths) if dataset.name == "icd10pcs_order"
    ]
    assert [path for path, _ in planned] == [order]

    with import_run(paths):
        import_file(order, dataset=planned[0][1])

    counts = dict(
        Release.objects.filter(dataset="icd10pcs_order").values_list("version_label", "row_counts")
    )
    # The addenda: 79,193 codes and 917 headers after April; 80 codes and 3 headers added,
    # 2 codes deleted.
    assert counts == {
        "FY2026 April": {"codes": 79_193 + 917},
        "FY2026": {"codes": 79_193 + 917 - 80 - 3 + 2},
    }
    april, october = order_rows("FY2026 April"), order_rows("FY2026")
    assert april["0DD"][1:] == ("table", "")
    assert april["0DDU0ZZ"][0] and april["0DDU0ZZ"][1:] == ("code", "0DD")
    assert "XU7" in april and "XU7" not in october  # a table header added in April
    assert (valid_on("0DDU0ZZ", JAN_2026), valid_on("0DDU0ZZ", MAY_2026)) == (False, True)
    assert (valid_on("30233AZ", JAN_2026), valid_on("30233AZ", MAY_2026)) == (True, False)
