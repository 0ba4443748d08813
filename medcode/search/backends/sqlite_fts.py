"""SQLite: an external-content FTS5 table over the documents, weighted bm25, highlights.

Tables (migration 0002): `search_fts(code_text, title, synonyms, editorial)` with the porter
stemmer and 2/3-character prefix indexes, and `search_word_fts(word)` with the trigram
tokenizer. Both are rebuilt from their content tables after an import.

Ranking a very common word means scoring every document that has it; for those (`common`)
the first matches in document order (general codes first, see index.write_documents) are
scored instead. Highlights are made only for the results shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

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
from medcode.search.querytext import Group, quote_fts

# Column weights for bm25: code, title, synonyms, editorial.
BM25_WEIGHTS = (10.0, 4.0, 1.0, 2.5)
RANK = f"bm25({', '.join(str(w) for w in BM25_WEIGHTS)})"


def render_match(groups: list[Group], *, prefix_last: bool, operator: Operator) -> str:
    """An FTS5 expression: every token quoted, alternatives ORed, groups joined by `operator`;
    the first alternative of the last group is a prefix when `prefix_last`."""
    parts: list[str] = []
    for n, group in enumerate(groups):
        rendered = []
        for k, alternative in enumerate(group):
            tokens = [quote_fts(t) for t in alternative if t]
            if not tokens:
                continue
            if prefix_last and n == len(groups) - 1 and k == 0:
                tokens[-1] += "*"
            rendered.append(tokens[0] if len(tokens) == 1 else "(" + " AND ".join(tokens) + ")")
        if rendered:
            parts.append(rendered[0] if len(rendered) == 1 else "(" + " OR ".join(rendered) + ")")
    return f" {operator} ".join(parts)


def render_phrase(words: Sequence[str], *, prefix_last: bool) -> str:
    tokens = [t for t in (w.strip() for w in words) if t]
    if not tokens:
        return ""
    return quote_fts(" ".join(tokens)) + ("*" if prefix_last else "")


class SqliteBackend:
    vendor = "sqlite"

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
        match = render_match(groups, prefix_last=prefix_last, operator=operator)
        return self._run(match, filters=filters, limit=limit, common=common)

    def search_phrase(
        self,
        words: list[str],
        *,
        prefix_last: bool,
        filters: Filters,
        limit: int,
        common: bool = False,
    ) -> list[Hit]:
        """Documents holding the words next to each other, in order."""
        match = render_phrase(words, prefix_last=prefix_last)
        return self._run(match, filters=filters, limit=limit, common=common)

    def _run(self, match: str, *, filters: Filters, limit: int, common: bool) -> list[Hit]:
        if not match:
            return []
        where, params = filter_sql(filters)
        select = (
            "SELECT d.id, -rank, d.is_billable, d.title"
            " FROM search_fts JOIN search_document d ON d.id = search_fts.rowid"
            f" WHERE search_fts MATCH %s {where}"
        )
        with connection.cursor() as cursor:
            if common:
                cursor.execute(
                    f"{select} ORDER BY search_fts.rowid LIMIT %s",
                    [match, *params, COMMON_SAMPLE],
                )
                rows = sorted(cursor.fetchall(), key=lambda row: (-row[1], row[0]))[:limit]
            else:
                # Equal scores in document order, as on PostgreSQL: the index numbers the
                # documents shortest code first, then by code set and code (index.py).
                cursor.execute(f"{select} ORDER BY rank, d.id LIMIT %s", [match, *params, limit])
                rows = cursor.fetchall()
        return [
            Hit(document_id=pk, score=float(score), is_billable=bool(billable), title=title)
            for pk, score, billable, title in rows
        ]

    def highlight(
        self, groups: list[Group], *, prefix_last: bool, document_ids: Sequence[int]
    ) -> dict[int, Marked]:
        """The title with matched words marked, and the best synonym fragment, per document."""
        match = render_match(groups, prefix_last=prefix_last, operator="OR")
        if not match or not document_ids:
            return {}
        sql = (
            "SELECT highlight(search_fts, 1, %s, %s), snippet(search_fts, 2, %s, %s, '…', 10)"
            " FROM search_fts WHERE search_fts MATCH %s AND rowid = %s"
        )
        marks: list[Any] = [MARK_START, MARK_END, MARK_START, MARK_END, match]
        found: dict[int, Marked] = {}
        with connection.cursor() as cursor:
            for pk in document_ids:
                cursor.execute(sql, [*marks, pk])
                row = cursor.fetchone()
                if row is not None:
                    title, synonym = row
                    synonym = synonym if synonym and MARK_START in synonym else ""
                    found[pk] = Marked(title=title or "", synonym=synonym)
        return found

    def similar_words(self, word: str, *, limit: int = 40) -> list[tuple[str, int]]:
        """Vocabulary words sharing the most trigrams with `word` (an in-memory trigram
        index of the vocabulary, built once per index build)."""
        from medcode.search.typos import vocabulary_trigrams

        return vocabulary_trigrams().similar(word, limit=limit)

    def rebuild(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
            cursor.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('rank', %s)", [RANK])
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
