"""A code's History section on its code page: the stored changes that touch the code, newest
first, each citing the two releases compared; and the compared release pairs that left it alone.

One indexed query reads the rows (the code, or its partner in a pair, ordered by its diff);
the few stored diffs, with the titles of both releases, are read once per data generation
(medcode.ops.datacache). Diffs are stored at import.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from django.db import connections, router

from medcode.changes.families import BY_NAME
from medcode.changes.models import Change, ReleaseDiff
from medcode.codes import sql
from medcode.ops import datacache

# The rows shown on the code page; the full list is at /changes/code/<code>/.
PAGE_ROWS = 40

# Which dataset families can hold a code of each code set (as the code or its partner).
CODE_SET_FAMILIES = {
    "HCPCS": ("hcpcs",),
    "MODIFIER": ("hcpcs_modifiers",),
    "ICD10CM": ("icd10cm",),
    "ICD10PCS": ("icd10pcs",),
    "POS": ("pos",),
}
PROCEDURE_FAMILIES = (
    "ncci_ptp_practitioner",
    "ncci_ptp_hospital",
    "ncci_mue_practitioner",
    "ncci_mue_hospital",
    "ncci_mue_dme",
    "ncci_aoc",
    "pfs_rvu",
    "opps_addendum_b",
    "ncd_coding",
    "mcd_article_icd10",
    "mcd_lcd_hcpcs",
)
DIAGNOSIS_FAMILIES = ("ncd_coding", "mcd_article_icd10")

FIELD_LABELS = {
    "title": "title",
    "short_title": "short title",
    "billable": "billable",
    "terminated_on": "terminated on",
    "modifier_indicator": "modifier indicator",
    "mue": "MUE value",
    "mai": "MUE adjudication indicator",
    "edit_type": "edit type",
    "status": "status",
    "global_days": "global period",
    "pctc_ind": "PC/TC indicator",
    "mult_proc_ind": "multiple procedures indicator",
    "bilat_surg_ind": "bilateral surgery indicator",
    "asst_surg_ind": "assistant at surgery indicator",
    "co_surg_ind": "co-surgeons indicator",
    "team_surg_ind": "team surgery indicator",
    "work_rvu": "work RVU",
    "nonfac_pe_rvu": "non-facility PE RVU",
    "facility_pe_rvu": "facility PE RVU",
    "mp_rvu": "malpractice RVU",
    "nonfac_total": "non-facility total RVUs",
    "facility_total": "facility total RVUs",
    "conv_factor": "conversion factor",
    "nonfac_payment": "non-facility national payment",
    "facility_payment": "facility national payment",
    "status_indicator": "status indicator",
    "payment_rate": "national payment rate",
    "apc": "APC",
    "resolution": "coverage",
    "coverage": "coverage",
    "group": "LCD group",
}


@dataclass(frozen=True)
class HistoryRow:
    effective_on: dt.date
    diff_id: int
    dataset: str
    what: str  # "work RVU changed", "PTP pair with 63685 added", ...
    old_value: str
    new_value: str
    percent: float | None
    from_source: str  # "Medicare PFS relative values RVU25D"
    to_source: str


@dataclass(frozen=True)
class UnchangedPair:
    diff_id: int
    dataset: str
    from_label: str
    to_label: str


@dataclass(frozen=True)
class CodeHistory:
    code: str
    rows: tuple[HistoryRow, ...]
    more: bool  # more rows than the page shows
    unchanged: tuple[UnchangedPair, ...]


def _families_for(system: str) -> tuple[str, ...]:
    if system in ("CPT", "HCPCS"):
        return (*CODE_SET_FAMILIES.get(system, ()), *PROCEDURE_FAMILIES)
    if system == "ICD10CM":
        return (*CODE_SET_FAMILIES[system], *DIAGNOSIS_FAMILIES)
    return CODE_SET_FAMILIES.get(system, ())


@dataclass(frozen=True)
class _Diff:
    """A stored diff as the History section cites it."""

    pk: int
    family: str
    effective_on: dt.date
    from_source: str
    to_source: str
    from_label: str
    to_label: str


@dataclass(frozen=True)
class _Change:
    diff: _Diff
    code: str
    other_code: str
    qualifier: str
    kind: str
    field: str
    old_value: str
    new_value: str
    percent: float | None


@datacache.cached("stored-diffs")
def _stored_diffs() -> dict[int, _Diff]:
    """Every stored diff, newest first (a few dozen rows), read once per data generation."""
    found = {}
    for d in ReleaseDiff.objects.select_related("from_release", "to_release").order_by(
        "-effective_on", "family"
    ):
        found[d.pk] = _Diff(
            d.pk,
            d.family,
            d.effective_on,
            _source(d.from_release.get_dataset_title(), d.from_label),
            _source(d.to_release.get_dataset_title(), d.to_label),
            d.from_label,
            d.to_label,
        )
    return found


def _what(change: _Change, code: str) -> str:
    family = BY_NAME.get(change.diff.family)
    label = FIELD_LABELS.get(change.field, change.field.replace("_", " "))
    partner = change.code if change.other_code == code else change.other_code
    if family is not None and len(family.keys) > 1 and partner and change.other_code:
        # A pair: name the partner and this code's side of it.
        names = family.key_names
        side = names[1] if change.other_code == code else names[0]
        other_side = names[0] if change.other_code == code else names[1]
        pair = f"pair with {other_side} {partner} (this code {side})"
        if change.kind in ("added", "deleted"):
            return f"{pair} {change.kind}"
        return f"{label} of {pair} changed"
    qualifier = f" (modifier {change.qualifier})" if change.qualifier else ""
    if change.kind == "added":
        return f"added{qualifier}"
    if change.kind == "deleted":
        return f"deleted{qualifier}"
    return f"{label} changed{qualifier}"


def _source(release_title: str, label: str) -> str:
    return f"{release_title} {label}".strip()


def code_history(code: str, system: str, *, limit: int = PAGE_ROWS) -> CodeHistory:
    """The code's stored changes, newest first (at most `limit`), and the stored diffs of the
    families its code set can appear in that did not touch it."""
    families = _families_for(system)
    diffs = _stored_diffs()
    alias = router.db_for_read(Change)
    found: list[tuple[Any, ...]] = []
    if families:  # an empty IN list is an error on PostgreSQL
        query = _history_sql(alias, len(families))
        found = sql.run(alias, query, [code, code, *families, limit + 1])
    changes = [_Change(diffs[row[0]], *row[1:]) for row in found if row[0] in diffs]
    rows = tuple(
        HistoryRow(
            effective_on=c.diff.effective_on,
            diff_id=c.diff.pk,
            dataset=family_title(c.diff.family),
            what=_what(c, code),
            old_value=c.old_value,
            new_value=c.new_value,
            percent=c.percent,
            from_source=c.diff.from_source,
            to_source=c.diff.to_source,
        )
        for c in changes[:limit]
    )
    touched = {c.diff.pk for c in changes}
    more = len(changes) > limit
    unchanged = tuple(
        UnchangedPair(d.pk, family_title(d.family), d.from_label, d.to_label)
        for d in diffs.values()
        if d.family in families and d.pk not in touched and not more
    )
    return CodeHistory(code=code, rows=rows, more=more, unchanged=unchanged)


@functools.cache
def _history_sql(alias: str, families: int) -> str:
    """The History rows' query: the code, or its partner in a pair, in the stored diffs of
    `families` families, newest diff first. Written out, since building the same query with the
    ORM (a join, an OR, five orderings) cost more CPU than running it: ~10% of a long-tail code
    page's Python time (py-spy, bench/pages.py)."""
    quote = connections[alias].ops.quote_name
    change, diff = quote(Change._meta.db_table), quote(ReleaseDiff._meta.db_table)
    places = ", ".join(["%s"] * families)
    return (
        f"SELECT c.diff_id, c.code, c.other_code, c.qualifier, c.kind, c.field, c.old_value,"
        f" c.new_value, c.percent FROM {change} c INNER JOIN {diff} d ON c.diff_id = d.id"
        f" WHERE (c.code = %s OR c.other_code = %s) AND d.family IN ({places})"
        f" ORDER BY d.effective_on DESC, d.family ASC, c.code ASC, c.other_code ASC, c.id ASC"
        f" LIMIT %s"
    )


def family_title(name: str) -> str:
    family = BY_NAME.get(name)
    return family.title if family else name
