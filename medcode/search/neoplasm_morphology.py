"""A tumour named by its morphology, read the way the Index sends a coder: a main term with
no code of its own whose "see" or "see also" names the Neoplasm Table and a column
("Leiomyoma - see also Neoplasm, connective tissue, benign"; "Leiomyosarcoma - see also
Neoplasm, connective tissue, malignant"; "Meningioma - see also Neoplasm, meninges,
benign") is coded from the Table's row for the site the finding names, in that column:
"bladder leiomyoma" -> Neoplasm, bladder, benign D30.3. A finding naming no site of the
Table takes the reference's own row ("leiomyoma" -> connective tissue, benign).

The column words the finding says itself (index_matcher.BEHAVIOUR_WORDS: "metastatic",
"carcinoma", "benign" ...) keep their reading there; this adds the morphology terms the
Index names, about 140 of them, instead of a list of words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medcode.search.index_matcher import (
    _BEHAVIOUR_PATTERNS,
    _NEMOD,
    AlphabeticIndex,
    IndexHit,
    _table_hits,
    stems,
)

# The column a reference names, by its words (most specific first).
_COLUMNS = (
    ("secondary", "malignant_secondary"),
    ("in situ", "ca_in_situ"),
    ("malignant", "malignant_primary"),
    ("benign", "benign"),
    ("uncertain", "uncertain_behavior"),
    ("unspecified", "unspecified_behavior"),
)
# Words of a reference that name no site ("Neoplasm, benign, by site").
_NOT_SITE = frozenset(stems("neoplasm neoplastic malignant benign uncertain behavior in situ "))
_NOT_SITE |= frozenset(stems("unspecified secondary by site type"))
_WORD = re.compile(r"[a-z0-9]+")
_CACHE: dict[int, tuple[AlphabeticIndex, dict[str, Morphology]]] = {}


@dataclass(frozen=True)
class Morphology:
    term: str  # the Index's main term ("Leiomyoma")
    column: str  # the Neoplasm Table column its reference names
    reference: str  # "Neoplasm, connective tissue, benign"
    has_site: bool  # the reference names a row of its own (not "by site")


def reference_column(reference: str) -> str | None:
    """The Table column a "see Neoplasm, ..." reference names, or None."""
    low = " ".join(_NEMOD.sub(" ", reference).lower().split())
    if not low.startswith("neoplasm"):
        return None
    return next((column for word, column in _COLUMNS if word in low), None)


def morphology_terms(index: AlphabeticIndex) -> dict[str, Morphology]:
    """One-word main terms without a code that refer to a Neoplasm Table column, by stem."""
    cached = _CACHE.get(id(index))
    if cached is not None and cached[0] is index:
        return cached[1]
    out: dict[str, Morphology] = {}
    for root in index.roots:
        reference = root.see or root.see_also
        if root.code or not reference:
            continue
        column = reference_column(reference)
        name = _NEMOD.sub(" ", root.term).split(",")[0].strip().lower()
        if column is None or not _WORD.fullmatch(name):
            continue
        site = frozenset(stems(_NEMOD.sub(" ", reference))) - _NOT_SITE
        out.setdefault(stems(name)[0], Morphology(root.term, column, reference, bool(site)))
    _CACHE.clear()  # one Index per data generation is in use
    _CACHE[id(index)] = (index, out)
    return out


def morphology_hits(index: AlphabeticIndex, text: str, hits: list[IndexHit]) -> list[IndexHit]:
    """Neoplasm Table hits for the morphology terms `text` names, when the Index's own
    subterms of that term gave no code (`hits`: the ordinary lookup's) and the finding says
    no behaviour word of its own but "tumor" or "neoplasm"."""
    terms = morphology_terms(index)
    words = set(stems(text))
    named = [terms[w] for w in words if w in terms]
    if not named:
        return []
    low = text.lower()
    said = next((col for col, pattern in _BEHAVIOUR_PATTERNS if pattern.search(low)), None)
    if said is not None and said != "unspecified_behavior":
        return []
    out: list[IndexHit] = []
    for morphology in named:
        if any(h.path.split(" (see", 1)[0].split(" >", 1)[0] == morphology.term for h in hits):
            continue
        out.extend(_morphology_hits(index, morphology, words))
    return out


def _morphology_hits(
    index: AlphabeticIndex, morphology: Morphology, words: set[str]
) -> list[IndexHit]:
    """The reference's own row read down with the finding's words ("Meningioma: see also
    Neoplasm, meninges, benign"; "spinal meningioma" -> meninges > spinal); else the site
    the finding names ("bladder leiomyoma" -> bladder D30.3, as the Table's note on
    connective tissue sends a site not in its list; "meningeal osteosarcoma" -> meninges,
    not bone); else the reference's row itself ("leiomyoma" -> connective tissue)."""
    path = f"{morphology.term} (see {morphology.reference})"
    row = index.table_see(morphology.reference) if morphology.has_site else None
    if row is not None and any(k <= words for child in row.children for k in child.keys if k):
        return _table_hits(row, words, morphology.column, path, 1, index.table_see)
    found: list[IndexHit] = []
    for node in index.neoplasm:
        key = next((k for k in node.keys if k <= words), None)
        if key is None:
            continue
        own = _own_subterm(index, morphology.term, node.keys)
        if own is not None:
            # the term's own subterm for the site, named by another form of its word
            # ("uterine leiomyoma": Leiomyoma, uterus D25.9, not the Table's D26.9)
            found.extend(own)
        else:
            found.extend(
                _table_hits(
                    node,
                    words,
                    morphology.column,
                    f"{path} > {node.term}",
                    len(key),
                    index.table_see,
                )
            )
    if not found and row is not None:
        found = _table_hits(row, words, morphology.column, path, 1, index.table_see)
    return found


def _own_subterm(
    index: AlphabeticIndex, term: str, site_keys: tuple[frozenset[str], ...]
) -> list[IndexHit] | None:
    """The coded hits of the main term's subterm named by one of the Table row's names."""
    for root in index.by_name.get(term.split(",")[0].strip().lower(), ()):
        for child in root.children:
            if child.words and child.words in site_keys:
                hits = index._descend(
                    child, set(child.words), f"{term} > {child.term}", 2, 1, 0, root
                )
                if hits:
                    return hits
    return None
