"""What coders did, learned from a coder-labelled corpus: a per-code prior and word -> code
associations, kept in a small derived file (counts only, never the notes' text).

The shipped file is derived from the CodiEsp corpus (Miranda-Escalada A, Gonzalez-Agirre A,
Armengol-Estapé J, Krallinger M. Overview of automatic clinical coding: annotations,
guidelines, and solutions for non-English clinical cases at CodiEsp track of CLEF eHealth
2020; corpus on Zenodo, doi:10.5281/zenodo.3625746, licensed CC BY 4.0), its train split,
English translation. Rebuild it with `medcode search learn --from FILE.jsonl`.

Features are the word stems and stem pairs of a note's coded findings (negated and family
findings left out) that occur in at least MIN_NOTES notes; for each, the codes given with
it at least MIN_PAIR times. A note's learned evidence for a code is the largest smoothed
P(code | feature) over its features, times its lift over the code's base rate, squashed.

Sentence-level associations sharpen that: CodiEsp gives each code the span of the Spanish
text the coder read it from; the English translation keeps one sentence a line and the
sentence order, so a span is placed on its English line (by sentence number when both
texts have as many sentences, else by its relative position). For each feature, how many
sentences have it and how many of those carry each code: a finding's words then vote for
the codes coders gave the sentences that share them, not for every code of the note.
"""

from __future__ import annotations

import bisect
import gzip
import itertools
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from medcode.search.index_matcher import stems
from medcode.search.notes_findings import coded_findings, find_findings

LEARNED_FILE = Path(__file__).parent / "data" / "codiesp_learned.json.gz"
ATTRIBUTION = (
    "Derived from the CodiEsp corpus (CLEF eHealth 2020; Miranda-Escalada et al.), train"
    " split, English translation; CC BY 4.0, doi:10.5281/zenodo.3625746. Code counts and"
    " word-to-code co-occurrence counts (per note and per sentence) only."
)
MIN_NOTES = 3  # a feature seen in fewer notes is not kept (nor could it identify one)
MIN_PAIR = 2
SMOOTHING = 2.0
# The lift over a code's base rate counts up to this (its square root multiplies the
# evidence). On the CodiEsp train split, 5-fold with the default weights: MAP 0.3914 at 3,
# 0.3930 at 5, 0.3917 at 10, 0.3886 at 20.
LIFT_CAP = 5.0
BAD_LINE = "{path}, line {line}: {problem}"
_DIGITS = re.compile(r"^\d+$")
# A Spanish sentence ends at . ! or ? before a capital or a digit.
_ES_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÁÉÍÓÚÑ¿¡0-9])")


class LearnedFileError(ValueError):
    """The labelled corpus or the learned file cannot be read."""


