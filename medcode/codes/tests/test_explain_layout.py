"""The HCPCS code meanings list exactly the codes CMS's record layout lists for each field.

Reads HCPC2026_recordlayout.txt from ../shared/incoming/2026 (skipped where it is absent), so a
value added to or dropped from a table without the layout saying so fails here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pytest

from medcode.codes.page import meanings as explain

FIELD_HEADER = re.compile(r"^\s{2}(\d+)\.\s+(.+?)\s*$")
CODE_LINE = re.compile(r"^\s+([0-9A-Z]{1,3}) = (.+)$")

# (field number in the layout, its title, our table)
FIELDS: list[tuple[int, str, Mapping[str, str]]] = [
    (9, "HCPCS Pricing Indicator Code", explain.HCPCS_PRICING),
    (10, "HCPCS Multiple Pricing Indicator Code", explain.HCPCS_MULT_PRICING),
    (14, "HCPCS Lab Certification Code", explain.HCPCS_LAB_CERT),
    (16, "HCPCS Coverage Code", explain.HCPCS_COVERAGE),
    (30, "HCPCS Action Code", explain.HCPCS_ACTION),
]


def layout_codes(text: str) -> tuple[dict[int, str], dict[int, dict[str, str]]]:
    """Each numbered field's title, and its `CODE = meaning` lines (a meaning's first line)."""
    fields: dict[int, dict[str, str]] = {}
    current: dict[str, str] | None = None
    titles: dict[int, str] = {}
    for line in text.expandtabs(8).splitlines():
        header = FIELD_HEADER.match(line)
        if header and not line.startswith("   "):
            number = int(header.group(1))
            titles[number] = header.group(2)
            current = fields.setdefault(number, {})
            continue
        code = CODE_LINE.match(line)
        if code and current is not None:
            current[code.group(1)] = code.group(2).strip()
    return titles, fields


@pytest.fixture
def record_layout(shared_data_dir: Path) -> str:
    path = shared_data_dir.parent / "incoming" / "2026" / "HCPC2026_recordlayout.txt"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return path.read_text(encoding="latin-1")


@pytest.mark.parametrize(("number", "title", "table"), FIELDS, ids=[f[1] for f in FIELDS])
def test_each_hcpcs_code_table_lists_exactly_the_record_layouts_codes(
    record_layout: str, number: int, title: str, table: Mapping[str, str]
) -> None:
    titles, fields = layout_codes(record_layout)
    assert titles[number].startswith(title)
    assert set(table) == set(fields[number]), (
        f"field {number}: only in the layout {sorted(set(fields[number]) - set(table))}, "
        f"only in page/meanings.py {sorted(set(table) - set(fields[number]))}"
    )


def test_the_layout_reader_finds_codes_of_a_field_in_a_small_sample() -> None:
    sample = (
        "  9.   HCPCS Pricing Indicator Code\n"
        "                                 2    120    121    CHAR\n"
        "                                                       00 = Service not separately\n"
        "\t\t\t\t\t\t       40 = Lymphedema items\n"
        "  10.  HCPCS Multiple Pricing Indicator Code\n"
        "                                                       A = One methodology\n"
    )
    titles, fields = layout_codes(sample)
    assert titles == {
        9: "HCPCS Pricing Indicator Code",
        10: "HCPCS Multiple Pricing Indicator Code",
    }
    assert fields[9] == {"00": "Service not separately", "40": "Lymphedema items"}
    assert fields[10] == {"A": "One methodology"}
