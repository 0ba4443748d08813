"""Texts from the ICD-10-CM Alphabetic Index and its tables, each tied to the code it leads to.

Rows come as loaded by the index importer (codes.IndexEntry): (level, term, path, code, see,
see_also, cells), in file order, with `path` the terms from the main term down joined by
" > " and codes without dots ("I639-" for "code continues").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

Row = tuple[Any, ...]  # (level, term, path, code, see, see_also, cells)

_NEC = re.compile(r"\s+(?:NEC|NOS)$", re.IGNORECASE)
_PARENS = re.compile(r"\s*\([^)]*\)")
# References that name no single place ("see condition", "see Neoplasm, secondary, by site").
_UNRESOLVABLE = ("condition", "neoplasm", "by site", "category", "specified")

# Drug Table columns -> how a coder (or a patient) says it.
DRUG_COLUMNS = {
    "poisoning_accidental": "{drug} poisoning, overdose, accidental",
    "poisoning_intentional_self_harm": "{drug} overdose, intentional self-harm",
    "poisoning_assault": "{drug} poisoning, assault",
    "poisoning_undetermined": "{drug} poisoning, undetermined intent",
    "adverse_effect": "adverse effect of {drug}, reaction to {drug}",
    "underdosing": "underdosing of {drug}",
}
# Neoplasm Table columns by behaviour.
NEOPLASM_COLUMNS = {
    "malignant_primary": "malignant neoplasm of {site}, primary cancer of {site}",
    "malignant_secondary": (
        "secondary malignant neoplasm of {site}, metastatic to {site}, metastasis to {site}"
    ),
    "ca_in_situ": "carcinoma in situ of {site}",
    "benign": "benign neoplasm of {site}, benign tumor of {site}",
    "uncertain_behavior": "neoplasm of uncertain behavior of {site}",
    "unspecified_behavior": "neoplasm of unspecified behavior of {site}",
}


def plain_code(code: str) -> str:
    return code.replace(".", "").rstrip("-").strip().upper()


def key(term: str) -> str:
    """A term as references name it: its first form, without parentheses or NEC."""
    first = _PARENS.sub("", term).split(",")[0]
    return _NEC.sub("", first).strip().lower()


@dataclass
class Node:
    term: str
    code: str
    children: dict[str, Node] = field(default_factory=dict)


def build_tree(rows: Iterable[Row]) -> dict[str, Node]:
    """Main terms by key, each with its subterms by key (the first of equal keys kept)."""
    mains: dict[str, Node] = {}
    stack: list[Node] = []
    for level, term, _path, code, *_ in rows:
        node = Node(term=term, code=plain_code(code))
        del stack[level:]
        if level == 0:
            mains.setdefault(key(term), node)
        elif stack:
            stack[-1].children.setdefault(key(term), node)
        stack.append(node)
    return mains


def follow(reference: str, mains: dict[str, Node]) -> str:
    """The code a "see" reference leads to ("Infarct, myocardium" -> I21.9), or ""."""
    lowered = reference.lower()
    if any(word in lowered for word in _UNRESOLVABLE):
        return ""
    parts = [key(p) for p in reference.split(",") if p.strip()]
    node = mains.get(parts[0]) if parts else None
    if node is None:
        return ""
    for part in parts[1:]:
        child = node.children.get(part) or next(
            (n for k, n in node.children.items() if k.startswith(part)), None
        )
        if child is None:
            return ""  # a subterm the index does not have: no guess at its parent
        node = child
    return node.code


def lay_text(path: str) -> str:
    """An index path as words: "Attack, attacks > heart" -> "heart attack"; deeper paths
    keep the index's order ("Injury, finger, sprain")."""
    parts = [key(p) for p in path.split(" > ")]
    if len(parts) == 2:
        return f"{parts[1]} {parts[0]}"
    return ", ".join(parts)


def see_texts(rows: list[Row]) -> Iterator[tuple[str, str]]:
    """(code, text) for every index entry without a code of its own whose "see" (or "see
    also") reference resolves: the entry's words become a name of the code it points to."""
    mains = build_tree(rows)
    for _level, _term, path, code, see, see_also, _cells in rows:
        if plain_code(code):
            continue
        for reference in (see, see_also):
            target = follow(reference, mains) if reference else ""
            if target:
                yield target, lay_text(path)
                break


def drug_texts(rows: list[Row]) -> Iterator[tuple[str, str]]:
    """(code, text) per Table of Drugs and Chemicals cell: "acetaminophen poisoning,
    overdose, accidental" names T39.1X1."""
    for _level, _term, path, _code, _see, _see_also, cells in rows:
        if not isinstance(cells, dict):
            continue
        drug = ", ".join(_PARENS.sub("", p).strip() for p in path.split(" > "))
        for column, template in DRUG_COLUMNS.items():
            code = plain_code(str(cells.get(column, "")))
            if code and code[0].isalpha():
                yield code, template.format(drug=drug)


def neoplasm_texts(rows: list[Row]) -> Iterator[tuple[str, str]]:
    """(code, text) per Neoplasm Table cell: "secondary malignant neoplasm of liver,
    metastatic to liver" names C78.7."""
    for _level, _term, path, _code, _see, _see_also, cells in rows:
        if not isinstance(cells, dict):
            continue
        parts = path.split(" > ")[1:]
        if not parts:
            continue
        site = ", ".join(_PARENS.sub("", p).strip() for p in parts)
        for column, template in NEOPLASM_COLUMNS.items():
            code = plain_code(str(cells.get(column, "")))
            if code and code[0].isalpha():
                yield code, template.format(site=site)
