"""`medcode data sync` against a real HTTP server on loopback serving small files."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import run_cli, write_text
from medcode.codes.sync import (
    CatalogEntry,
    SyncError,
    candidates,
    fill_url,
    find_release,
    load_catalog,
    sync_catalog,
)
from medcode.codes.tests.test_import_service import HEADER, ROWS


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()


def test_the_built_in_catalog_names_official_https_addresses() -> None:
    entries = load_catalog()
    assert entries and all(e.url.startswith("https://www.cms.gov/") for e in entries)


def test_it_unpacks_only_the_wanted_members_of_a_zip(
    file_server: tuple[str, Path], tmp_path: Path
) -> None:
    base, root = file_server
    with zipfile.ZipFile(root / "release.zip", "w") as zf:
        zf.writestr("nested/icd10cm_codes_2026.csv", HEADER + ROWS)
        zf.writestr("readme.pdf", "not wanted")
    entry = CatalogEntry(name="icd", url=f"{base}/release.zip", extract=("icd10cm_codes_*.csv",))

    files = sync_catalog([entry], tmp_path / "dest", log=lambda m: None)

    assert [f.name for f in files] == ["icd10cm_codes_2026.csv"]
    assert files[0].read_text() == HEADER + ROWS
    assert sorted(p.name for p in (tmp_path / "dest").iterdir()) == ["icd10cm_codes_2026.csv"]


def test_a_missing_file_is_an_error_naming_the_entry_and_address(
    file_server: tuple[str, Path], tmp_path: Path
) -> None:
    base, _ = file_server
    entry = CatalogEntry(name="pfs", url=f"{base}/rvu99z.zip")

    with pytest.raises(
        SyncError, match=r"pfs: download of http://127\.0\.0\.1:\d+/rvu99z\.zip failed"
    ):
        sync_catalog([entry], tmp_path / "dest", log=lambda m: None)
    assert list((tmp_path / "dest").iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_data_sync_downloads_and_imports_through_the_cli(
    file_server: tuple[str, Path], tmp_path: Path, scratch_database_url: str
) -> None:
    base, root = file_server
    write_text(root / "icd10cm_codes_2026.csv.gz", HEADER + ROWS, gz=True)
    catalog = tmp_path / "catalog.json"
    catalog.write_text(
        json.dumps({"entries": [{"name": "icd", "url": f"{base}/icd10cm_codes_2026.csv.gz"}]})
    )

    run_cli(
        ["data", "sync", "--catalog", str(catalog), "--dest", str(tmp_path / "dl")],
        database_url=scratch_database_url,
        var_dir=tmp_path,
    )
    status = run_cli(
        ["data", "status", "--json"], database_url=scratch_database_url, var_dir=tmp_path
    )

    assert json.loads(status.stdout)["releases"][0]["row_counts"]["codes"] == 5


# Finding the newest release ------------------------------------------------------------------

TODAY = dt.date(2026, 12, 6)
MUE_NAME = "medicare-ncci-{year}-q{quarter}-practitioner-services-mue-table.zip"
PTP_NAME = (
    "medicare-ncci-{year}q{quarter}-practitioner-ptp-edits-ccipra-v{ncci_version}r0-f{part}.zip"
)


def mue_entry(base: str, **fields: object) -> CatalogEntry:
    return CatalogEntry(
        name="ncci_mue_practitioner",
        url=f"{base}/{MUE_NAME}",
        extract=("MCR_MUE_PractitionerServices_*.csv",),
        period="quarter",
        **fields,  # type: ignore[arg-type]
    )


def ptp_entry(base: str) -> CatalogEntry:
    return CatalogEntry(
        name="ncci_ptp_practitioner",
        url=f"{base}/{PTP_NAME}",
        extract=("ccipra-*.txt",),
        period="quarter",
        parts=(1, 2, 3, 4),
    )


def write_zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return path


def mue_zip(root: Path, year: int, quarter: int) -> Path:
    month = 3 * quarter - 2
    member = f"MCR_MUE_PractitionerServices_Eff_{month:02d}-01-{year}.csv"
    name = MUE_NAME.format(year=year, quarter=quarter)
    return write_zip(root / name, {member: f"HCPCS,MUE\n63650,{quarter}\n", "readme.pdf": "x"})


def ptp_zips(root: Path, version: str) -> list[Path]:
    paths = []
    for part in (1, 2, 3, 4):
        member = f"ccipra-v{version}r0-f{part}.txt"
        name = PTP_NAME.format(year=2026, quarter=3, ncci_version=version, part=part)
        paths.append(write_zip(root / name, {member: f"part {part} of v{version}\n" * 200}))
    return paths


def test_ncci_file_versions_follow_the_quarter() -> None:
    entry = ptp_entry("https://www.cms.gov/files/zip")

    assert fill_url(entry, dt.date(2025, 1, 1)).endswith(
        "2025q1-practitioner-ptp-edits-ccipra-v310r0-f1.zip"
    )
    assert fill_url(entry, dt.date(2026, 10, 1), part=4).endswith(
        "2026q4-practitioner-ptp-edits-ccipra-v323r0-f4.zip"
    )


@pytest.mark.parametrize(
    ("template", "period", "start", "expected"),
    [
        (
            "{month}-{year}-alpha-numeric-hcpcs-file.zip",
            "quarter",
            dt.date(2026, 7, 1),
            "july-2026-alpha-numeric-hcpcs-file.zip",
        ),
        ("rvu{yy}{letter}.zip", "quarter", dt.date(2026, 10, 1), "rvu26d.zip"),
        (
            "{year}-code-descriptions-tabular-order.zip",
            "fiscal_year",
            dt.date(2026, 10, 1),
            "2027-code-descriptions-tabular-order.zip",
        ),
    ],
)
def test_templates_use_the_publishers_own_names(
    template: str, period: str, start: dt.date, expected: str
) -> None:
    entry = CatalogEntry(name="x", url=template, period=period)  # type: ignore[arg-type]

    assert fill_url(entry, start) == expected


def test_the_built_in_catalog_tries_this_quarter_and_the_next_first() -> None:
    entries = {e.name: e for e in load_catalog()}

    labels = [label for label, _ in candidates(entries["ncci_ptp_practitioner"], TODAY)]
    _, urls = next(
        u for u in candidates(entries["ncci_ptp_practitioner"], TODAY) if u[0] == "2026Q4"
    )

    assert labels[:3] == ["2027Q1", "2026Q4", "2026Q3"]
    assert urls[3] == (
        "https://www.cms.gov/files/zip/medicare-ncci-2026q4-practitioner-ptp-edits-ccipra-v323r0-f4.zip"
    )
    icd = [label for label, _ in candidates(entries["icd10cm_order"], TODAY)]
    assert icd[:2] == ["FY2028", "FY2027"]


def test_it_picks_the_newest_quarter_present_stepping_back_past_404s(
    file_server: tuple[str, Path], tmp_path: Path
) -> None:
    base, root = file_server
    mue_zip(root, 2026, 2)
    mue_zip(root, 2026, 3)  # 2027Q1 and 2026Q4 are not published: 404
    messages: list[str] = []

    files = sync_catalog(
        [mue_entry(base, ahead=1)], tmp_path / "dest", log=messages.append, today=TODAY
    )

    assert [f.name for f in files] == ["MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"]
    assert files[0].read_text() == "HCPCS,MUE\n63650,3\n"
    assert any("2027Q1 not published" in m for m in messages)
    assert any("2026Q4 not published" in m for m in messages)
    assert sorted(p.name for p in (tmp_path / "dest").iterdir()) == [files[0].name]


def test_it_gives_up_after_the_lookback_naming_what_it_tried(
    file_server: tuple[str, Path], tmp_path: Path
) -> None:
    base, _ = file_server

    with pytest.raises(
        SyncError,
        match=r"ncci_mue_practitioner: no release found: .*2026-q4.* \.\. .*2026-q2.* \(3 addresses\) answered 404",
    ):
        find_release(mue_entry(base, lookback=2), TODAY, log=lambda m: None)


def test_a_truncated_zip_keeps_nothing_and_leaves_the_previous_files(
    file_server: tuple[str, Path], tmp_path: Path
) -> None:
    base, root = file_server
    parts = ptp_zips(root, "322")
    data = parts[2].read_bytes()
    parts[2].write_bytes(data[: len(data) // 2])  # f3 cut off mid-download
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "ccipra-v322r0-f1.txt").write_text("the copy fetched before\n")

    with pytest.raises(
        SyncError, match=r"ncci_ptp_practitioner: .*-f3\.zip did not download as a complete zip"
    ):
        sync_catalog([ptp_entry(base)], dest, log=lambda m: None, today=dt.date(2026, 8, 1))

    assert sorted(p.name for p in dest.iterdir()) == ["ccipra-v322r0-f1.txt"]
    assert (dest / "ccipra-v322r0-f1.txt").read_text() == "the copy fetched before\n"


def test_all_four_ptp_parts_of_the_quarter_are_fetched(
    file_server: tuple[str, Path], tmp_path: Path
) -> None:
    base, root = file_server
    ptp_zips(root, "322")

    files = sync_catalog(
        [ptp_entry(base)], tmp_path / "dest", log=lambda m: None, today=dt.date(2026, 8, 1)
    )

    assert [f.name for f in files] == [f"ccipra-v322r0-f{n}.txt" for n in (1, 2, 3, 4)]


def test_a_template_with_an_unknown_placeholder_is_refused_when_the_catalog_loads(
    tmp_path: Path,
) -> None:
    catalog = tmp_path / "catalog.json"
    catalog.write_text(
        json.dumps(
            {"entries": [{"name": "pfs", "period": "quarter", "url": "https://x/rvu{yyyy}.zip"}]}
        )
    )

    with pytest.raises(SyncError, match=r"pfs: the url template names \{yyyy\}"):
        load_catalog(str(catalog))


def test_dry_run_prints_the_newest_release_and_downloads_nothing(
    file_server: tuple[str, Path], tmp_path: Path
) -> None:
    base, root = file_server
    mue_zip(root, 2026, 3)
    catalog = tmp_path / "catalog.json"
    entry = {
        "name": "ncci_mue_practitioner",
        "period": "quarter",
        "ahead": 1,
        "url": f"{base}/{MUE_NAME}",
    }
    catalog.write_text(json.dumps({"entries": [entry]}))
    dest = tmp_path / "dest"

    result = run_cli(
        [
            "data",
            "sync",
            "--dry-run",
            "--catalog",
            str(catalog),
            "--dest",
            str(dest),
            "--today",
            "2026-12-06",
        ],
        database_url=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        var_dir=tmp_path,
    )

    assert result.stdout.strip() == (
        f"ncci_mue_practitioner 2026Q3: would fetch {base}/medicare-ncci-2026-q3-practitioner-services-mue-table.zip"
    )
    assert "2026Q4 not published" in result.stderr.replace("\n", "")
    assert not dest.exists()


@pytest.mark.django_db(transaction=True)
def test_data_sync_of_a_truncated_zip_imports_nothing_and_exits_non_zero(
    file_server: tuple[str, Path], tmp_path: Path, scratch_database_url: str
) -> None:
    base, root = file_server
    good = mue_zip(root, 2026, 3)
    good.write_bytes(good.read_bytes()[:-40])  # the central directory cut off
    catalog = tmp_path / "catalog.json"
    entry = {"name": "ncci_mue_practitioner", "period": "quarter", "url": f"{base}/{MUE_NAME}"}
    catalog.write_text(json.dumps({"entries": [entry]}))
    dest = tmp_path / "dest"

    result = run_cli(
        ["data", "sync", "--catalog", str(catalog), "--dest", str(dest), "--today", "2026-08-15"],
        database_url=scratch_database_url,
        var_dir=tmp_path,
        check=False,
    )
    status = run_cli(
        ["data", "status", "--json"], database_url=scratch_database_url, var_dir=tmp_path
    )

    assert result.returncode == 1
    assert "did not download as a complete zip" in result.stderr.replace("\n", "")
    assert list(dest.iterdir()) == []
    assert json.loads(status.stdout)["releases"] == []
