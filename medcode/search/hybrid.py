"""Fusing word matches with meaning matches: reciprocal rank fusion (Cormack et al., 2009).

RRF adds w / (k + rank) over the rankings a document appears in, so it needs no score
calibration between bm25 and cosine. The parameters were chosen by measurement: for the
search box on tests/search_queries.yaml (bench/search_quality.py --queries), for case notes
on the CodiEsp dev split (bench/search_experiment.py and bench/search_quality.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Fusion:
    k: int = 60
    lexical: float = 1.0
    semantic: float = 1.0
    depth: int = 200  # ranks beyond this do not vote


# The search box: RRF with meaning weighted 0.4 against words. On the 200 lay queries of
# search_lay_dev.jsonl (bench/search_quality.py --lay-only, full releases, MiniLM-L6 int8,
# ranking.rerank after fusion) top-3 was 0.73 at 0.4 against 0.695 at 1.0 and 0.71 for
# words alone (top-1 0.53, 0.535, 0.51).
WORD_FUSION = Fusion(k=60, lexical=1.0, semantic=0.4, depth=100)
# Within the lexical list: every word or a lay synonym, every word as typed (both weighted
# `lexical`), and the words as one phrase (weighted `semantic`, the field reused).
LEXICAL_FUSION = Fusion(k=20, lexical=1.0, semantic=1.0, depth=100)


@dataclass(frozen=True)
class NoteScoring:
    """How case mode scores a code from its best span for each signal.

    "wsum": cosine + `lexical` x bm25 (scaled so each span's best is 1); "rrf": RRF of the
    two code rankings, the bm25 one weighted `lexical`.
    """

    method: Literal["wsum", "rrf"] = "wsum"
    lexical: float = 0.3
    k: int = 60
    depth: int = 500


# Measured on the CodiEsp dev notes (bench/search_experiment.py, 250 notes, MiniLM-L6 int8,
# billable ICD-10-CM): MAP 0.160 for wsum 0.3, 0.150 for rrf 1.0, 0.128 for cosine alone.
NOTE_SCORING = NoteScoring(method="wsum", lexical=0.3)


def score_note(
    by_meaning: dict[K, tuple[float, int]],
    by_words: dict[K, tuple[float, int]],
    scoring: NoteScoring = NOTE_SCORING,
) -> dict[K, float]:
    if scoring.method == "rrf":
        return fuse(
            [(ranking(by_meaning), 1.0), (ranking(by_words), scoring.lexical)],
            k=scoring.k,
            depth=scoring.depth,
        )
    keys = set(by_meaning) | set(by_words)
    return {
        key: by_meaning.get(key, (0.0, 0))[0] + scoring.lexical * by_words.get(key, (0.0, 0))[0]
        for key in keys
    }


def fuse(rankings: Sequence[tuple[Sequence[K], float]], *, k: int, depth: int) -> dict[K, float]:
    """RRF scores over (ranking, weight) pairs; a ranking lists keys best first."""
    scores: dict[K, float] = defaultdict(float)
    for ranking, weight in rankings:
        if weight <= 0:
            continue
        for rank, key in enumerate(ranking[:depth]):
            scores[key] += weight / (k + rank + 1)
    return dict(scores)


def fuse_ranked(
    lexical: Sequence[K],
    semantic: Sequence[K],
    fusion: Fusion = WORD_FUSION,
    *,
    also: Sequence[tuple[Sequence[K], float]] = (),
) -> list[tuple[K, float]]:
    """Keys best first with their fused score; ties keep the lexical order. `also`: more
    (ranking, weight) pairs."""
    scores = fuse(
        [(lexical, fusion.lexical), (semantic, fusion.semantic), *also],
        k=fusion.k,
        depth=fusion.depth,
    )
    position = {key: i for i, key in enumerate(lexical)}
    return sorted(scores.items(), key=lambda item: (-item[1], position.get(item[0], 1 << 30)))


def best_per_key(lists: Sequence[Sequence[tuple[K, float]]]) -> dict[K, tuple[float, int]]:
    """The best score of each key over several scored lists, and which list gave it."""
    best: dict[K, tuple[float, int]] = {}
    for i, scored in enumerate(lists):
        for key, score in scored:
            if key not in best or score > best[key][0]:
                best[key] = (score, i)
    return best


def ranking(best: dict[K, tuple[float, int]]) -> list[K]:
    return sorted(best, key=lambda key: -best[key][0])
