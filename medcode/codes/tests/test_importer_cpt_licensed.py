"""The operator's licensed CPT descriptor file (made-up descriptor text only)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import write_text
from medcode.codes.importers.cpt_licensed import LICENSED_DATASET
from medcode.codes.importers.registry import detect
from medcode.codes.models import CodeSystem, LicensedDescriptor, Release
from medcode.codes.services import ImportResult, import_file
from medcode.lib.datafiles import sha256_of
from medcode.lib.errors import DataFileError


def load(path: Path) -> ImportResult:
    return import_file(path, dataset=LICENSED_DATASET)


def assert_refused(path: Path, line: int, *fragments: str) -> None:
    before = Release.objects.count()
    with pytest.raises(DataFileError) as raised:
        load(path)
    message = str(raised.value)
    assert str(path) in message and f"line {line}:" in message
    for fragment in fragments:
        assert fragment in message
    assert Release.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("cpt_2026.tsv", "99213\tTest descriptor one\n0001F\tTest descriptor two, with a comma\n"),
        (
            "cpt_2026.csv",
            'code,descriptor\n99213,Test descriptor one\n0001F,"Test descriptor two, with a comma"\n',
        ),
        (
            "cpt_2026_noheader.csv",
            '99213,Test descriptor one\n0001F,"Test descriptor two, with a comma"\n',
        ),
        ("MEDU2026.txt", "99213 Test descriptor one\n0001F Test descriptor two, with a comma\n"),
    ],
)
def test_each_layout_loads_the_descriptors_for_the_year_in_its_name(
    tmp_path: Path, name: str, text: str
) -> None:
    result = load(write_text(tmp_path / name, text))

    assert (result.dataset, result.version_label, result.row_counts) == (
        "cpt_licensed",
        "2026",
        {"descriptors": 2},
    )
    release = Release.objects.get()
    assert release.code_system == CodeSystem.CPT and release.effective_from == dt.date(2026, 1, 1)
    assert dict(LicensedDescriptor.objects.values_list("code", "descriptor")) == {
        "99213": "Test descriptor one",
        "0001F": "Test descriptor two, with a comma",
    }


@pytest.mark.django_db
def test_a_file_without_a_year_is_labelled_by_its_checksum(tmp_path: Path) -> None:
    path = write_text(tmp_path / "descriptors.txt", "99213 Test descriptor one\n")
    assert load(path).version_label == f"licensed {sha256_of(path)[:8]}"


@pytest.mark.django_db
def test_the_licensed_file_is_never_picked_by_detection(tmp_path: Path) -> None:
    path = write_text(tmp_path / "cpt_2026.csv", "code,descriptor\n99213,Test descriptor one\n")
    with pytest.raises(DataFileError, match="unknown file"):
        detect(path)


@pytest.mark.django_db
def test_a_code_that_is_not_cpt_shaped_is_refused(tmp_path: Path) -> None:
    path = write_text(tmp_path / "cpt_2026.tsv", "99213\tTest descriptor one\nA0021\tTest two\n")
    assert_refused(path, 2, "not a CPT code: 'A0021'")


@pytest.mark.django_db
def test_a_duplicate_code_is_refused(tmp_path: Path) -> None:
    text = "99213 Test descriptor one\n99214 Test descriptor two\n99213 Test again\n"
    assert_refused(write_text(tmp_path / "cpt_2026.txt", text), 3, "duplicate code '99213'")


@pytest.mark.django_db
def test_an_empty_descriptor_is_refused(tmp_path: Path) -> None:
    path = write_text(tmp_path / "cpt_2026.csv", "99213,Test descriptor one\n99214,\n")
    assert_refused(path, 2, "code 99214 has no descriptor")


@pytest.mark.django_db
def test_a_bad_file_leaves_the_earlier_descriptors_in_place(tmp_path: Path) -> None:
    load(write_text(tmp_path / "cpt_2026.txt", "99213 Test descriptor one\n"))
    assert_refused(write_text(tmp_path / "b" / "cpt_2026.txt", "99213 Test one\n9921 Bad\n"), 2)
    assert LicensedDescriptor.objects.get().descriptor == "Test descriptor one"


@pytest.mark.django_db
def test_importing_the_same_descriptor_file_twice_is_unchanged(tmp_path: Path) -> None:
    path = write_text(tmp_path / "cpt_2026.tsv", "99213\tTest descriptor one\n")
    assert load(path).status == "imported"
    assert load(path).status == "unchanged"
