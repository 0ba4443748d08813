"""Test data built once and kept for the tests that use it, as Django's TestCase.setUpTestData
keeps a class's data: imported inside an outer transaction that stays open while consecutive
tests need it; each test runs in a savepoint of it (pytest-django's own atomic nests) and is
rolled back to the kept data, and the outer transaction is rolled back once the next test does
not use it. A test that does not use the data never sees it.

Kept data is declared with @kept("name") on a builder (folder -> value) and handed out by a
fixture marked @keeps("name") that asks for kept_database and returns kept_value(...). The root
conftest.py runs the hooks: collection puts the tests of one kept data set next to each other
(at the place of the first) so that it is built about once a run per worker. A transactional
test gets no kept data (its commits would land in the outer transaction): the data is built
for it alone, as before. Builders get a fresh folder of their own; tests must not write to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

import pytest

BUILDERS: dict[str, Callable[[Path], Any]] = {}
F = TypeVar("F", bound=Callable[..., Any])


class Keeper:
    """The one kept data set of this process (xdist worker) at a time."""

    def __init__(self) -> None:
        self.name: str | None = None
        self.value: Any = None
        self.atomic: Any = None
        self.blocker: Any = None
        self.unblocked: Any = None
        self.tmp: pytest.TempPathFactory | None = None
        self.builds: dict[str, int] = {}
        self.wanted: str | None = None  # the kept fixture of the test being set up
        # The first build's error or skip (keeper_fixture), raised by kept_value for its test.
        self.failed: BaseException | None = None
        # Around a build: the state the autouse fixtures give a test (medcode/conftest.py).
        self.build_context: Callable[[], AbstractContextManager[None]] = nullcontext
        # For each test on kept data (medcode/conftest.py: a cache key prefix of its own).
        self.per_test: Callable[[pytest.FixtureRequest], None] = lambda request: None

    @property
    def ready(self) -> bool:
        return self.blocker is not None

    def ensure(self, name: str | None) -> None:
        if name == self.name:
            return
        self.close()
        if name is not None:
            self.open(name)

    def open(self, name: str) -> None:
        from django.db import transaction

        assert self.tmp is not None and self.blocker is not None
        self.unblocked = self.blocker.unblock()
        self.unblocked.__enter__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.name = name
        try:
            with self.build_context():
                self.value = BUILDERS[name](self.tmp.mktemp(f"kept-{name}"))
        except BaseException:
            self.close()
            raise
        self.builds[name] = self.builds.get(name, 0) + 1

    def close(self) -> None:
        if self.atomic is None:
            return
        from django.db import transaction

        try:
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        finally:
            self.atomic = None
            self.unblocked.__exit__(None, None, None)
            self.unblocked = None
            self.name = None
            self.value = None


KEEPER = Keeper()


def kept(name: str) -> Callable[[Callable[[Path], Any]], Callable[[Path], Any]]:
    """Register `build` (folder -> value) as the kept data of the fixture `name`."""

    def register(build: Callable[[Path], Any]) -> Callable[[Path], Any]:
        BUILDERS[name] = build
        return build

    return register


def keeps(name: str) -> Callable[[F], F]:
    """Mark a fixture function as the one handing out the kept data `name`."""

    def mark(fixture: F) -> F:
        fixture.__kept__ = name  # type: ignore[attr-defined]
        return fixture

    return mark


def kept_name(item: pytest.Item) -> str | None:
    """The kept data a test uses through its fixtures (None: none). A test may use one."""
    if is_transactional(item):
        return None
    info = getattr(item, "_fixtureinfo", None)
    defs = info.name2fixturedefs.values() if info is not None else ()
    names = sorted({k for d in defs if d and (k := getattr(d[-1].func, "__kept__", None))})
    if len(names) > 1:
        raise pytest.UsageError(f"{item.nodeid} uses two kept fixtures: {names}")
    return names[0] if names else None


def kept_value(keeper: Keeper, name: str, request: pytest.FixtureRequest) -> Any:
    """The value of the kept data `name`, for the fixture handing it out (which asks for the
    session fixture kept_database, so that the data is there before the test's own atomic).
    A transactional test gets no kept data: the data is built for it alone, as it commits."""
    if is_transactional(request.node):
        folder = request.getfixturevalue("tmp_path") / f"kept-{name}"
        folder.mkdir()
        return BUILDERS[name](folder)
    if keeper.name != name:
        failed, keeper.failed = keeper.failed, None
        if failed is not None:
            raise failed
        raise RuntimeError(f"the kept data {name} was not built before the test's fixtures")
    keeper.per_test(request)
    return keeper.value


def before_setup(item: pytest.Item) -> None:
    """Before a test's fixtures: the kept data it uses is there (built now if needed), and no
    other. The first time, kept_database builds it once the test database exists."""
    KEEPER.wanted = kept_name(item)
    KEEPER.failed = None
    if KEEPER.ready:
        KEEPER.ensure(KEEPER.wanted)


def after_teardown(nextitem: pytest.Item | None) -> None:
    """After a test's teardown: drop the kept data unless the next test uses it too."""
    if KEEPER.name is not None and (nextitem is None or kept_name(nextitem) != KEEPER.name):
        KEEPER.close()


def is_transactional(item: Any) -> bool:
    """A test whose database commits (pytest-django's transactional tests)."""
    names = getattr(item, "fixturenames", ())
    if "transactional_db" in names or "live_server" in names:
        return True
    marker = item.get_closest_marker("django_db")
    return bool(
        marker and (marker.kwargs.get("transaction") or marker.kwargs.get("serialized_rollback"))
    )


def group_kept(items: list[pytest.Item]) -> None:
    """Put the tests of one kept fixture next to each other, at the place of the first."""
    groups: dict[str, list[pytest.Item]] = {}
    order: list[pytest.Item | str] = []
    for item in items:
        name = kept_name(item)
        if name is None:
            order.append(item)
            continue
        if name not in groups:
            groups[name] = []
            order.append(name)
        groups[name].append(item)
    items[:] = [
        x for entry in order for x in (groups[entry] if isinstance(entry, str) else [entry])
    ]


def keeper_fixture(
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
    keeper: Keeper = KEEPER,
) -> Iterator[Keeper]:
    """Session fixture behind every kept fixture: the test database exists and may be used.
    The first test's data is built here; a build that fails or skips fails or skips that test
    alone (kept_value raises it): raised here, pytest would keep the error with this session
    fixture and give it to every later test on kept data."""
    keeper.blocker = django_db_blocker
    keeper.tmp = tmp_path_factory
    try:
        keeper.ensure(keeper.wanted)
    except (Exception, pytest.skip.Exception) as error:
        keeper.failed = error
    yield keeper
    keeper.close()
    keeper.blocker = None
