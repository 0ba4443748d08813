"""The diagnosis GEM importer (ICD-10-CM <-> ICD-9-CM), on small files in CMS's layout."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from medcode.codes.importers import gems
from medcode.codes.models import DiagnosisGem, Release
from medcode.codes.services import import_file
from medcode.codes.tests.incoming import FIXTURES, incoming_file
from medcode.lib.errors import DataFileError

I10 = FIXTURES / "gems" / "2018_I10gem.txt"
I9 = FIXTURES / "gems" / "2018_I9gem.txt"


def rows(release: Release) -> dict[tuple[str, str], tuple[bool, bool, bool, int, int]]:
    return {
        (g.source, g.target): (g.approximate, g.no_map, g.combination, g.scenario, g.choice_list)
        for g in DiagnosisGem.objects.filter(release=release)
    }


@pytest.mark.django_db
def test_it_loads_both_directions_with_their_flags():
    forward = import_file(I10)
    backward = import_file(I9)

    assert (forward.dataset, forward.row_counts) == ("icd10cm_gem_i10", {"diagnosis_gems": 7})
    assert (backward.dataset, backward.row_counts) == ("icd10cm_gem_i9", {"diagnosis_gems": 6})
    release = Release.objects.get(dataset="icd10cm_gem_i10")
    assert (release.version_label, release.effective_from) == ("2018 GEM", dt.date(2017, 10, 1))
    i10 = rows(release)
    assert i10[("E119", "25000")] == (True, False, False, 0, 0)
    assert i10[("R29700", "NoDx")] == (True, True, False, 0, 0)
    assert i10[("E0821", "24940")] == (True, False, True, 1, 1)
    assert i10[("E0821", "58181")] == (True, False, True, 1, 2)
    # CMS's file has one target in lower case; it is the ICD-9-CM code V58.89.
    assert ("T8853XD", "V5889") in i10
    i9 = rows(Release.objects.get(dataset="icd10cm_gem_i9"))
    assert i9[("25000", "E119")] == (True, False, False, 0, 0)
    assert i9[("36570", "NoDx")] == (True, True, False, 0, 0)


@pytest.mark.django_db
def test_a_reimport_of_the_same_file_changes_nothing():
    import_file(I10)
    again = import_file(I10)

    assert again.status == "unchanged"
    assert DiagnosisGem.objects.count() == 7


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("E119    25000 1000", "bad GEM flags"),
        ("E119    25000", "expected a source code"),
        ("E119    ABCDE 10000", "not an ICD-9-CM code"),
        ("E119    NoDx  10000", "the no-map flag and the target"),
        ("E0821   24940 10100", "a combination entry needs a scenario"),
    ],
)
@pytest.mark.django_db
def test_a_bad_record_is_refused_with_its_line_and_nothing_is_kept(tmp_path, line, message):
    path = tmp_path / "2018_I10gem.txt"
    path.write_text("E0800   24920 10000\n" + line + "\n")

    with pytest.raises(DataFileError) as caught:
        import_file(path, dataset=gems.DATASETS[0])

    assert message in str(caught.value)
    assert caught.value.line == 2
    assert not Release.objects.exists() and not DiagnosisGem.objects.exists()


def test_the_files_are_recognised_by_name_and_first_record(tmp_path):
    from medcode.codes.importers.registry import detect

    assert detect(I10).name == "icd10cm_gem_i10"
    assert detect(I9).name == "icd10cm_gem_i9"
    renamed = shutil.copy(I9, tmp_path / "2018_I10gem.txt")
    with pytest.raises(DataFileError, match="unknown file"):
        detect(Path(renamed))


@pytest.mark.django_db
def test_the_real_2018_gems_import_whole(shared_data_dir):
    forward = import_file(incoming_file(shared_data_dir, "2018_I10gem.txt.gz"))
    backward = import_file(incoming_file(shared_data_dir, "2018_I9gem.txt"))

    # The README of ../shared/incoming counts 81,593 and 24,860 lines.
    assert forward.row_counts == {"diagnosis_gems": 81_593}
    assert backward.row_counts == {"diagnosis_gems": 24_860}
    e119 = DiagnosisGem.objects.get(release_id=forward.release_id, source="E119")
    assert (e119.target, e119.approximate) == ("25000", True)
