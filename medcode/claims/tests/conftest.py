from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from medcode.claims.tables import STORE
from medcode.claims.tests.samples import load_samples
from tests.kept import Keeper, keeps, kept, kept_value


@pytest.fixture(autouse=True)
def fresh_table_store() -> Iterator[None]:
    """Each test reads its own releases: nothing cached from another test's database."""
    STORE.reset()
    yield
    STORE.reset()


@pytest.fixture(autouse=True)
def site_urls(settings) -> None:
    settings.ROOT_URLCONF = "medcode.claims.tests.urls"


@kept("claim_samples")
def build_claim_samples(folder: Path) -> dict[str, str]:
    STORE.reset()
    try:
        return load_samples(folder / "samples")
    finally:
        STORE.reset()


@pytest.fixture
@keeps("claim_samples")
def samples(kept_database: Keeper, db: None, request: pytest.FixtureRequest) -> dict[str, str]:
    """The sample NCCI, PFS, HCPCS modifier and ICD-10-CM releases, imported. Built once while
    consecutive tests use it (tests/kept.py); each test's changes are rolled back."""
    return dict(kept_value(kept_database, "claim_samples", request))
