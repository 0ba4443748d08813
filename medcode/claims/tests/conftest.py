from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from medcode.claims.tables import STORE
from medcode.claims.tests.samples import load_samples


@pytest.fixture(autouse=True)
def fresh_table_store() -> Iterator[None]:
    """Each test reads its own releases: nothing cached from another test's database."""
    STORE.reset()
    yield
    STORE.reset()


@pytest.fixture(autouse=True)
def site_urls(settings) -> None:
    settings.ROOT_URLCONF = "medcode.claims.tests.urls"


@pytest.fixture
def samples(db: None, tmp_path: Path) -> dict[str, str]:
    """The sample NCCI, PFS, HCPCS modifier and ICD-10-CM releases, imported."""
    return load_samples(tmp_path / "samples")
