"""Which releases are in force on a date: one pure rule for the catalog, the claim check and
the guard.

A release takes effect on its `effective_from` and is superseded by the next release of its
dataset; `effective_to`, where a file states one, is the last day it covers (inclusive). Of
releases with the same date, the one imported later (higher id) is the newer. An official NCCI
PTP quarter comes as four files, four releases with one date: `quarter_in_force` reads them
together. Whether to fall back to the earliest release when the date precedes them all is
the caller's choice (`guess`): code lists do (the page shows the release's own date), edit
tables never do.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar


class Dated(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def dataset(self) -> str: ...

    @property
    def effective_from(self) -> dt.date: ...


class Spanned(Protocol):
    @property
    def effective_from(self) -> dt.date: ...

    @property
    def effective_to(self) -> dt.date | None: ...


R = TypeVar("R", bound=Dated)


def age(release: Dated) -> tuple[dt.date, int]:
    """Sort key, oldest first: effective date, then import order."""
    return (release.effective_from, release.id)


def within(start: dt.date | None, end: dt.date | None, on: dt.date) -> bool:
    """Whether `on` falls in [start, end], both inclusive; a missing end is open."""
    return (start is None or start <= on) and (end is None or on <= end)


def covers(release: Spanned, on: dt.date) -> bool:
    """Whether `on` is within the release's own dates (strict: no supersession, no guess)."""
    return within(release.effective_from, release.effective_to, on)


def started(releases: Iterable[R], on: dt.date) -> list[R]:
    """The releases that took effect by `on`, in the order given."""
    return [r for r in releases if r.effective_from <= on]


def newest_in_force(releases: Sequence[R], on: dt.date, *, guess: bool = True) -> R | None:
    """The latest release that took effect by `on`; when `on` precedes them all, the earliest
    (guess) or none."""
    begun = started(releases, on)
    if begun:
        return max(begun, key=age)
    return min(releases, key=age) if releases and guess else None


def quarter_in_force(releases: Sequence[R], on: dt.date) -> tuple[R, ...]:
    """Every release sharing the date of the latest one that took effect by `on` (the parts
    of one official quarter), oldest import first; none before the first."""
    newest = newest_in_force(releases, on, guess=False)
    if newest is None:
        return ()
    same = [r for r in releases if r.effective_from == newest.effective_from]
    return tuple(sorted(same, key=age))


def each_dataset_in_force(
    releases: Iterable[R], on: dt.date, *, guess: bool = True
) -> tuple[R, ...]:
    """Each dataset's release in force (code lists from several files complement each other),
    by dataset name."""
    by_dataset: defaultdict[str, list[R]] = defaultdict(list)
    for release in releases:
        by_dataset[release.dataset].append(release)
    found = (newest_in_force(group, on, guess=guess) for _, group in sorted(by_dataset.items()))
    return tuple(r for r in found if r is not None)


def layered_in_force(releases: Iterable[R], on: dt.date) -> tuple[R, ...]:
    """Each dataset's release that took effect by `on`, newest first (a newer partial table
    overrides an older whole one); none before the first."""
    return tuple(sorted(each_dataset_in_force(releases, on, guess=False), key=age, reverse=True))
