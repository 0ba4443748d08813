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


def test_the_63650_code_page_shows_its_history_and_compares_two_dates(
    shared_data_dir: Path,
) -> None:
    """On the real releases: RVU25D -> RVU26C changes 63650's RVUs (work 7.15 -> 6.97) but not
    its global period (010 in both files); MUE 2024Q3 -> 2026Q2 leaves its practitioner MUE at
    2 (MAI 3). The History section lists the first with both releases and names the MUE pair as
    compared without change; comparing two dates shows the global period and RVUs side by side.
    """
    from django.test import Client

    data, incoming = shared_data_dir, shared_data_dir.parent / "incoming" / "2026"
    for path in (
        data / "pfs_rvu_2025d.csv.gz",
        incoming / "PPRRVU2026_Jul_nonQPP.csv.gz",
        data / "ncci_mue_2024q3.csv.gz",
        data / "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv",
    ):
        import_file(need(path))
    counted = bench().pfs_changes(
        data / "pfs_rvu_2025d.csv.gz", incoming / "PPRRVU2026_Jul_nonQPP.csv.gz"
    )
    assert (counted["63650_work_rvu_before"], counted["63650_work_rvu_after"]) == (7.15, 6.97)

    html = Client().get("/codes/63650/").content.decode()
    history = html[html.index('id="history"') :]
    history = history[: history.index("</section>")]
    assert "work RVU changed</td><td>7.15</td><td>6.97</td><td>-2.52</td>" in history
    assert "Medicare PFS relative values RVU25D → Medicare PFS relative values RVU26C" in history
    assert "global period changed" not in history  # 010 in both files
    assert "mue" not in history.split("Also compared")[0].lower()
    assert "NCCI MUEs, practitioner 2024Q3 → 2026Q2" in history.split("Also compared")[1]

    response = Client().get("/codes/63650/?date=2025-11-01&compare=2026-08-01")
    assert response.status_code == 200
    page = response.content.decode()
    compared = page[page.index('id="compare"') : page.index('class="toc"')]
    assert "63650 on 2025-11-01 and 2026-08-01" in compared
    assert "Medicare PFS relative values RVU25D (in effect 2025-10-01" in compared
    assert "Medicare PFS relative values RVU26C (in effect 2026-07-01" in compared
    assert '<th scope="row">Global period</th><td>010</td><td>010</td>' in compared
    assert "Work RVU: 7.15" in compared and "Work RVU: 6.97" in compared
    assert "<td>$2,127.11</td><td>$2,388.50</td>" in compared

    bad = Client().get("/codes/63650/?compare=2026-02-30")
    assert bad.status_code == 400 and "compare" in bad.content.decode()
