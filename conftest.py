"""Fixtures shared by every app's tests."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.kept import Keeper, after_teardown, before_setup, group_kept, keeper_fixture

REPO = Path(__file__).resolve().parent


@pytest.fixture
def shared_data_dir() -> Path:
    """The real release files (MEDCODE_DATA_DIR); tests that need them skip without it."""
    value = os.environ.get("MEDCODE_DATA_DIR", "")
    if not value or not Path(value).is_dir():
        pytest.skip("MEDCODE_DATA_DIR is not set to a folder of release files")
    return Path(value)


def write_text(path: Path, text: str, *, gz: bool = False) -> Path:
    """Write a small sample file (gzip-compressed when gz=True)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if gz:
        with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


TESTS = REPO / "tests"


# The cast (tests/users.py): a guest's browser and one user in each role.
@pytest.fixture
def guest() -> Any:
    """A browser from one address, not signed in."""
    from tests.users import browser

    return browser()


@pytest.fixture
def coder(db: None) -> Any:
    """A signed-up coder (username "coder", coder@example.com) on the default plan."""
    from tests.users import make_user

    return make_user("coder")


@pytest.fixture
def staff(db: None) -> Any:
    """The staff member who reviews and moderates ("moderator")."""
    from tests.users import staff_user

    return staff_user()


@pytest.fixture
def superuser(db: None) -> Any:
    """A superuser, as `createsuperuser` makes one (no allauth address row)."""
    from tests.users import make_user

    return make_user("boss@example.org", superuser=True, verified=None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Markers `make test-fast` leaves out, given by where a test lives and what it uses:
    tests/browser drive Chromium, tests/faults start real servers, and a test that takes
    scratch_database_url runs medcode's CLI as a separate process against a fresh database."""
    for item in items:
        path = Path(str(item.path))
        if path.is_relative_to(TESTS / "browser"):
            item.add_marker(pytest.mark.browser)
        if path.is_relative_to(TESTS / "faults"):
            item.add_marker(pytest.mark.server)
        if "scratch_database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.process)


@pytest.hookimpl(specname="pytest_collection_modifyitems", trylast=True)
def pytest_collection_modifyitems_kept(items: list[pytest.Item]) -> None:
    """The tests of one kept data set next to each other (tests/kept.py), after the markers
    above are given and `-m` has deselected (the markers must come first)."""
    group_kept(items)


# Kept test data (tests/kept.py): built once while consecutive tests use it.
@pytest.fixture(scope="session")
def kept_database(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Keeper]:
    """The keeper of kept test data; every kept fixture asks for it."""
    yield from keeper_fixture(django_db_setup, django_db_blocker, tmp_path_factory)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    before_setup(item)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    try:
        return (yield)
    finally:
        after_teardown(nextitem)


@pytest.fixture(scope="session", autouse=True)
def fast_password_hasher() -> Iterator[None]:
    """Argon2 with its cheapest parameters (tests/hashers.py), then production's other hashers."""
    from django.test import override_settings

    hashers = ["tests.hashers.FastArgon2PasswordHasher", *settings.PASSWORD_HASHERS[1:]]
    with override_settings(PASSWORD_HASHERS=hashers):
        yield


@pytest.fixture(autouse=True)
def log_records_to_pytest_only() -> None:
    """In-process log records reach pytest's logging capture (shown beside a failing test) but
    are not written to stderr: the console handler's writer thread would print them between the
    progress dots. The handler stays (its filter gives records their request id); checked before
    every test because each django.setup() (the CLI run in-process) configures logging afresh.
    Servers the tests start as subprocesses log to their own stderr as usual."""
    import logging

    from medcode.ops.logs import BackgroundStreamHandler

    for handler in logging.getLogger().handlers:
        if isinstance(handler, BackgroundStreamHandler) and not isinstance(
            handler.writer, logging.NullHandler
        ):
            handler.flush()
            handler.writer = logging.NullHandler()  # type: ignore[assignment]


@pytest.fixture(scope="session", autouse=True)
def static_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The suite's own STATIC_ROOT, empty (not the developer's var/static): pages link plain
    names that WhiteNoise serves from the source folders, as on a server started without
    collecting; medcode/ops/tests collect into a folder of their own for the hashed names."""
    from django.test import override_settings

    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root):
        yield root


def _vendor() -> str:
    engine: str = settings.DATABASES["default"]["ENGINE"]
    return "postgresql" if "postgresql" in engine else "sqlite"


@pytest.fixture
def scratch_database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database of the suite's vendor, for tests that run the real CLI."""
    if _vendor() == "sqlite":
        url = f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        drop: Callable[[], None] | None = None
    else:
        import psycopg

        db = settings.DATABASES["default"]
        name = f"medcode_scratch_{uuid.uuid4().hex[:10]}"
        admin = psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )
        admin.execute(f'CREATE DATABASE "{name}"')
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"

        def _drop() -> None:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()

        drop = _drop

    run_cli(["manage", "migrate", "-v0"], database_url=url, var_dir=tmp_path)
    yield url
    if drop is not None:
        drop()


def run_cli(
    args: list[str], *, database_url: str, var_dir: Path, check: bool = True, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the installed `medcode` console script as a user would."""
    env = {**os.environ, "DATABASE_URL": database_url, "MEDCODE_VAR_DIR": str(var_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "medcode.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"medcode {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result
