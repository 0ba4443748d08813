"""Finding postings: full text on title, company and description, filters, sorting.

The page, the JSON API, the feeds and the alert digests all call `find_postings`, so a search
means the same thing everywhere. Words are matched by the database's own full-text index
(migrations 0002-0003): FTS5 on SQLite (every user token quoted with the search app's
`quote_fts`, so nothing typed is an operator), websearch_to_tsquery on PostgreSQL (which never
raises on user input). The equality filters (work mode, type, specialty, state, city,
credential) are tokens in the same index (`facets_of`), so the index intersects words and
filters and only the final matches are read from the table; ranges (pay, experience) and
liveness are checked on those rows. Code search (medcode.search.backends) indexes codes with
code-specific filters, so postings have this small module of their own with the same approach.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, F
from django.db.models.expressions import RawSQL
from django.utils import timezone

from medcode.jobs.models import (
    EmploymentType,
    Posting,
    PostingQuerySet,
    Specialty,
    Status,
    WorkMode,
)
from medcode.search.querytext import quote_fts

Sort = Literal["newest", "salary"]
SORTS: tuple[Sort, ...] = ("newest", "salary")
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_WORDS = 16
MAX_QUERY_CHARS = 200
_WORDY = re.compile(r"\w")
_NOT_WORD = re.compile(r"[\W_]+")
TEXT_COLUMNS = ("title", "company", "description")


@dataclass(frozen=True)
class JobQuery:
    """What a coder asked for. Empty fields do not filter."""

    words: str = ""
    city: str = ""
    state: str = ""
    work_modes: tuple[str, ...] = ()
    employment_types: tuple[str, ...] = ()
    credentials: tuple[str, ...] = ()
    specialties: tuple[str, ...] = ()
    max_experience: int | None = None
    min_salary: int | None = None
    sort: Sort = "newest"
    # Only postings that went live after this moment (alert digests).
    posted_after: dt.datetime | None = field(default=None, compare=False)

    def to_params(self) -> list[tuple[str, str]]:
        """The query string pairs that mean this query (see forms.SearchForm)."""
        pairs: list[tuple[str, str]] = []
        for name, value in (("q", self.words), ("city", self.city), ("state", self.state)):
            if value:
                pairs.append((name, value))
        for name, values in (
            ("mode", self.work_modes),
            ("type", self.employment_types),
            ("credential", self.credentials),
            ("specialty", self.specialties),
        ):
            pairs.extend((name, v) for v in values)
        if self.max_experience is not None:
            pairs.append(("experience", str(self.max_experience)))
        if self.min_salary is not None:
            pairs.append(("salary", str(self.min_salary)))
        if self.sort != "newest":
            pairs.append(("sort", self.sort))
        return pairs

    @property
    def filters(self) -> dict[str, list[str]]:
        """Everything but the words and the sort, as a saved search keeps it."""
        kept: dict[str, list[str]] = {}
        for name, value in self.to_params():
            if name not in {"q", "sort"}:
                kept.setdefault(name, []).append(value)
        return kept

    @property
    def has_filters(self) -> bool:
        return bool(self.words or self.filters)

    @property
    def query_string(self) -> str:
        return urlencode(self.to_params())

    @property
    def label(self) -> str:
        """A short name for the search: its words and filters."""
        parts = [f"“{self.words}”"] if self.words else []
        parts += [p for p in (self.city, self.state) if p]
        for values, choices in (
            (self.work_modes, WorkMode),
            (self.employment_types, EmploymentType),
            (self.specialties, Specialty),
        ):
            parts += [str(choices(v).label) for v in values if v in choices.values]
        parts += list(self.credentials)
        if self.max_experience is not None:
            parts.append(f"up to {self.max_experience} years' experience")
        if self.min_salary is not None:
            parts.append(f"${self.min_salary:,}+ a year")
        return ", ".join(parts) or "all coding jobs"


def facet_token(field: str, value: str) -> str:
    """The index token for one filter value: "remote" work mode is `xmoderemote`, the
    credential CCS-P `xcredccsp`, the city "St. Louis" `xcitystlouis` (letters and digits)."""
    return "x" + field + _NOT_WORD.sub("", value.lower())


def facets_of(posting: Posting, credentials: Iterable[str]) -> str:
    """What services store in Posting.search_facets: a token per filterable value."""
    values = [
        ("mode", posting.work_mode),
        ("type", posting.employment_type),
        ("spec", posting.specialty),
        ("state", posting.state),
        ("city", posting.city),
        *(("cred", c) for c in sorted(set(credentials))),
    ]
    return " ".join(facet_token(field, value) for field, value in values if value)


def facet_groups(query: JobQuery) -> list[list[str]]:
    """The query's filters as token groups: any token of a group, every group."""
    fields = (
        ("mode", query.work_modes),
        ("type", query.employment_types),
        ("spec", query.specialties),
        ("state", (query.state,) if query.state else ()),
        ("city", (query.city,) if query.city else ()),
        ("cred", query.credentials),
    )
    return [[facet_token(field, v) for v in values] for field, values in fields if values]


def fts5_expression(words: str) -> str:
    """An FTS5 MATCH expression requiring every word; "" when nothing searchable is left.

    Each whitespace-separated token is one quoted string, so `CCS-P` is the phrase "ccs p" and
    AND, NEAR, *, ^ or a stray quote are plain text.
    """
    tokens = [t for t in words[:MAX_QUERY_CHARS].split() if _WORDY.search(t)][:MAX_WORDS]
    return " AND ".join(quote_fts(t) for t in tokens)


def _fts5_match(words: str, groups: list[list[str]]) -> str:
    parts = []
    if expression := fts5_expression(words):
        parts.append(f"{{{' '.join(TEXT_COLUMNS)}}} : ({expression})")
    if groups:
        facets = " AND ".join("(" + " OR ".join(quote_fts(t) for t in g) + ")" for g in groups)
        parts.append(f"search_facets : ({facets})")
    return " AND ".join(parts)


def _match_condition(query: JobQuery, *, today: dt.date) -> RawSQL | None:
    """One condition for the words and the filters, answered by the full-text index (which
    intersects them far faster than row-by-row checks), or None when neither is given."""
    words = " ".join(query.words[:MAX_QUERY_CHARS].split())
    words = words if _WORDY.search(words) else ""
    groups = facet_groups(query)
    if not words and not groups:
        return None
    if connection.vendor == "postgresql":
        sql, params = [], []
        if words:
            sql.append("websearch_to_tsquery('english', %s)")
            params.append(words)
        if groups:
            sql.append("to_tsquery('simple', %s)")
            params.append(" & ".join("(" + " | ".join(g) + ")" for g in groups))
        return RawSQL(
            f'"jobs_posting"."search_vector" @@ ({" && ".join(sql)})',
            params,
            output_field=BooleanField(),
        )
    # The unary + keeps SQLite from walking the status index over every live posting: it
    # reads the few matching rows by rowid instead.
    return RawSQL(
        '"jobs_posting"."id" IN (SELECT rowid FROM jobs_posting_fts WHERE jobs_posting_fts'
        ' MATCH %s) AND +"jobs_posting"."status" = %s AND +"jobs_posting"."expires_on" >= %s',
        [_fts5_match(words, groups), Status.LIVE, today],
        output_field=BooleanField(),
    )


def find_postings(query: JobQuery, *, on: dt.date | None = None) -> PostingQuerySet:
    """Live postings matching `query`, in its order (newest first, or best paid first)."""
    today = on or timezone.localdate()
    condition = _match_condition(query, today=today)
    if condition is None:
        postings = Posting.objects.live(on=today)
    elif connection.vendor == "postgresql":
        postings = Posting.objects.live(on=today).filter(condition)
    else:
        postings = Posting.objects.filter(condition)  # live is inside the condition
    if query.max_experience is not None:
        postings = postings.filter(experience_years__lte=query.max_experience)
    if query.min_salary is not None:
        postings = postings.filter(annual_salary_max__gte=query.min_salary)
    if query.posted_after is not None:
        postings = postings.filter(posted_at__gt=query.posted_after)
    if query.sort == "salary":
        postings = postings.order_by(
            F("annual_salary_max").desc(nulls_last=True), "-posted_at", "-id"
        )
    else:
        postings = postings.order_by("-posted_at", "-id")
    return postings.select_related("employer").prefetch_related("credentials")


def page_of(
    postings: PostingQuerySet, number: int | str | None, *, size: int = PAGE_SIZE
) -> Page[Posting]:
    """One page of results; a number past the end gives the last page, junk the first."""
    paginator = Paginator(postings, max(1, min(size, MAX_PAGE_SIZE)))
    return paginator.get_page(number)


def rebuild_index() -> None:
    """Re-read every posting into the SQLite FTS5 table (PostgreSQL's vector is generated)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO jobs_posting_fts(jobs_posting_fts) VALUES ('rebuild')")
            cursor.execute("INSERT INTO jobs_posting_fts(jobs_posting_fts) VALUES ('optimize')")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE jobs_posting")
