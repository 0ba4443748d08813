"""Written-out SELECTs for the code page's hot reads.

Building a query with the ORM costs a long-tail code page more CPU than running it (~0.2 ms
to build and compile a two-condition filter, ~0.02 ms to run it on SQLite; py-spy --gil and
bench/pages.py's long-tail codes), and a page makes about a dozen. The reads it makes on every
page are written out here instead: `select(Model, template, params)` formats `{table}` with
the model's quoted table name once per database and template, runs it on the database the
router reads the model from, and returns the rows as tuples (no field conversions: use it for
text and number columns; booleans come back as 0/1 on SQLite).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router


@functools.cache
def _sql(alias: str, template: str, table: str) -> str:
    return template.format(table=connections[alias].ops.quote_name(table))


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
    with connections[alias].cursor() as cursor:
        cursor.execute(_sql(alias, template, model._meta.db_table), params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows
