"""A code's NCCI procedure-to-procedure partners, all of them: paged, filtered, titled, and
a "check this pair" lookup. The code page shows the first few; this is the list behind it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Model, Q

from medcode.codes import cpt_ranges
from medcode.codes.catalog import ReleaseCatalog
from medcode.codes.models import Code, PtpEdit, Release
from medcode.codes.page.panels import Source
from medcode.codes.page.reads import code_title
from medcode.lib.codeshapes import CPT_CODE

PAGE_SIZE = 50
INDICATOR_MEANINGS = {
    "0": "never paid together: no modifier allowed",
    "1": "a modifier may bypass the edit when the services were distinct",
    "9": "edit deleted (not applied)",
}
ROLES = {"column1": "as column 1 (its partner is denied)", "column2": "as column 2 (it is denied)"}


@dataclass(frozen=True)
class Partner:
    code: str
    title: str
    indicator: str
    indicator_meaning: str
    rationale: str


@dataclass(frozen=True)
class PartnerPage:
    code: str
    source: Source | None
    tables: tuple[tuple[str, str], ...]  # (dataset, title) of the tables in force
    table: str
    role: str
    indicator: str
    partners: tuple[Partner, ...]
    total: int
    page: int
    pages: int
    can_reverse: bool = False


@dataclass(frozen=True)
class PairAnswer:
    column_1: str
    column_2: str
    indicator: str
    indicator_meaning: str
    rationale: str
    source: Source


def _active(on: dt.date) -> Q:
    return (Q(effective_on__isnull=True) | Q(effective_on__lte=on)) & (
        Q(deleted_on__isnull=True) | Q(deleted_on__gte=on)
    )


def _has_index(model: type[Model], column: str) -> bool:
    """Whether the model declares an index led by `column` (alone or after its release)."""
    return any(
        list(index.fields)[:2] in ([column], ["release", column]) for index in model._meta.indexes
    )


def ptp_tables(catalog: ReleaseCatalog, on: dt.date) -> list[Release]:
    """The PTP tables in force, the practitioner table first."""
    return sorted(catalog.in_force("ptp_edits", on), key=lambda r: "practitioner" not in r.dataset)


def titles_for(codes: list[str], on: dt.date, catalog: ReleaseCatalog) -> dict[str, str]:
    """A title per code: HCPCS Level II descriptions, our editorial titles, CPT range names."""
    titles: dict[str, str] = {}
    level2 = [c for c in codes if not CPT_CODE.match(c)]
    hcpcs = catalog.in_force("codes", on, "HCPCS")
    if level2 and hcpcs:
        for code, text in Code.objects.filter(release_id=hcpcs[-1].pk, code__in=level2).values_list(
            "code", "long_description"
        ):
            titles[code] = text
    for code in codes:
        if code in titles:
            continue
        system = "CPT" if CPT_CODE.match(code) else "HCPCS"
        titles[code] = code_title(system, code) or (
            cpt_ranges.label(code) if system == "CPT" else ""
        )
    return titles


def partner_page(
    catalog: ReleaseCatalog,
    code: str,
    on: dt.date,
    *,
    table: str = "",
    role: str = "column1",
    indicator: str = "",
    page: int = 1,
) -> PartnerPage:
    releases = ptp_tables(catalog, on)
    tables = tuple((r.dataset, catalog.sources[r.pk].title) for r in releases)
    release = next((r for r in releases if r.dataset == table), releases[0] if releases else None)
    # Without an index on column 2 that direction would scan the whole table.
    can_reverse = _has_index(PtpEdit, "column_2")
    role = role if role in ROLES and (role == "column1" or can_reverse) else "column1"
    indicator = indicator if indicator in INDICATOR_MEANINGS else ""
    if release is None:
        return PartnerPage(code, None, tables, "", role, indicator, (), 0, 1, 1, can_reverse)
    mine, other = ("column_1", "column_2") if role == "column1" else ("column_2", "column_1")
    rows = PtpEdit.objects.filter(_active(on), release_id=release.pk, **{mine: code})
    if indicator:
        rows = rows.filter(modifier_indicator=indicator)
    total = rows.count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    start = (page - 1) * PAGE_SIZE
    found = list(
        rows.order_by(other).values_list(other, "modifier_indicator", "rationale")[
            start : start + PAGE_SIZE
        ]
    )
    titles = titles_for([c for c, _, _ in found], on, catalog)
    partners = tuple(
        Partner(c, titles.get(c, ""), ind, INDICATOR_MEANINGS.get(ind, ""), why)
        for c, ind, why in found
    )
    return PartnerPage(
        code,
        catalog.sources[release.pk],
        tables,
        release.dataset,
        role,
        indicator,
        partners,
        total,
        page,
        pages,
        can_reverse,
    )


def check_pair(catalog: ReleaseCatalog, a: str, b: str, on: dt.date) -> list[PairAnswer]:
    """The PTP edits in force between two codes, in either order, per table."""
    answers = []
    for release in ptp_tables(catalog, on):
        # One lookup per order: each walks the (release, column_1) index.
        found = [
            row
            for first, second in ((a, b), (b, a))
            for row in PtpEdit.objects.filter(
                _active(on), release_id=release.pk, column_1=first, column_2=second
            ).values_list("column_1", "column_2", "modifier_indicator", "rationale")
        ]
        for c1, c2, ind, why in found:
            answers.append(
                PairAnswer(
                    c1, c2, ind, INDICATOR_MEANINGS.get(ind, ""), why, catalog.sources[release.pk]
                )
            )
    return answers
