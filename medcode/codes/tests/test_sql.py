"""Written-out SELECTs (medcode.codes.sql): the same rows whichever way SQLite runs them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from medcode.codes import sql
from medcode.codes.models import Code, Release

QUERY = (
    'SELECT code, display, is_billable, attributes FROM {table} WHERE "system" = %s'
    " AND code LIKE %s ORDER BY code"
)


@pytest.fixture
def codes(db: None) -> None:
    release = Release.objects.create(
        dataset="icd10cm",
        code_system="ICD10CM",
        version_label="test",
        effective_from=dt.date(2025, 10, 1),
        source_file="icd10cm_codes_2026.csv.gz",
        sha256="1" * 64,
        row_counts={"codes": 2},
    )
    for code, display, billable in (("A010", "A01.0", False), ("A0100", "A01.00", True)):
        Code.objects.create(
            release=release,
            system="ICD10CM",
            code=code,
            display=display,
            short_description=display,
            is_billable=billable,
            attributes={"note": "100%"},
        )


def test_the_rows_are_those_of_djangos_cursor(codes: None) -> None:
    with CaptureQueriesContext(connection) as logged:  # query logging: Django's cursor runs it
        through_django = sql.select(Code, QUERY, ["ICD10CM", "A01%"])
    assert len(logged) == 1
    direct = sql.select(Code, QUERY, ["ICD10CM", "A01%"])
    assert direct == through_django
    assert [row[:3] for row in direct] == [("A010", "A01.0", 0), ("A0100", "A01.00", 1)]
    assert sql.json_value(direct[0][3]) == {"note": "100%"}


def test_a_literal_percent_sign_in_the_query_is_kept(codes: None) -> None:
    rows = sql.select(Code, "SELECT code FROM {table} WHERE code LIKE 'A01%%' ORDER BY code", [])
    assert rows == [("A010",), ("A0100",)]


def test_an_error_comes_out_as_djangos_database_error(codes: None) -> None:
    with pytest.raises(DatabaseError):
        sql.select(Code, "SELECT no_such_column FROM {table}", [])


def test_instances_are_the_orms_rows(codes: None) -> None:
    """Whole model rows, converted as the ORM converts them (JSON, booleans, decimals, dates)."""
    from decimal import Decimal

    from medcode.codes.models import OppsItem

    release = Release.objects.get()
    OppsItem.objects.create(
        release=release, code="0001", status_indicator="J1", payment_rate=Decimal("12.50"),
        apc="5012", attributes={"k": [1, "2"]},
    )  # fmt: skip
    for model, where, params, expected in (
        (Code, "WHERE (code LIKE %s) ORDER BY id", ["A010_"], Code.objects.filter(code="A0100")),
        (
            OppsItem,
            "WHERE (code = %s AND release_id = %s)",
            ["0001", release.pk],
            OppsItem.objects.all(),
        ),
    ):
        made = sql.instances(model, where, params)
        assert len(made) == 1  # the WHERE is applied (the fixture has two codes)
        assert [vars(m) | {"_state": None} for m in made] == [
            vars(m) | {"_state": None} for m in expected
        ]
        assert all(not m._state.adding and m._state.db == "default" for m in made)
