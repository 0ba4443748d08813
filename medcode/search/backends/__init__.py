"""Lexical search over the documents: one interface, a backend per database vendor.

Both backends answer the same questions (see `Backend`) and the same parametrized tests run
against whichever database the suite uses. User words reach the database only as bound
parameters, quoted for the engine's own query language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from django.db import connection

from medcode.search.querytext import Group

# Around matched words in highlighted text; private-use characters never occur in the data.
MARK_START = "\ue000"
MARK_END = "\ue001"

Operator = Literal["AND", "OR"]


@dataclass(frozen=True)
class Filters:
    """Which documents a search may return.

    `systems` empty means every code set. With `on`, a code must be in a release in force
    on that date (`release_ids`, per system in `dated_systems`); without it, in a current one.
    """

    systems: tuple[str, ...] = ()
    is_billable: bool | None = None
    on: dt.date | None = None
    release_ids: tuple[int, ...] = ()
    dated_systems: tuple[str, ...] = ()


# Ranking every document that has a very common word costs more than it tells: for such
# queries the backends score the first COMMON_SAMPLE matches in document order instead.
COMMON_SAMPLE = 400


@dataclass(frozen=True)
class Hit:
    document_id: int
    score: float
    is_billable: bool = True
    title: str = ""  # plain


@dataclass(frozen=True)
class Marked:
    title: str  # matched words between MARK_START and MARK_END
    synonym: str = ""  # the best matching synonym fragment, marked, when there is one


class Backend(Protocol):
    vendor: str

    def search_words(
        self,
        groups: list[Group],
        *,
        prefix_last: bool,
        operator: Operator,
        filters: Filters,
        limit: int,
        common: bool = False,
    ) -> list[Hit]: ...

    def search_phrase(
        self,
        words: list[str],
        *,
        prefix_last: bool,
        filters: Filters,
        limit: int,
        common: bool = False,
    ) -> list[Hit]: ...

    def highlight(
        self, groups: list[Group], *, prefix_last: bool, document_ids: Sequence[int]
    ) -> dict[int, Marked]: ...

    def similar_words(self, word: str, *, limit: int = 40) -> list[tuple[str, int]]: ...

    def rebuild(self) -> None: ...


def filter_sql(filters: Filters, alias: str = "d") -> tuple[str, list[Any]]:
    """A WHERE fragment (starting with AND) and its parameters, the same on both vendors."""
    clauses: list[str] = []
    params: list[Any] = []
    if filters.systems:
        clauses.append(f"{alias}.system IN ({', '.join(['%s'] * len(filters.systems))})")
        params.extend(filters.systems)
    if filters.is_billable is not None:
        clauses.append(f"{alias}.is_billable = %s")
        params.append(filters.is_billable)
    if filters.on is None:
        clauses.append(f"{alias}.is_current = %s")
        params.append(True)
    else:
        clauses.append(f"({alias}.terminated_on IS NULL OR {alias}.terminated_on > %s)")
        params.append(filters.on)
        if filters.dated_systems:
            systems = ", ".join(["%s"] * len(filters.dated_systems))
            releases = ", ".join(["%s"] * len(filters.release_ids)) or "NULL"
            clauses.append(
                f"({alias}.system NOT IN ({systems}) OR EXISTS (SELECT 1 FROM codes_code c"
                f" WHERE c.code = {alias}.code AND c.system = {alias}.system"
                f" AND c.release_id IN ({releases})))"
            )
            params.extend(filters.dated_systems)
            params.extend(filters.release_ids)
    return "".join(f" AND {c}" for c in clauses), params


def document_ids(system: str, codes: Sequence[str], filters: Filters) -> list[int]:
    """Search document ids of `system`'s `codes` that pass the filters, in the order given (a
    code without such a document left out)."""
    if not codes:
        return []
    from medcode.ops.routers import reference_connection

    where, params = filter_sql(filters)
    marks = ", ".join(["%s"] * len(codes))
    with reference_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT d.code, d.id FROM search_document d WHERE d.system = %s"
            f" AND d.code IN ({marks}) {where}",
            [system, *codes, *params],
        )
        ids = dict(cursor.fetchall())
    return [ids[c] for c in codes if c in ids]


def get_backend() -> Backend:
    """The backend for the default database."""
    if connection.vendor == "postgresql":
        from medcode.search.backends.postgres_fts import PostgresBackend

        return PostgresBackend()
    from medcode.search.backends.sqlite_fts import SqliteBackend

    return SqliteBackend()
