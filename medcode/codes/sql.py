"""Written-out SELECTs for the code page's hot reads.

Building a query with the ORM costs a long-tail code page more CPU than running it (~0.2 ms
to build and compile a two-condition filter, ~0.02 ms to run it on SQLite; py-spy --gil and
bench/pages.py's long-tail codes), and a page makes about a dozen. The reads it makes on every
page are written out here instead: `select(Model, template, params)` formats `{table}` with
the model's quoted table name once per database and template, runs it on the database the
router reads the model from, and returns the rows as tuples (no field conversions: use it for
text and number columns; booleans come back as 0/1 on SQLite).

On SQLite the query runs on the connection's own sqlite3 cursor (Django's cursor wrapper is
the same sqlite3 cursor class): the wrapper's set-up, `%s` rewriting and routing cost 70 us a
query against 12 us to run it. Errors still come out as Django's database errors; with query
logging on (DEBUG, tests counting queries) or execute wrappers installed, the wrapper runs.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import connections, models, router

M = TypeVar("M", bound=models.Model)


@functools.cache
def _sql(alias: str, template: str, table: str) -> str:
    return template.format(table=connections[alias].ops.quote_name(table))


# Django's SQLite cursor turns "%s" into "?" (and "%%" into "%") on every execute.
_FORMAT = re.compile(r"(?<!%)%s")


@functools.lru_cache(maxsize=1024)
def _qmarks(query: str) -> str:
    return _FORMAT.sub("?", query).replace("%%", "%")


def places(count: int) -> str:
    """`count` parameter places for an IN list ("%s, %s, %s")."""
    return ", ".join(["%s"] * count)


def json_value(value: Any) -> Any:
    """A JSON column's value as the ORM gives it: both backends hand the raw cursor the text
    (Django's PostgreSQL backend registers no jsonb decoding), None stays None."""
    return json.loads(value) if isinstance(value, str) else value


def select(
    model: type[models.Model], template: str, params: Sequence[Any]
) -> list[tuple[Any, ...]]:
    """The rows of `template` (SQL with `{table}` for the model's table) run with `params`.
    An IN list must not be empty (PostgreSQL rejects `IN ()`): the caller skips the read."""
    alias = router.db_for_read(model)
    return run(alias, _sql(alias, template, model._meta.db_table), params)


def run(alias: str, query: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of `query` (written for the database `alias`, `%s` for each parameter)."""
    connection = connections[alias]
    if connection.vendor == "sqlite" and not (
        connection.queries_logged or connection.execute_wrappers
    ):
        connection.ensure_connection()
        connection.validate_no_broken_transaction()
        with connection.wrap_database_errors:
            found: list[tuple[Any, ...]] = connection.connection.execute(
                _qmarks(query), params
            ).fetchall()
        return found
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


@functools.cache
def _fields(alias: str, model: type[models.Model]) -> tuple[str, tuple[str, ...], tuple[Any, ...]]:
    """The model's columns as the ORM selects them, their attribute names, and per column that
    needs them the converters the ORM applies (SQLCompiler.get_converters)."""
    connection = connections[alias]
    fields = model._meta.concrete_fields
    table = model._meta.db_table
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((index, column, tuple(found)))
    return columns, tuple(f.attname for f in fields), tuple(converters)


def instances(model: type[M], where: str, params: Sequence[Any]) -> list[M]:
    """Model rows `SELECT <every column> FROM {table} <where>`, made as the ORM makes them
    (its converters, then Model.from_db): for the reads of whole rows that the ORM's building
    would cost more than running."""
    alias = router.db_for_read(model)
    connection = connections[alias]
    columns, names, converters = _fields(alias, model)
    made = []
    for row in select(model, f"SELECT {columns} FROM {{table}} {where}", params):
        values = list(row)
        for index, column, functions in converters:
            value = values[index]
            for function in functions:
                value = function(value, column, connection)
            values[index] = value
        made.append(model.from_db(alias, names, values))
    return made
