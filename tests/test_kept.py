"""Kept test data (tests/kept.py): built once for consecutive tests, each test rolled back to it,
never seen by a test that does not ask for it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.kept import KEEPER, Keeper, keeps, kept, kept_value

NAMES = ("kept one", "kept two", "kept three")


@kept("kept_groups")
def build_groups(folder: Path) -> list[int]:
    from django.contrib.auth.models import Group

    assert folder.is_dir() and not any(folder.iterdir())
    return [Group.objects.create(name=name).pk for name in NAMES]


@pytest.fixture
@keeps("kept_groups")
def groups(kept_database: Keeper, db: None, request: pytest.FixtureRequest) -> Any:
    return kept_value(kept_database, "kept_groups", request)


def names() -> list[str]:
    from django.contrib.auth.models import Group

    return sorted(Group.objects.values_list("name", flat=True))


def test_a_test_before_sees_no_kept_data(db: None) -> None:
    assert names() == []


def test_a_test_sees_the_kept_data_and_may_change_it(groups: list[int]) -> None:
    from django.contrib.auth.models import Group

    assert names() == sorted(NAMES)
    Group.objects.filter(pk=groups[0]).delete()
    Group.objects.create(name="added by a test")
    assert len(names()) == 3 and "added by a test" in names()


def test_a_test_between_sees_no_kept_data(db: None) -> None:
    assert KEEPER.name is None
    assert names() == []


def test_the_next_test_sees_the_kept_data_as_built(groups: list[int]) -> None:
    assert KEEPER.name == "kept_groups"
    assert names() == sorted(NAMES)


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_gets_the_data_built_for_it_alone(groups: list[int]) -> None:
    assert KEEPER.name is None
    assert names() == sorted(NAMES)


def test_the_tests_of_one_kept_data_set_run_next_to_each_other(request: Any) -> None:
    order = [item.name for item in request.session.items if item.path == request.node.path]
    users = [n for n in order if n.startswith("test_the_next") or n.startswith("test_a_test_sees")]
    assert order.index(users[1]) == order.index(users[0]) + 1


def test_a_first_build_that_skips_skips_its_test_alone(
    db: None, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from contextlib import nullcontext

    from tests.kept import BUILDERS, keeper_fixture

    def skip(folder: Path) -> None:
        pytest.skip("no release files")

    class Blocker:
        def unblock(self) -> Any:
            return nullcontext()

    BUILDERS["kept_skipping"] = skip
    keeper = Keeper()
    keeper.wanted = "kept_skipping"
    try:
        session = keeper_fixture(None, Blocker(), tmp_path_factory, keeper=keeper)
        # The session fixture itself is set up (a skip raised there would be kept by pytest
        # for every later test on kept data); the test that wanted the data is skipped.
        try:
            assert next(session) is keeper and keeper.name is None
        except pytest.skip.Exception:
            pytest.fail("the session fixture raised the build's skip")
        with pytest.raises(pytest.skip.Exception):
            kept_value(keeper, "kept_skipping", request)
        with pytest.raises(RuntimeError):
            kept_value(keeper, "kept_skipping", request)  # raised once, for its test
    finally:
        del BUILDERS["kept_skipping"]
