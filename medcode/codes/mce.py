"""Reads of the Medicare Code Editor (MCE) edit lists: which lists name a code, what a list holds.

The lists come from CMS's "Definitions of Medicare Code Edits" (importers/mce.py); each code
row carries its edit ("4C"), list key ("age_maternity") and, for the age lists, the age range.
The list's wording (title, the manual's condition text) is kept once per list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from medcode.codes import sql
from medcode.codes.catalog import ReleaseCatalog, derived, release_catalog
from medcode.codes.models import MceListing, ReferenceRow, Release
from medcode.codes.page.panels import Source


@dataclass(frozen=True)
class MceList:
    key: str
    edit: str
    system: str
    title: str
    manual_heading: str
    condition: str
    age_low: int | None
    age_high: int | None
    codes: int


@dataclass(frozen=True)
class MceEdit:
    """One MCE list that names a code."""

    code: str
    list: MceList
    requires_secondary_dx: bool
    source: Source

    @property
    def label(self) -> str:
        """'MCE 4C: Age conflict: maternity diagnosis, age 9-64'."""
        text = f"MCE {self.list.edit}: {self.list.title}"
        if self.list.age_low is not None and self.list.age_high is not None:
            ages = (
                f"age {self.list.age_low} only"
                if self.list.age_low == self.list.age_high
                else f"age {self.list.age_low}-{self.list.age_high}"
            )
            text += f", {ages}"
        if self.requires_secondary_dx:
            text += " (acceptable with a secondary diagnosis)"
        return text


def mce_release(on: dt.date, catalog: ReleaseCatalog | None = None) -> Release | None:
    """The MCE release in force on a date (the earliest loaded one before any took effect)."""
    releases = (catalog or release_catalog()).in_force("mce_codes", on)
    return releases[-1] if releases else None


def mce_lists(release: Release) -> dict[str, MceList]:
    """The lists of one release by key, read once per release."""
    key = ("mce_lists", release.pk)
    cached = derived.get(key)
    if cached is None:
        cached = {}
        for data in ReferenceRow.objects.filter(release_id=release.pk, key="mce_list").values_list(
            "data", flat=True
        ):
            cached[str(data["list_key"])] = MceList(
                key=str(data["list_key"]),
                edit=str(data["edit"]),
                system=str(data["system"]),
                title=str(data["title"]),
                manual_heading=str(data.get("manual_heading") or ""),
                condition=str(data.get("condition") or ""),
                age_low=data.get("age_low"),
                age_high=data.get("age_high"),
                codes=int(data.get("codes") or 0),
            )
        derived[key] = cached
    return dict(cached)


def mce_edits_for(
    code: str, on: dt.date, catalog: ReleaseCatalog | None = None
) -> tuple[MceEdit, ...]:
    """The MCE lists naming `code` (ICD-10-CM or ICD-10-PCS, dots optional) on a date."""
    catalog = catalog or release_catalog()
    release = mce_release(on, catalog)
    if release is None:
        return ()
    code = code.upper().replace(".", "")
    lists = mce_lists(release)
    source = catalog.sources[release.pk]
    found = []
    # Written out (medcode.codes.sql): the ORM's building cost more than running it.
    for list_key, attributes in sql.select(
        MceListing,
        "SELECT list_key, attributes FROM {table} WHERE release_id = %s AND code = %s",
        [release.pk, code],
    ):
        listed = lists.get(list_key)
        if listed is not None:
            secondary = bool((sql.json_value(attributes) or {}).get("requires_secondary_dx"))
            found.append(MceEdit(code, listed, secondary, source))
    return tuple(sorted(found, key=lambda e: _edit_order(e.list.edit)))


def codes_in_mce_list(list_key: str, on: dt.date) -> tuple[str, ...]:
    """Every code (no dots) on one MCE list in force on a date, e.g. "age_maternity"."""
    release = mce_release(on)
    if release is None:
        return ()
    return tuple(
        MceListing.objects.filter(release_id=release.pk, list_key=list_key)
        .order_by("code")
        .values_list("code", flat=True)
    )


def _edit_order(edit: str) -> tuple[int, str]:
    digits = "".join(c for c in edit if c.isdigit())
    return int(digits or 0), edit
