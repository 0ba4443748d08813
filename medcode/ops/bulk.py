"""Fast bulk inserts: multi-row INSERTs on SQLite, COPY on PostgreSQL.

Django's bulk_create builds a model instance per row; for multi-million-row release files
that is the slow part, so loaders hand plain tuples straight to the driver. Values go to the
driver as they are (Django registers the sqlite3 adapters for dates and decimals, psycopg
adapts them itself); only dicts and lists bound for a JSONField are dumped to JSON text.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain, islice
from typing import Any

from django.db import connection, models

BATCH_ROWS = 20_000

# sqlite3 binds exact int/float/str/bytes directly; any other value (None, bool, date) first
# goes through adapter lookups that fail slowly, about 0.25 us a value. Adapters that give the
# same result (None stays NULL, a bool its 0/1, as sqlite3 stores them anyway) make None and
# bool cheap: 2.5 million PTP rows, with three such values each, insert 1.5 s faster.
sqlite3.register_adapter(type(None), {}.get)  # type: ignore[arg-type]  # C, returns None
sqlite3.register_adapter(bool, int)

# SQLite: rows per INSERT statement. One statement per row costs a statement step, an
# AUTOINCREMENT bookkeeping write and a foreign-key counter check per row; a few hundred rows
# per statement roughly halves the insert time. The bound-parameter limit caps it further.
SQLITE_ROWS_PER_STATEMENT = 250


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field


def _json_value(value: Any) -> Any:
    """Dicts and lists become JSON text; anything else (JSON text already) passes through."""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return value


def _dump_json(rows: Iterator[Sequence[Any]], positions: list[int]) -> Iterator[Sequence[Any]]:
    for row in rows:
        values = list(row)
        for i in positions:
            values[i] = _json_value(values[i])
        yield values


def _batches(rows: Iterator[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    while batch := list(islice(rows, size)):
        yield batch


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    on_batch: Callable[[int], None] | None = None,
    constants: Mapping[str, Any] | None = None,
) -> int:
    """Insert tuples (in `fields` order) into `model`'s table; returns the number inserted.

    `constants` are columns with one value for every row (a release id): given once, not in
    each row. Must run inside the caller's transaction, so a failure leaves nothing behind.
    """
    meta = model._meta
    constants = dict(constants or {})
    given = [_field(model, name) for name in fields]
    named = {*fields, *constants}
    # Columns the rows leave out get their model default, as the ORM would give them.
    missing = [
        f
        for f in meta.concrete_fields
        if not f.primary_key and f.attname not in named and f.name not in named
    ]
    json_positions = [i for i, f in enumerate(given) if isinstance(f, models.JSONField)]
    fixed = [(str(_field(model, name).column), value) for name, value in constants.items()] + [
        (
            str(f.column),
            _json_value(f.get_default()) if isinstance(f, models.JSONField) else f.get_default(),
        )
        for f in missing
    ]
    columns = [str(f.column) for f in given]
    iterator: Iterator[Sequence[Any]] = iter(rows)
    if json_positions:
        iterator = _dump_json(iterator, json_positions)
    literal = all(_sql_literal(value) is not None for _, value in fixed)
    if connection.vendor == "sqlite" and columns and literal:
        literals = [(column, str(_sql_literal(value))) for column, value in fixed]
        return _insert_sqlite(meta.db_table, columns, iterator, on_batch, literals=literals)
    if fixed:
        values = tuple(value for _, value in fixed)
        columns += [column for column, _ in fixed]
        iterator = (tuple(row) + values for row in iterator)
    if connection.vendor == "postgresql":
        return _copy_rows(meta.db_table, columns, iterator, on_batch)
    return _insert_sqlite(meta.db_table, columns, iterator, on_batch)


def _sql_literal(value: Any) -> str | None:
    """A constant as SQLite literal text (None, numbers, text), or None when it has none."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    if isinstance(value, str) and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


def _insert_sqlite(
    table: str,
    columns: list[str],
    rows: Iterator[Sequence[Any]],
    on_batch: Callable[[int], None] | None,
    *,
    literals: Sequence[tuple[str, str]] = (),
) -> int:
    """Multi-row INSERT statements through the raw sqlite3 cursor (no per-row wrapper work);
    `literals` are (column, SQL literal) written into every row's VALUES instead of bound."""
    quote = connection.ops.quote_name
    width = len(columns)
    per_statement = max(
        1, min(SQLITE_ROWS_PER_STATEMENT, (connection.features.max_query_params or 999) // width)
    )
    one_row = "(" + ", ".join(["?"] * width + [literal for _, literal in literals]) + ")"
    names = [*columns, *(column for column, _ in literals)]
    head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in names)}) VALUES "
    many_sql = head + ", ".join([one_row] * per_statement)
    connection.ensure_connection()
    cursor = connection.connection.cursor()  # a plain sqlite3 cursor: "?" placeholders
    total = 0
    try:
        while True:
            statements: list[list[Any]] = []
            short: list[Sequence[Any]] = []  # the last rows, fewer than a statement's worth
            count = 0
            for _ in range(max(1, BATCH_ROWS // per_statement)):
                chunk = list(islice(rows, per_statement))
                if chunk and set(map(len, chunk)) != {width}:
                    bad = next(row for row in chunk if len(row) != width)
                    raise ValueError(f"{table}: a row has {len(bad)} values for {width} columns")
                count += len(chunk)
                if len(chunk) < per_statement:
                    short = chunk
                    break
                statements.append(list(chain.from_iterable(chunk)))
            if statements:
                cursor.executemany(many_sql, statements)
            if short:
                sql = head + ", ".join([one_row] * len(short))
                cursor.execute(sql, list(chain.from_iterable(short)))
            if not count:
                break
            total += count
            if on_batch:
                on_batch(count)
    finally:
        cursor.close()
    return total


def _copy_rows(
    table: str,
    columns: list[str],
    rows: Iterator[Sequence[Any]],
    on_batch: Callable[[int], None] | None,
) -> int:
    """COPY FROM STDIN, with the table's deferred foreign keys checked row by row meanwhile.

    PostgreSQL queues a deferred foreign-key check per inserted row and runs them all at
    commit; checked immediately they cost about a third less (25 s instead of 35 s for 2.5
    million rows). The constraints go back to deferred afterwards, so the rest of the
    transaction keeps Django's semantics.
    """
    quote = connection.ops.quote_name
    total = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3 cursor
        raw.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass"
            " AND contype = 'f' AND condeferrable AND condeferred",
            [quote(table)],
        )
        deferred = ", ".join(quote(name) for (name,) in raw.fetchall())
        if deferred:
            raw.execute(f"SET CONSTRAINTS {deferred} IMMEDIATE")
        sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with raw.copy(sql) as copy:
            for batch in _batches(rows, BATCH_ROWS):
                if set(map(len, batch)) != {len(columns)}:
                    bad = next(row for row in batch if len(row) != len(columns))
                    raise ValueError(
                        f"{table}: a row has {len(bad)} values for {len(columns)} columns"
                    )
                for row in batch:
                    copy.write_row(row)
                total += len(batch)
                if on_batch:
                    on_batch(len(batch))
        if deferred:
            raw.execute(f"SET CONSTRAINTS {deferred} DEFERRED")
    return total
