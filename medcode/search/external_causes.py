"""The ICD-10-CM Index to External Causes read for a lay query: how an injury happened
("slipped on the ice" -> Slipping, on, ice W00.0; "fell out of bed" -> Fall, out of, bed
W06; "cut myself with a kitchen knife" -> Cut, with, knife W26.0; "burned my hand on the
stove" -> Burn, stove X15.0).

The External Cause Index is read like the Alphabetic Index (index_matcher: main term, then
the subterms the query's words name, "see" references followed), after everyday past tenses
are put in its words ("fell" -> fall, "slipped" -> slipping). Only a path below a main term
counts: a main term alone ("Fall, falling" W19) says less than the query.
"""

from __future__ import annotations

import re
from functools import lru_cache

from medcode.search.index_matcher import AlphabeticIndex, build_tree

# Everyday past tenses -> the External Cause Index's main-term words.
VERBS = {
    "fell": "fall",
    "falls": "fall",
    "slipped": "slipping",
    "slip": "slipping",
    "tripped": "tripping",
    "trip": "tripping",
    "bit": "bite",
    "bitten": "bite",
    "stung": "sting",
    "hit": "struck",
    "burned": "burn",
    "burnt": "burn",
}
_WORD = re.compile(r"[a-z0-9]+")


def reading(text: str) -> str:
    """The query with its past tenses in the Index's words."""
    return " ".join(VERBS.get(w, w) for w in _WORD.findall(text.lower()))


def external_codes(index: AlphabeticIndex, text: str) -> list[str]:
    """Index codes (undotted, maybe categories) of the paths below a main term that `text`
    names, most words first."""
    return [hit.code for hit in index.lookup(reading(text)) if hit.depth >= 1]


@lru_cache(maxsize=2)
def load_external_index(generation: str = "") -> AlphabeticIndex:
    """The current releases' Index to External Causes (cached per data generation)."""
    from medcode.codes.models import IndexEntry

    rows = list(
        IndexEntry.objects.filter(table="eindex", release__is_current=True)
        .order_by("release_id", "seq")
        .values_list("level", "term", "code", "see", "see_also", "cells")
    )
    return AlphabeticIndex(roots=build_tree(rows), neoplasm=[])
