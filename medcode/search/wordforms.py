"""Word forms: a lay query's verb or adjective meets the noun the code sets use.

People say "I snore", "hoarse", "bloated", "itchy"; the Alphabetic Index and the titles say
Snoring, Hoarseness, Bloating, "Itch, itching". A word no document has is read as the
Index main term's word of the same root (its derivational endings taken off), so the word
search and the Index reading find the noun. Words the documents have are left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

# Derivational and inflectional endings, longest first; a strip must leave ROOT_MIN letters.
_ENDINGS = (
    "iness",
    "ations",
    "ation",
    "ness",
    "ions",
    "ings",
    "ated",
    "ates",
    "ating",
    "ing",
    "ion",
    "ate",
    "ily",
    "ly",
    "ies",
    "ous",
    "ity",
    "ed",
    "es",
    "y",
    "s",
)
ROOT_MIN = 4
# Not read as forms of each other: one root, two meanings.
_FALSE_FRIENDS = frozenset({"sting", "string", "bled", "ring", "thing", "things", "being"})


@lru_cache(maxsize=65536)
def root(word: str) -> str:
    """The word without its endings: "snore", "snoring" -> "snor"; "hoarse",
    "hoarseness" -> "hoars"; "bloated", "bloating" -> "bloat"; "itchy", "itching" -> "itch";
    "depressed", "depression" -> "depres"."""
    w = word.lower()
    for ending in _ENDINGS:
        if not w.endswith(ending) or len(w) - len(ending) < ROOT_MIN:
            continue
        # "abscess", "paralysis", "virus": the final s is the word's own.
        if ending == "s" and w[-2] in "siu":
            continue
        w = w[: -len(ending)]
        break
    if w.endswith("e") and len(w) > ROOT_MIN:
        w = w[:-1]
    # A doubled final letter is one: "depress" and "depres", "swell" and "swel".
    if len(w) > ROOT_MIN and w[-1] == w[-2]:
        w = w[:-1]
    return w


def forms_by_root(vocabulary: Iterable[tuple[str, int]]) -> dict[str, tuple[str, ...]]:
    """Root -> the vocabulary's words of that root, those in most documents first."""
    found: dict[str, list[tuple[int, str]]] = {}
    for word, documents in vocabulary:
        if len(word) > ROOT_MIN and word.isalpha() and word not in _FALSE_FRIENDS:
            found.setdefault(root(word), []).append((-documents, word))
    return {key: tuple(w for _, w in sorted(words)) for key, words in found.items()}


@lru_cache(maxsize=2)
def load_forms(token: str = "") -> dict[str, tuple[str, ...]]:
    """forms_by_root over the words of the Alphabetic Index's main terms that the documents
    have ("Snoring", "Itch, itching"), so a lay form meets a main term and nothing else:
    an equipment word ("electric") keeps its own spelling (cached per data generation)."""
    from medcode.search.index_matcher import load_index
    from medcode.search.models import Word

    main_terms = {
        word
        for root in load_index(token).roots
        for word in _TERM_WORD.findall(_NEMOD.sub(" ", root.term).lower())
    }
    return forms_by_root(
        Word.objects.filter(word__in=main_terms).values_list("word", "documents").iterator()
    )


_TERM_WORD = re.compile(r"[a-z]+")
_NEMOD = re.compile(r"\([^)]*\)")


def document_forms(
    word: str, known: dict[str, int], forms: dict[str, tuple[str, ...]]
) -> tuple[str, ...]:
    """The vocabulary's forms of a word no document has (`known`: words with their document
    counts), or () when the documents have the word itself or it is too short."""
    low = word.lower()
    if known.get(low) or len(low) <= ROOT_MIN or not low.isalpha() or low in _FALSE_FRIENDS:
        return ()
    return tuple(f for f in forms.get(root(low), ()) if f != low)[:2]
