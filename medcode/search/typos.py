"""Typo correction for search words, tried only when the words as typed match nothing.

Candidates come from the backend (FTS5 trigram table on SQLite, pg_trgm on PostgreSQL) over
the vocabulary of the documents; the closest by Damerau-Levenshtein distance wins, the more
common word on a tie. Exact code lookups never come here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol

from medcode.search.models import Word

MIN_LENGTH = 4


class CandidateSource(Protocol):
    def similar_words(self, word: str, *, limit: int = 40) -> list[tuple[str, int]]: ...


def max_edits(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def edit_distance(a: str, b: str, *, cap: int = 3) -> int:
    """Optimal string alignment distance (a swap of neighbours counts as one edit)."""
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def correct_words(
    words: Sequence[str], source: CandidateSource, *, prefix_last: bool = False
) -> dict[str, str]:
    """{typed: corrected} for words missing from the vocabulary that have a close neighbour.

    The last word is left alone when it begins some vocabulary word (it is being typed).
    """
    checkable = [w for w in dict.fromkeys(words) if len(w) >= MIN_LENGTH and w.isalpha()]
    if not checkable:
        return {}
    known = set(Word.objects.filter(word__in=checkable).values_list("word", flat=True))
    corrections: dict[str, str] = {}
    for word in checkable:
        if word in known:
            continue
        if (
            prefix_last
            and word == words[-1]
            and Word.objects.filter(word__startswith=word).exists()
        ):
            continue
        best: tuple[int, int, str] | None = None
        for candidate, documents in source.similar_words(word):
            # Spelling by ear (doubled letters, a silent h or p): "hemmoroids" and
            # "hemorrhoids" have one skeleton, so they are one edit apart at most.
            distance = min(
                edit_distance(word, candidate),
                edit_distance(skeleton(word), skeleton(candidate)) + 1,
            )
            if distance <= max_edits(word):
                key = (distance, -documents, candidate)
                if best is None or key < best:
                    best = key
        if best is not None:
            corrections[word] = best[2]
    return corrections


_SOUNDS = (("ph", "f"), ("ae", "e"), ("oe", "e"), ("y", "i"), ("ck", "k"))
_SILENT_H = re.compile(r"(?<=[rtgck])h")
_DOUBLE = re.compile(r"(.)\1+")


def skeleton(word: str) -> str:
    """A word as it sounds, roughly: silent p and h gone, ph -> f, doubled letters single
    ("pneumothorax" -> "neumotorax", "hemorrhoids" -> "hemoroids")."""
    w = word.lower()
    if w.startswith(("pn", "ps", "pt")):
        w = w[1:]
    for written, said in _SOUNDS:
        w = w.replace(written, said)
    w = _SILENT_H.sub("", w)
    return _DOUBLE.sub(r"\1", w)


class TrigramIndex:
    """The vocabulary's words by trigram (with the word padded by spaces, as pg_trgm does),
    for candidates in a few milliseconds on SQLite."""

    def __init__(self, words: list[tuple[str, int]]) -> None:
        self.words = words
        self.sizes = [len(trigrams(word)) for word, _ in words]
        self.postings: dict[str, list[int]] = {}
        for i, (word, _) in enumerate(words):
            for gram in trigrams(word):
                self.postings.setdefault(gram, []).append(i)

    def similar(self, word: str, *, limit: int = 40) -> list[tuple[str, int]]:
        """Words of about the same length sharing the most trigrams (pg_trgm similarity)."""
        grams = trigrams(word)
        low, high = len(word) - 2, len(word) + 2
        shared: dict[int, int] = {}
        for gram in grams:
            for i in self.postings.get(gram, ()):
                shared[i] = shared.get(i, 0) + 1
        scored = []
        for i, n in shared.items():
            candidate, documents = self.words[i]
            if low <= len(candidate) <= high:
                similarity = n / (len(grams) + self.sizes[i] - n)
                scored.append((-similarity, -documents, candidate, documents))
        scored.sort()
        return [(candidate, documents) for _, _, candidate, documents in scored[:limit]]


def trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


_trigram_cache: dict[str, Any] = {"key": None, "index": None}


def vocabulary_trigrams() -> TrigramIndex:
    """This process's trigram index of the vocabulary, rebuilt when the index is."""
    from medcode.search.models import IndexState

    key = IndexState.objects.filter(name="lexical").values_list("built_at", flat=True).first()
    if _trigram_cache["index"] is None or _trigram_cache["key"] != key:
        words = list(Word.objects.values_list("word", "documents"))
        _trigram_cache.update(key=key, index=TrigramIndex(words))
    index: TrigramIndex = _trigram_cache["index"]
    return index
