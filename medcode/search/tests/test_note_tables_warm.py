"""The worker warm-up's search step loads every table the first note or query would."""

from __future__ import annotations

from typing import Any

import pytest

from medcode.search.drug_table import load_drug_table
from medcode.search.external_causes import load_external_index
from medcode.search.family_history import load_family_table
from medcode.search.index_matcher import load_index
from medcode.search.note_coder import load_note_tables

LOADERS: dict[str, Any] = {
    "Alphabetic Index": load_index,
    "family-history notes": load_family_table,
    "Table of Drugs": load_drug_table,
    "Index to External Causes": load_external_index,
}


@pytest.mark.django_db
def test_load_note_tables_fills_the_search_tables():
    for loader in LOADERS.values():
        loader.cache_clear()
    load_note_tables()
    for name, loader in LOADERS.items():
        assert loader.cache_info().currsize == 1, name
