"""Small release files in the official and shared layouts, two releases of each, for the
diff tests. CPT codes appear as bare numbers only (no AMA text)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from medcode.codes.tests.sample_data import SAMPLES
from medcode.codes.tests.test_importer_ncci import (
    AOC_TITLES,
    NOTICE,
    ptp_txt,
    write_official,
)

PFS_HEADER = SAMPLES["pfs_rvu_2025d.csv"].splitlines()[0]
HCPCS_HEADER = SAMPLES["hcpcs_level2_2024_07.csv"].splitlines()[0]

# (column 1, column 2, effective YYYYMMDD, deletion YYYYMMDD or *, modifier indicator)
PTP_2024Q3_PARTS = [
    [
        ("63650", "62321", "20100101", "*", "0"),
        ("63650", "63661", "20100101", "*", "1"),
        ("63650", "64999", "20100101", "20201231", "9"),
    ],
    [
        ("63685", "63688", "20100101", "*", "1"),
        ("95972", "95970", "20100101", "*", "0"),
    ],
]
PTP_2024Q4_PARTS = [
    [
        ("63650", "62321", "20100101", "*", "0"),
        ("63650", "63661", "20100101", "*", "0"),  # indicator 1 -> 0
        ("63650", "77003", "20241001", "*", "1"),  # new
    ],
    [
        ("63685", "63688", "20100101", "20240930", "1"),  # ended before the quarter
        ("95972", "95970", "20100101", "*", "0"),
        ("95972", "95971", "20241001", "*", "1"),  # new
    ],
]

# (add-on, primary, type, effective Julian, edit deletion Julian)
AOC_2024Q3 = [
    ("22552", "22551", "1", "2017001", "9999999"),
    ("22552", "22554", "1", "2017001", "9999999"),
    ("63688", "63685", "1", "2017001", "9999999"),
    ("64462", "64461", "1", "2017001", "2024182"),  # ended before 2024Q3
]
AOC_2026Q2 = [
    ("22552", "22551", "1", "2017001", "9999999"),
    ("22552", "22554", "1", "2017001", "2025365"),  # ended
    ("95972", "95970", "1", "2026001", "9999999"),  # new
    ("64462", "64461", "1", "2017001", "2024182"),
]


def julian(value: str) -> dt.date | None:
    return None if value == "9999999" else dt.datetime.strptime(value, "%Y%j").date()


def ymd(value: str) -> dt.date | None:
    return None if value == "*" else dt.datetime.strptime(value, "%Y%m%d").date()


def in_force(
    pairs: list[tuple[str, str, dt.date | None, dt.date | None]], day: dt.date
) -> set[tuple[str, str]]:
    """An independent reading of 'in force on day' over the literal rows above."""
    return {
        (a, b)
        for a, b, effective, deleted in pairs
        if (effective is None or effective <= day) and (deleted is None or day <= deleted)
    }


def ptp_pairs(
    parts: Sequence[Sequence[tuple[str, ...]]],
) -> list[tuple[str, str, dt.date | None, dt.date | None]]:
    return [(r[0], r[1], ymd(r[2]), ymd(r[3])) for part in parts for r in part]


def aoc_pairs(
    rows: Sequence[tuple[str, ...]],
) -> list[tuple[str, str, dt.date | None, dt.date | None]]:
    return [(r[0], r[1], julian(r[3]), julian(r[4])) for r in rows]


def write_ptp_parts(
    folder: Path, version: str, parts: Sequence[Sequence[tuple[str, ...]]]
) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, rows in enumerate(parts, start=1):
        lines = [
            f"{a}\t{b}\t\t{eff}\t{dele}\t{mi}\tStandards of medical/surgical practice"
            for a, b, eff, dele, mi in rows
        ]
        paths.append(ptp_txt(folder, f"ccipra-{version}r0-f{number}.txt", rows=lines))
    return paths


def write_aoc(folder: Path, quarter: str, rows: Sequence[tuple[str, ...]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        f"{addon}\t{primary}\t{kind}\t9999999\t9999999\t{eff}\t{dele}\t"
        for addon, primary, kind, eff, dele in rows
    ]
    return write_official(folder / f"AOC_V{quarter}-MCR.txt", [NOTICE, AOC_TITLES, *lines])


def pfs_row(code: str, work: str, pe: str, total: str, global_days: str, cf: str) -> str:
    return (
        f"{code},,,A,,{work},{pe},,{pe},,0.82,{total},{total},0,{global_days},0.10,0.80,0.10,"
        f"2,0,1,0,0,,{cf},09,0,99,0.00,0.00,0.00"
    )


def write_pfs(folder: Path, name: str, rows: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join([PFS_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def hcpcs_row(code: str, title: str, short: str, term: str = "") -> str:
    return f'{code},"{title}",{short},00,9,I,O1A,D,N,,,,,,,,0,{term},2001-01-01,,2001-01-01'


def write_hcpcs(folder: Path, name: str, rows: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join([HCPCS_HEADER, *rows]) + "\n", encoding="utf-8")
    return path
