"""PostgreSQL: a stored weighted tsvector (migration 0002) with a GIN index, ranked with
ts_rank and highlighted with ts_headline; pg_trgm on the vocabulary for typo candidates.

Weights: A the code, B the title and editorial title, C synonyms. User words enter only
through plainto_tsquery (which ignores operators) or as a sanitised `'word':*` prefix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import connection

from medcode.ops.routers import reference_connection
from medcode.search.backends import (
    COMMON_SAMPLE,
    MARK_END,
    MARK_START,
    Filters,
    Hit,
    Marked,
    Operator,
    filter_sql,
)
from medcode.search.querytext import Group

# ts_rank weights for D, C, B, A; normalisation 1 divides by 1 + log(document length).
RANK_WEIGHTS = "{0.02, 0.25, 0.6, 1.0}"
HEADLINE = f"StartSel={MARK_START}, StopSel={MARK_END}, HighlightAll=true"
SNIPPET = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=14, MinWords=5, MaxFragments=1"
TRIGRAM_THRESHOLD = 0.25
_LEXEME = re.compile(r"[^\W_]+")


def render_tsquery(
    groups: list[Group], *, prefix_last: bool, operator: Operator
) -> tuple[str, list[Any]]:
    """SQL for a tsquery built from `groups`, and its parameters."""
    parts: list[str] = []
    params: list[Any] = []
    for n, group in enumerate(groups):
        alternatives: list[str] = []
        for k, alternative in enumerate(group):
            words = [w for w in alternative if _LEXEME.search(w)]
            if not words:
                continue
            if prefix_last and n == len(groups) - 1 and k == 0:
                last = "".join(_LEXEME.findall(words[-1])).lower()
                sql = "to_tsquery('english', %s)"
                params.append(f"'{last}':*")
                if len(words) > 1:
                    sql = f"(plainto_tsquery('english', %s) && {sql})"
                    params.insert(len(params) - 1, " ".join(words[:-1]))
                alternatives.append(sql)
            else:
                alternatives.append("plainto_tsquery('english', %s)")
                params.append(" ".join(words))
        if alternatives:
            parts.append("(" + " || ".join(alternatives) + ")")
    joiner = " && " if operator == "AND" else " || "
    return joiner.join(parts), params


def render_phrase(words: Sequence[str], *, prefix_last: bool) -> tuple[str, list[Any]]:
    lexemes = ["".join(_LEXEME.findall(w)).lower() for w in words]
    lexemes = [w for w in lexemes if w]
    if not lexemes:
        return "", []
    if not prefix_last:
        return "phraseto_tsquery('english', %s)", [" ".join(lexemes)]
    head = "phraseto_tsquery('english', %s) <-> " if len(lexemes) > 1 else ""
    params: list[Any] = [" ".join(lexemes[:-1])] if head else []
    params.append(f"'{lexemes[-1]}':*")
    return f"{head}to_tsquery('english', %s)", params


class PostgresBackend:
    vendor = "postgresql"

    def search_words(
        self,
        groups: list[Group],
        *,
        prefix_last: bool,
        operator: Operator,
        filters: Filters,
        limit: int,
        common: bool = False,
    ) -> list[Hit]:
        query_sql, query_params = render_tsquery(groups, prefix_last=prefix_last, operator=operator)
        return self._run(query_sql, query_params, filters=filters, limit=limit, common=common)

    def search_phrase(
        self,
        words: list[str],
        *,
        prefix_last: bool,
        filters: Filters,
        limit: int,
        common: bool = False,
    ) -> list[Hit]:
        """Documents holding the words next to each other, in order (stop words keep their
        place as a gap, as phraseto_tsquery does)."""
        query_sql, params = render_phrase(words, prefix_last=prefix_last)
        return self._run(query_sql, params, filters=filters, limit=limit, common=common)

    def _run(
        self,
        query_sql: str,
        query_params: list[Any],
        *,
        filters: Filters,
        limit: int,
        common: bool,
    ) -> list[Hit]:
        if not query_sql:
            return []
        where, params = filter_sql(filters)
        rank = f"ts_rank('{RANK_WEIGHTS}', d.search_vector, q.query, 1)"
        if common:
            # Score a sample in document order (general codes first), not every match.
            sql = (
                f"WITH q AS (SELECT {query_sql} AS query),"
                " sample AS (SELECT d.id FROM search_document d, q"
                f"  WHERE d.search_vector @@ q.query {where} ORDER BY d.id LIMIT %s)"
                f" SELECT d.id, {rank} AS score, d.is_billable, d.title"
                " FROM search_document d JOIN sample s ON s.id = d.id, q"
                " ORDER BY score DESC, d.id LIMIT %s"
            )
            args = [*query_params, *params, COMMON_SAMPLE, limit]
        else:
            sql = (
                f"WITH q AS (SELECT {query_sql} AS query)"
                f" SELECT d.id, {rank} AS score, d.is_billable, d.title"
                f" FROM search_document d, q WHERE d.search_vector @@ q.query {where}"
                " ORDER BY score DESC, d.id LIMIT %s"
            )
            args = [*query_params, *params, limit]
        with reference_connection().cursor() as cursor:
            cursor.execute(sql, args)
            rows = cursor.fetchall()
        return [
            Hit(document_id=pk, score=float(score), is_billable=bool(billable), title=title)
            for pk, score, billable, title in rows
        ]

    def highlight(
        self, groups: list[Group], *, prefix_last: bool, document_ids: Sequence[int]
    ) -> dict[int, Marked]:
        """ts_headline of the title and of the synonyms, for the results shown only."""
        query_sql, query_params = render_tsquery(groups, prefix_last=prefix_last, operator="OR")
        if not query_sql or not document_ids:
            return {}
        sql = (
            f"WITH q AS (SELECT {query_sql} AS query)"
            " SELECT d.id, ts_headline('english', d.title, q.query, %s),"
            " CASE WHEN d.synonyms = '' THEN '' ELSE"
            " ts_headline('english', d.synonyms, q.query, %s) END"
            " FROM search_document d, q WHERE d.id = ANY(%s)"
        )
        with reference_connection().cursor() as cursor:
            cursor.execute(sql, [*query_params, HEADLINE, SNIPPET, list(document_ids)])
            rows = cursor.fetchall()
        return {
            pk: Marked(title=title or "", synonym=synonym if MARK_START in (synonym or "") else "")
            for pk, title, synonym in rows
        }

    def similar_words(self, word: str, *, limit: int = 40) -> list[tuple[str, int]]:
        """Vocabulary words by trigram similarity (pg_trgm), the most similar first."""
        with reference_connection().cursor() as cursor:
            cursor.execute("SELECT set_limit(%s)", [TRIGRAM_THRESHOLD])
            cursor.execute(
                "SELECT word, documents FROM search_word WHERE word %% %s"
                " ORDER BY similarity(word, %s) DESC, documents DESC LIMIT %s",
                [word, word, limit],
            )
            return [(w, int(n)) for w, n in cursor.fetchall()]

    def rebuild(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_document")
            cursor.execute("ANALYZE search_word")