@dataclass(frozen=True)
class Learned:
    notes: int
    prior: dict[str, int]  # code -> notes coded with it
    features: dict[str, tuple[int, dict[str, int]]]  # feature -> (notes, {code: notes})
    attribution: str
    # feature -> (sentences with it, {code: those of them coded with it}); and per code the
    # sentences coded with it, of `sentences` in all (empty for a corpus without spans)
    sentence_features: dict[str, tuple[int, dict[str, int]]] = field(default_factory=dict)
    code_sentences: dict[str, int] = field(default_factory=dict)
    sentences: int = 0
    _top: list[int] = field(default_factory=list, repr=False)
    _values: dict[str, list[tuple[str, float]]] = field(default_factory=dict, repr=False)
    _sentence_values: dict[str, list[tuple[str, float]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._top.append(max(self.prior.values(), default=1))
        for feature, (df, codes) in self.features.items():
            self._values[feature] = _lifted(codes, df, self.prior, self.notes)
        for feature, (df, codes) in self.sentence_features.items():
            self._sentence_values[feature] = _lifted(codes, df, self.code_sentences, self.sentences)

    def prior_score(self, code: str) -> float:
        return math.log1p(self.prior.get(code, 0)) / math.log1p(self._top[0])

    def evidence(self, text_features: Iterable[str]) -> dict[str, float]:
        """Per code, the learned evidence in [0, 1) from the note's features: the best
        smoothed P(code | feature) times the square root of its lift over the base rate."""
        best: dict[str, float] = {}
        for feature in set(text_features):
            for code, value in self._values.get(feature, ()):
                if value > best.get(code, 0.0):
                    best[code] = value
        return {code: 1 - math.exp(-value) for code, value in best.items()}

    def sentence_evidence(
        self, finding_features: Iterable[Iterable[str]]
    ) -> dict[str, tuple[float, int]]:
        """Per code, the sentence-level evidence in [0, 1) and the finding (its index in
        `finding_features`) that gives the most of it."""
        best: dict[str, tuple[float, int]] = {}
        for i, features in enumerate(finding_features):
            for feature in set(features):
                for code, value in self._sentence_values.get(feature, ()):
                    if value > best.get(code, (0.0, -1))[0]:
                        best[code] = (value, i)
        return {code: (1 - math.exp(-value), i) for code, (value, i) in best.items()}


def _lifted(
    codes: dict[str, int], df: int, base_counts: dict[str, int], total: int
) -> list[tuple[str, float]]:
    """Smoothed P(code | feature) times the square root of its lift over the base rate
    (capped at LIFT_CAP)."""
    values = []
    for code, n in codes.items():
        p = n / (df + SMOOTHING)
        base = base_counts.get(code, 0) / total if total else 0.0
        lift = p / base if base else 1.0
        values.append((code, p * min(lift, LIFT_CAP) ** 0.5))
    return values


def text_features(text: str) -> set[str]:
    """Word stems and adjacent stem pairs of a piece of text."""
    words = [w for w in stems(text) if not _DIGITS.match(w) and len(w) > 1]
    return set(words) | {f"{a} {b}" for a, b in itertools.pairwise(words)}


def finding_features(text: str) -> list[set[str]]:
    """The features of each of the note's coded findings, in order."""
    return [text_features(f.text) for f in coded_findings(find_findings(text))]


def note_features(text: str) -> set[str]:
    """Word stems and adjacent stem pairs of the note's coded findings."""
    return set().union(*finding_features(text))


def english_lines(text: str) -> list[tuple[int, str]]:
    """The (end offset, text) of each non-empty line of the English translation."""
    out: list[tuple[int, str]] = []
    position = 0
    for line in text.split("\n"):
        if line.strip():
            out.append((position + len(line), line))
        position += len(line) + 1
    return out


def labelled_lines(row: dict[str, Any]) -> dict[int, set[str]]:
    """English line number -> the diagnosis codes whose Spanish evidence span lies in it:
    by sentence number when both texts have as many sentences, else by relative position
    (on the CodiEsp notes whose counts agree, the position alone is right for 78% of spans)."""
    spanish = str(row.get("text_es") or "")
    lines = english_lines(str(row["text_en"]))
    if not spanish or not lines:
        return {}
    ends, es_ends, position = [end for end, _ in lines], [], 0
    for part in _ES_SENTENCE_END.split(spanish):
        position = spanish.index(part, position) + len(part)
        es_ends.append(position)
    out: dict[int, set[str]] = defaultdict(set)
    for evidence in row.get("evidence_es") or ():
        if evidence.get("type") != "diagnosis":
            continue
        start = int(str(evidence["offsets_es"]).split(";")[0].split()[0])
        if len(es_ends) == len(lines):
            line = bisect.bisect_right(es_ends, start)
        else:
            line = bisect.bisect_left(ends, start / len(spanish) * len(row["text_en"]))
        out[min(line, len(lines) - 1)].add(norm_code(str(evidence["code"])))
    return out


def norm_code(code: str) -> str:
    return code.upper().replace(".", "").replace(" ", "")


def learn(path: Path, *, split: str = "train") -> dict[str, Any]:
    """The learned file's content from a CodiEsp-style JSON lines file (id, split, text_en,
    dx_codes), using the rows of `split` only."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LearnedFileError(f"{path}: {exc}") from exc
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if row.get("split") != split:
                continue
            row["dx_codes"] = {norm_code(c) for c in row["dx_codes"]}
            str(row["text_en"])
            labelled_lines(row)
            rows.append(row)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            raise LearnedFileError(
                BAD_LINE.format(path=path, line=number, problem=f"not a labelled note ({exc})")
            ) from exc
    if not rows:
        raise LearnedFileError(f"{path}: no notes in split {split!r}")
    return learn_rows(rows) | {"split": split}


def learn_rows(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The learned file's content from labelled notes (text_en, dx_codes, and optionally
    text_es with evidence_es for the sentence-level counts)."""
    prior: Counter[str] = Counter()
    df: Counter[str] = Counter()  # notes with the feature
    pairs: dict[str, Counter[str]] = defaultdict(Counter)
    sentence_df: Counter[str] = Counter()
    sentence_pairs: dict[str, Counter[str]] = defaultdict(Counter)
    code_sentences: Counter[str] = Counter()
    notes = sentences = 0
    for row in rows:
        notes += 1
        codes = {norm_code(c) for c in row["dx_codes"]}
        prior.update(codes)
        found = note_features(str(row["text_en"]))
        df.update(found)
        for feature in found:
            pairs[feature].update(codes)
        labels = labelled_lines(row)
        for number, (_, line) in enumerate(english_lines(str(row["text_en"]))):
            sentences += 1
            line_features = set().union(*finding_features(line))
            sentence_df.update(line_features)
            coded = labels.get(number, set())
            code_sentences.update(coded)
            for feature in line_features:
                sentence_pairs[feature].update(coded)
    return {
        "attribution": ATTRIBUTION,
        "notes": notes,
        "prior": dict(sorted(prior.items())),
        "features": _kept(df, df, pairs),
        "sentences": sentences,
        "code_sentences": dict(sorted(code_sentences.items())),
        "sentence_features": _kept(sentence_df, df, pairs=sentence_pairs),
    }


def _kept(
    counts: Counter[str], notes: Counter[str], pairs: dict[str, Counter[str]]
) -> dict[str, list[Any]]:
    """Features seen in at least MIN_NOTES notes, with the codes given with them at least
    MIN_PAIR times."""
    kept: dict[str, list[Any]] = {}
    for feature, n in counts.items():
        if notes[feature] < MIN_NOTES:
            continue
        given = {c: k for c, k in pairs[feature].items() if k >= MIN_PAIR}
        if given:
            kept[feature] = [n, dict(sorted(given.items()))]
    return dict(sorted(kept.items()))


def write_learned(content: dict[str, Any], path: Path = LEARNED_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(content, separators=(",", ":"), sort_keys=True).encode()
    tmp = path.with_suffix(".tmp")
    with gzip.GzipFile(tmp, "wb", mtime=0) as fh:
        fh.write(data)
    tmp.replace(path)


def read_learned(path: Path) -> Learned:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return from_content(json.load(fh))
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise LearnedFileError(f"{path}: not a learned file ({exc})") from exc


def from_content(raw: dict[str, Any]) -> Learned:
    """A Learned from the learned file's content (learn_rows)."""

    def features(key: str) -> dict[str, tuple[int, dict[str, int]]]:
        return {
            str(f): (int(v[0]), {str(c): int(n) for c, n in v[1].items()})
            for f, v in raw.get(key, {}).items()
        }

    return Learned(
        notes=int(raw["notes"]),
        prior={str(k): int(v) for k, v in raw["prior"].items()},
        features=features("features"),
        attribution=str(raw["attribution"]),
        sentence_features=features("sentence_features"),
        code_sentences={str(k): int(v) for k, v in raw.get("code_sentences", {}).items()},
        sentences=int(raw.get("sentences", 0)),
    )


@lru_cache(maxsize=1)
def load_learned() -> Learned | None:
    """The shipped learned file, or None when it is absent."""
    if not LEARNED_FILE.exists():
        return None
    return read_learned(LEARNED_FILE)
