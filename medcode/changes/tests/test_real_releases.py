"""The stored diffs of the real releases agree with counts made straight from the files.

The independent counts come from bench/release_changes.py, which reads each pair of files with
the parsers alone (no database, no diff engine) and checks the issue's figures: AOC 2024Q3 ->
2026Q2: 497 pairs added and 7,465 - 7,243 = 222 ended; HCPCS July 2024 -> January 2026: 590
codes added; RVU25D -> RVU26C: 63650 work RVU 7.15 -> 6.97.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from medcode.changes.models import ReleaseDiff
from medcode.codes.services import import_file

pytestmark = [pytest.mark.django_db, pytest.mark.fulldata]
BENCH = Path(__file__).resolve().parents[3] / "bench" / "release_changes.py"


def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("release_changes", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def need(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"{path} is not there")
    return path


def test_the_diffs_of_the_real_releases_agree_with_the_files(shared_data_dir: Path) -> None:
    data, incoming = shared_data_dir, shared_data_dir.parent / "incoming" / "2026"
    pairs = {
        "aoc": (data / "ncci_aoc_2024q3.csv.gz", incoming / "AOC_V2026Q2-MCR.xlsx"),
        "hcpcs": (
            data / "hcpcs_level2_2024_07.csv.gz",
            incoming / "HCPC2026_JAN_ANWEB_01122026.txt.gz",
        ),
        "pfs": (data / "pfs_rvu_2025d.csv.gz", incoming / "PPRRVU2026_Jul_nonQPP.csv.gz"),
    }
    for old, new in pairs.values():
        import_file(need(old))
        import_file(need(new))
    counted = bench()

    aoc = counted.aoc_changes(*pairs["aoc"])
    diff = ReleaseDiff.objects.get(family="ncci_aoc")
    assert (diff.from_label, diff.to_label) == ("2024Q3", "2026Q2")
    assert diff.counts["added"] == aoc["new_active_in_2026q2"] == 497
    ended = aoc["active_2024q3_pairs"] - aoc["still_active_in_2026q2"]
    assert diff.counts["deleted"] == ended == 7465 - 7243

    hcpcs = counted.hcpcs_changes(*pairs["hcpcs"], None)
    diff = ReleaseDiff.objects.get(family="hcpcs")
    assert (diff.from_label, diff.to_label) == ("2024 July", "2026 January")
    assert diff.counts["added"] == hcpcs["codes_not_in_july_2024"] == 590
    assert diff.counts.get("deleted", 0) == hcpcs["july_2024_codes_not_in_2026"]

    pfs = counted.pfs_changes(*pairs["pfs"])
    diff = ReleaseDiff.objects.get(family="pfs_rvu")
    work = diff.changes.get(code="63650", qualifier="", field="work_rvu")
    assert (float(work.old_value), float(work.new_value)) == (
        pfs["63650_work_rvu_before"],
        pfs["63650_work_rvu_after"],
    )
    assert (work.old_value, work.new_value) == ("7.15", "6.97")
    assert diff.changes.filter(field="work_rvu").count() == pfs["work_rvu_changed"]
    assert diff.counts["added"] == pfs["rows_added"]
    assert diff.counts["deleted"] == pfs["rows_removed"]
