"""The ICD-10-CM Alphabetic Index read the way a coder reads it.

A finding ("displaced right femoral neck fracture") is looked up by its main term
("Fracture, traumatic"), then down the subterms whose words it contains ("femur, femoral" >
"neck"); nonessential modifiers (the parenthesised words) are optional, "see" references
are followed, and the Neoplasm Table is read in the column the finding's behaviour word
names ("metastatic" -> secondary). The code found is resolved to a billable code: a
category or a code ending in "-" becomes the descendant whose title fits the finding best
(side, site), unspecified and initial-encounter codes first.

The tables come from the importer's IndexEntry rows of the current ICD-10-CM releases.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol, TypeVar

# Words that carry no meaning for the lookup ("with" joins a subterm to its main term).
_STOP_WORDS = (
    "a an the of in on at to for and or with without by from as is was were be been has have "
    "had his her their its this that these those which who patient pt nec nos other "
    "specified unspecified see also condition due"
)
STOP = frozenset(_STOP_WORDS.split())
# A subterm read below a grouping the finding does not say, when so few groupings hold it.
_MAX_GROUPINGS = 2
# The Table's own name, said in its "see" references ("Neoplasm, skin, ear").
_NEOPLASM_WORDS = frozenset({"neoplasm", "neoplast"})  # stems
# Neoplasm Table columns by the behaviour words of a finding, most specific first.
BEHAVIOUR_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("malignant_secondary", ("metastasis", "metastases", "metastatic", "secondary")),
    ("ca_in_situ", ("in situ",)),
    (
        "malignant_primary",
        (
            "carcinoma",
            "adenocarcinoma",
            "cancer",
            "malignant",
            "malignancy",
            "sarcoma",
            "neoplasia",
        ),
    ),
    ("benign", ("benign", "adenoma")),
    ("unspecified_behavior", ("neoplasm", "tumor", "tumour")),
)
# One pattern per column: a finding names the column by any of its behaviour words.
_BEHAVIOUR_PATTERNS = tuple(
    (column, re.compile(r"\b(?:" + "|".join(re.escape(cue) for cue in cues) + r")\b"))
    for column, cues in BEHAVIOUR_WORDS
)
_WORD = re.compile(r"[a-z0-9]+(?:'s)?")
# A nonessential modifier may hold parentheses of its own: "foot (except toe(s) alone)".
_NEMOD = re.compile(r"\(((?:[^()]|\([^()]*\))*)\)")


@lru_cache(maxsize=131072)
def stem(word: str) -> str:
    """A light suffix stripper: plural and adjective endings, so "fractures", "femoral" and
    "femur" meet, as do "hypertensive" and "hypertension"."""
    w = word.lower().removesuffix("'s")
    if len(w) <= 3:
        return w
    for suffix, keep in (
        ("ically", 4),
        ("ical", 4),
        ("ation", 4),
        ("ions", 4),
        ("ion", 4),
        ("ies", 3),
        ("ive", 4),
        ("ous", 4),
        ("al", 4),
        ("ic", 4),
        ("es", 4),
        ("is", 4),
        ("s", 4),
        ("a", 4),
        ("y", 4),
        ("e", 4),
    ):
        if w.endswith(suffix) and len(w) - len(suffix) >= keep and not w.endswith("ss"):
            return w[: -len(suffix)]
    return w


def stems(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOP]


@dataclass(eq=False)
class Node:
    term: str
    words: frozenset[str]  # required stems
    code: str
    see: str
    see_also: str
    cells: dict[str, str]
    children: list[Node] = field(default_factory=list)
    keys: tuple[frozenset[str], ...] = ()  # alternative word sets ("Diabetes, diabetic")


@dataclass(frozen=True)
class IndexHit:
    code: str  # undotted, as the index gives it (maybe a category or ending "-")
    path: str  # "Fracture, traumatic > femur, femoral > neck"
    words: int  # finding stems the path used
    depth: int


def term_keys(
    term: str, *, is_heading: bool, is_subterm: bool = False
) -> tuple[frozenset[str], ...]:
    """Word sets that name an index term: its text without the nonessential modifiers;
    for "Diabetes, diabetic" or "Femur, femoral" each comma part alone when it is a form of
    the first word; and for a heading with subterms ("Fracture, traumatic") the first part.
    "Traction, vitreomacular" (no subterms) needs both words."""
    bare = _NEMOD.sub(" ", term)
    full = frozenset(stems(bare))
    parts = [p.strip() for p in bare.split(",") if p.strip()]
    keys = [full] if full else []
    # A subterm "atrial or auricular": either word names it.
    if is_subterm and " or " in bare and len(parts) == 1:
        for alternative in bare.split(" or "):
            words = frozenset(stems(alternative))
            if words and words not in keys:
                keys.append(words)
    if len(parts) > 1:
        head = parts[0].lower()
        forms = [p for p in parts[1:] if p.lower()[:3] == head[:3]]
        alone = [*forms, parts[0]] if forms or is_heading else []
        for part in alone:
            words = frozenset(stems(part))
            if words and words not in keys:
                keys.append(words)
    return tuple(keys)


def build_tree(rows: Iterable[tuple[int, str, str, str, str, dict[str, str]]]) -> list[Node]:
    """Main terms with their subterms from (level, term, code, see, see_also, cells) rows in
    order."""
    roots: list[Node] = []
    stack: list[Node] = []
    forms: list[tuple[Node, frozenset[str]]] = []
    for level, term, code, see, see_also, cells in rows:
        node = Node(
            term=term,
            words=frozenset(stems(_NEMOD.sub(" ", term))),
            code=code.replace(".", "").upper(),
            see=see,
            see_also=see_also,
            cells={k: v for k, v in (cells or {}).items() if k != "nemod" and v},
        )
        place(node, level, roots, stack)
        forms.extend((node, form) for form in nemod_forms(term, (cells or {}).get("nemod", "")))
    set_keys(roots)
    for node, form in forms:
        if form not in node.keys:
            node.keys = (*node.keys, form)
    return roots


def nemod_forms(term: str, nemod: str) -> list[frozenset[str]]:
    """The nonessential modifiers of a one-word term that are forms of it, each a name of
    the term: the Neoplasm Table's "cervix (cervical) (uteri)" is named by "cervical" too
    ("cervical cancer": C53.9, not the neck's "cervical region")."""
    bare = _NEMOD.sub(" ", term).strip().lower()
    if not bare.isalpha() or len(bare) < 4:
        return []
    out = []
    for modifier in _NEMOD.findall(nemod):
        word = modifier.strip().lower()
        if word.isalpha() and word != bare and word[:4] == bare[:4]:
            out.append(frozenset({stem(word)}))
    return out


class Branch(Protocol):
    children: list[Any]


T = TypeVar("T", bound=Branch)


class Term(Protocol):
    """An Index or Table term as the trees here hold it."""

    term: str
    keys: tuple[frozenset[str], ...]

    @property
    def children(self) -> Sequence[Term]: ...


def place(node: T, level: int, roots: list[T], stack: list[T]) -> None:
    """Put a term read at `level` (0: a main term) under the last term one level up (`stack`
    holds the path to it), or among the `roots`."""
    del stack[level:]
    if level == 0 or not stack:
        roots.append(node)
    else:
        stack[-1].children.append(node)
    stack.append(node)


def set_keys(nodes: Sequence[Term], *, is_subterm: bool = False) -> None:
    """Each term's alternative word sets (term_keys), down the tree."""
    for node in nodes:
        node.keys = term_keys(node.term, is_heading=bool(node.children), is_subterm=is_subterm)
        set_keys(node.children, is_subterm=True)


@dataclass
class AlphabeticIndex:
    roots: list[Node]
    neoplasm: list[Node]  # the children of "Neoplasm, neoplastic"
    by_word: dict[str, list[Node]] = field(default_factory=dict)
    by_name: dict[str, list[Node]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for node in self.roots:
            for key in node.keys:
                for word in key:
                    self.by_word.setdefault(word, []).append(node)
            for part in {_NEMOD.sub(" ", node.term).split(",")[0].strip().lower()}:
                self.by_name.setdefault(part, []).append(node)

    def lookup(self, text: str, *, skip: frozenset[str] = frozenset()) -> list[IndexHit]:
        """The deepest coded paths of every main term the text names, but those named in
        `skip` ("short": a main term the caller never codes from). The words are read in
        sorted order, so that of two paths to one code with the same words and depth the
        same one is kept in every process (a set's order changes with the hash seed)."""
        words = set(stems(text))
        if not words:
            return []
        seen: set[int] = set()
        hits: list[IndexHit] = []
        for word in sorted(words):
            for root in self.by_word.get(word, ()):
                if id(root) in seen:
                    continue
                seen.add(id(root))
                if skip and main_term(root.term) in skip:
                    continue
                key = next((k for k in root.keys if k <= words), None)
                if key is None:
                    continue
                hits.extend(self._descend(root, words, root.term, len(key), 0, 0, root))
        hits.extend(self._neoplasm(text, words))
        return _deepest(hits)

    def lookup_under(self, name: str, words: frozenset[str] | set[str]) -> list[IndexHit]:
        """The deepest coded paths below the main term `name` ("history")."""
        hits: list[IndexHit] = []
        for root in self.by_name.get(name, []):
            hits.extend(self._descend(root, set(words), root.term, 1, 0, 0, root))
        return [h for h in _deepest(hits) if h.depth > 0]

    def _descend(
        self, node: Node, words: set[str], path: str, used: int, depth: int, hops: int, root: Node
    ) -> list[IndexHit]:
        found: list[IndexHit] = []
        matched = [k for c in node.children for k in c.keys if k and k <= words]
        for child in node.children:
            if not child.words:
                if not child.code and child.children:  # "with", "in": a connector level
                    deeper = f"{path} > {child.term}"
                    found.extend(self._descend(child, words, deeper, used, depth, hops, root))
                continue
            key = next((k for k in child.keys if k <= words), None)
            # "type 2" read, "specified type NEC" (a part of it) is not.
            if key is not None and not any(key < other for other in matched):
                found.extend(
                    self._descend(
                        child,
                        words,
                        f"{path} > {child.term}",
                        used + len(key),
                        depth + 1,
                        hops,
                        root,
                    )
                )
        if not found and not node.code and depth == 0:
            # A main term without a code of its own whose subterm the finding names only
            # below a grouping subterm it does not say ("foreign body in the nose": Foreign
            # body > entering through orifice > nose T17.1): read on below the grouping.
            found = self._below_groupings(node, words, path, used, depth, hops, root)
        if found:
            return found
        if node.code:
            return [IndexHit(node.code, path, used, depth)]
        see = node.see or (node.see_also if not node.children or depth == 0 else "")
        if see and hops < 2:
            target = self.resolve_see(see, root)
            if target is not None:
                return self._descend(
                    target, words, f"{path} (see {see})", used, depth, hops + 1, target
                )
        return []

    def _below_groupings(
        self, node: Node, words: set[str], path: str, used: int, depth: int, hops: int, root: Node
    ) -> list[IndexHit]:
        named: list[tuple[Node, Node, frozenset[str]]] = []
        for group in node.children:
            if group.code or group.see or not group.words:
                continue
            for child in group.children:
                key = next((k for k in child.keys if k <= words), None)
                if key is not None:
                    named.append((group, child, key))
        # A word found below many groupings is a modifier of each ("stenosis, congenital":
        # lacrimal > congenital, intestine > congenital ...), naming none of them.
        counts = Counter(key for _, _, key in named)
        found: list[IndexHit] = []
        for group, child, key in named:
            if counts[key] <= _MAX_GROUPINGS:
                below = f"{path} > {group.term} > {child.term}"
                found.extend(
                    self._descend(child, words, below, used + len(key), depth + 2, hops, root)
                )
        return found

    def resolve_see(self, see: str, root: Node | None = None) -> Node | None:
        """The node a "see" reference names: "Infarct, myocardium" -> Infarct > myocardium;
        within the main term being read when it has that name ("see Fracture, femur")."""
        parts = [p.strip().lower() for p in _NEMOD.sub(" ", see).split(",") if p.strip()]
        if not parts or parts[0] in ("condition", "also"):
            return None
        candidates = self.by_name.get(parts[0], [])
        if root is not None and any(c is root for c in candidates):
            candidates = [root]
        node = next((n for n in candidates if n.code or n.children), None)
        if node is None:
            return None
        start = node
        for part in parts[1:]:
            want = frozenset(stems(part))
            nxt = _named_child(node, want)
            if nxt is None and node is not start:
                nxt = _named_child(start, want)
            if nxt is None:
                break
            node = nxt
        return node

    def _neoplasm(self, text: str, words: set[str]) -> list[IndexHit]:
        low = text.lower()
        column = next((col for col, pattern in _BEHAVIOUR_PATTERNS if pattern.search(low)), None)
        if column is None:
            return []
        hits: list[IndexHit] = []
        for node in self.neoplasm:
            key = next((k for k in node.keys if k <= words), None)
            if key is not None:
                path = f"Neoplasm > {node.term}"
                hits.extend(_table_hits(node, words, column, path, len(key), self.table_see))
        return hits

    def table_see(self, see: str) -> Node | None:
        """The Neoplasm Table row a "see" of the Table names: "Neoplasm, lymph gland" ->
        lymph > gland, "Neoplasm, skin, ear" -> skin > ear (the row whose path holds the
        most of its words)."""
        wanted = frozenset(stems(_NEMOD.sub(" ", see))) - _NEOPLASM_WORDS
        best: tuple[int, Node] | None = None
        for top in self.neoplasm:
            key = next((k for k in top.keys if k <= wanted), None)
            if key is None:
                continue
            node, used = top, len(key)
            while True:
                child, more = _best_child(node, wanted)
                if child is None:
                    break
                node, used = child, used + more
            if best is None or used > best[0]:
                best = (used, node)
        return best[1] if best else None


def _best_child(node: Node, wanted: frozenset[str]) -> tuple[Node | None, int]:
    """The subterm of `node` named by the most of the `wanted` words, and how many."""
    found = [(len(k), c) for c in node.children for k in c.keys if k and k <= wanted]
    if not found:
        return None, 0
    more, child = max(found, key=lambda item: item[0])
    return child, more


def _named_child(node: Node, want: frozenset[str]) -> Node | None:
    """The subterm a "see" reference's part names: the one it names exactly ("drug" ->
    "drug NEC", not "combinations of drugs"), else the first whose words hold it."""
    if not want:
        return None
    exact = next((c for c in node.children if want in c.keys), None)
    return exact or next((c for c in node.children if any(want <= k for k in c.keys)), None)


def _table_hits(
    node: Node,
    words: set[str],
    column: str,
    path: str,
    used: int,
    see: Callable[[str], Node | None] | None = None,
    hops: int = 0,
) -> list[IndexHit]:
    deeper: list[IndexHit] = []
    for child in node.children:
        key = next((k for k in child.keys if k <= words), None)
        if key is not None:
            below = f"{path} > {child.term}"
            deeper.extend(_table_hits(child, words, column, below, used + len(key), see, hops))
    if deeper:
        return deeper
    code = node.cells.get(column, "").replace(".", "").replace("-", "").upper()
    named = node.see or node.see_also
    if not code and named and see is not None and hops < 2:
        # "lymph > node: see also Neoplasm, lymph gland", a row without cells: read on in
        # the row it names, with the finding's words ("axillary lymph nodes" -> lymph >
        # gland > axilla C77.3).
        target = see(named)
        if target is not None and target is not node:
            below = f"{path} (see {named})"
            return _table_hits(target, words, column, below, used, see, hops + 1)
    return [IndexHit(code, f"{path} [{column}]", used + 1, 1)] if code else []


def main_term(term: str) -> str:
    """The main term's first name, lower case: "Short, shortening, shortness" -> "short"."""
    return term.split(",", 1)[0].split(" >", 1)[0].strip().lower()


def _deepest(hits: Sequence[IndexHit]) -> list[IndexHit]:
    """Per code the best path; a path is dropped when another covers its words and more."""
    best: dict[str, IndexHit] = {}
    for hit in hits:
        old = best.get(hit.code)
        if old is None or (hit.words, hit.depth) > (old.words, old.depth):
            best[hit.code] = hit
    return sorted(best.values(), key=lambda h: (-h.words, -h.depth, h.code))


def index_rows(table: str) -> list[tuple[int, str, str, str, str, dict[str, str]]]:
    """The current releases' rows of one index table ("index", "neoplasm", "eindex"), in
    order, as build_tree reads them."""
    from medcode.codes.models import IndexEntry

    return list(
        IndexEntry.objects.filter(table=table, release__is_current=True)
        .order_by("release_id", "seq")
        .values_list("level", "term", "code", "see", "see_also", "cells")
    )


@lru_cache(maxsize=2)
def load_index(generation: str = "") -> AlphabeticIndex:
    """The current releases' Alphabetic Index and Neoplasm Table (cached per data generation)."""
    roots = build_tree(index_rows("index"))
    neoplasm_roots = build_tree(index_rows("neoplasm"))
    neoplasm = [c for root in neoplasm_roots for c in root.children] or neoplasm_roots
    return AlphabeticIndex(roots=roots, neoplasm=neoplasm)


def see_alias_reading(index: AlphabeticIndex, text: str) -> str | None:
    """The text with each word that names a main term without a code of its own, which
    refers to another main term ("Clot (blood): see also Embolism"), said as that term, for
    reading the word as a subterm of another main term ("history of blood clots": History,
    personal, embolism Z86.718); None when no word changes."""
    out, changed = [], False
    for word in _WORD.findall(text.lower()):
        target = _alias(index, word)
        changed = changed or target is not None
        out.append(target or word)
    return " ".join(out) if changed else None


def _alias(index: AlphabeticIndex, word: str) -> str | None:
    for name in (word, word.removesuffix("s")):
        for root in index.by_name.get(name, ()):
            refer = root.see or root.see_also
            if root.code or not refer:
                continue
            target = _NEMOD.sub(" ", refer).split(",")[0].strip().lower()
            if target and " " not in target and target not in (name, "condition", "also"):
                return target
    return None
