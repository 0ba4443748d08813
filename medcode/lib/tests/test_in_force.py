"""Which releases are in force on a date: the edge cases, as a table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from medcode.lib.in_force import (
    covers,
    each_dataset_in_force,
    layered_in_force,
    newest_in_force,
    quarter_in_force,
    within,
)

D = dt.date


@dataclass(frozen=True)
class Rel:
    id: int
    dataset: str
    effective_from: dt.date
    effective_to: dt.date | None = None


# PTP practitioner: 2024Q2 as one file, 2024Q3 as four parts (ids 2-5), a re-import of Q2 later.
Q2 = Rel(1, "ptp", D(2024, 4, 1), D(2024, 6, 30))
Q3 = tuple(Rel(i, "ptp", D(2024, 7, 1), D(2024, 9, 30)) for i in (2, 3, 4, 5))
Q2_AGAIN = Rel(6, "ptp", D(2024, 4, 1), D(2024, 6, 30))
# MUE: a whole 2024Q3 table and a newer partial 2026Q2 table of another dataset.
MUE_WHOLE = Rel(7, "mue", D(2024, 7, 1))
MUE_PARTIAL = Rel(8, "mue_mai3", D(2026, 4, 1))
# Two code lists that complement each other.
HCPCS_JAN, HCPCS_APR = Rel(9, "hcpcs", D(2024, 1, 1)), Rel(10, "hcpcs", D(2024, 4, 1))
CPT = Rel(11, "cpt", D(2025, 1, 1))

NEWEST = [
    # (releases, date, guess, expected id or None)
    ((Q2, *Q3), D(2024, 6, 30), True, 1),  # the day before the next takes effect
    ((Q2, *Q3), D(2024, 7, 1), True, 5),  # the day it takes effect; the last part imported
    ((Q2, *Q3), D(2030, 1, 1), True, 5),  # long after: still the newest (no end is enforced)
    ((Q2, *Q3), D(2024, 3, 31), True, 1),  # before all: the earliest, as a guess
    ((Q2, *Q3), D(2024, 3, 31), False, None),  # ... or none
    ((Q2_AGAIN, Q2), D(2024, 5, 1), True, 6),  # same date: the later import wins, any order
    ((Q2, Q2_AGAIN), D(2024, 3, 1), True, 1),  # before all, same date: the earlier import
    ((), D(2024, 5, 1), True, None),
]


@pytest.mark.parametrize(("releases", "on", "guess", "expected"), NEWEST)
def test_newest_in_force(releases, on, guess, expected):
    found = newest_in_force(releases, on, guess=guess)
    assert (found.id if found else None) == expected


QUARTERS = [
    ((Q2, *Q3), D(2024, 7, 1), (2, 3, 4, 5)),  # every part of the quarter, in import order
    ((Q3[2], Q3[0], Q2, Q3[3], Q3[1]), D(2024, 8, 15), (2, 3, 4, 5)),
    ((Q2, *Q3), D(2024, 6, 30), (1,)),
    ((Q2, Q2_AGAIN, *Q3), D(2024, 6, 1), (1, 6)),  # both files of a date are read
    ((Q2, *Q3), D(2024, 3, 31), ()),  # never guessed
]


@pytest.mark.parametrize(("releases", "on", "expected"), QUARTERS)
def test_quarter_in_force(releases, on, expected):
    assert tuple(r.id for r in quarter_in_force(releases, on)) == expected


EACH = [
    # per dataset, by dataset name
    ((HCPCS_JAN, HCPCS_APR, CPT), D(2024, 5, 1), True, (11, 10)),  # CPT by its guess
    ((HCPCS_JAN, HCPCS_APR, CPT), D(2024, 5, 1), False, (10,)),
    ((HCPCS_APR, HCPCS_JAN, CPT), D(2024, 3, 31), False, (9,)),
    ((HCPCS_JAN, HCPCS_APR, CPT), D(2025, 1, 1), True, (11, 10)),
]


@pytest.mark.parametrize(("releases", "on", "guess", "expected"), EACH)
def test_each_dataset_in_force(releases, on, guess, expected):
    assert tuple(r.id for r in each_dataset_in_force(releases, on, guess=guess)) == expected


LAYERS = [
    # newest first: a newer partial table before an older whole one; none guessed
    ((MUE_WHOLE, MUE_PARTIAL), D(2026, 4, 1), (8, 7)),
    ((MUE_PARTIAL, MUE_WHOLE), D(2026, 3, 31), (7,)),
    ((MUE_WHOLE, MUE_PARTIAL), D(2024, 6, 30), ()),
]


@pytest.mark.parametrize(("releases", "on", "expected"), LAYERS)
def test_layered_in_force(releases, on, expected):
    assert tuple(r.id for r in layered_in_force(releases, on)) == expected


SPANS = [
    # a release's own dates, both ends inclusive
    (Q2, D(2024, 4, 1), True),
    (Q2, D(2024, 6, 30), True),
    (Q2, D(2024, 7, 1), False),
    (Q2, D(2024, 3, 31), False),
    (MUE_WHOLE, D(2099, 1, 1), True),  # no end: open
]


@pytest.mark.parametrize(("release", "on", "expected"), SPANS)
def test_covers(release, on, expected):
    assert covers(release, on) is expected


def test_within_treats_a_missing_start_or_end_as_open():
    assert within(None, None, D(2024, 1, 1))
    assert within(None, D(2024, 1, 1), D(2024, 1, 1))
    assert not within(None, D(2024, 1, 1), D(2024, 1, 2))
    assert within(D(2024, 1, 1), None, D(2024, 1, 1))
    assert not within(D(2024, 1, 2), None, D(2024, 1, 1))
