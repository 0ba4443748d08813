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
"""

from __future__ import annotations

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
    " word-to-code co-occurrence counts only."
)
MIN_NOTES = 3  # a feature seen in fewer notes is not kept (nor could it identify one)
MIN_PAIR = 2
SMOOTHING = 2.0
BAD_LINE = "{path}, line {line}: {problem}"
_DIGITS = re.compile(r"^\d+$")


class LearnedFileError(ValueError):
    """The labelled corpus or the learned file cannot be read."""


@dataclass(frozen=True)
class Learned:
    notes: int
    prior: dict[str, int]  # code -> notes coded with it
    features: dict[str, tuple[int, dict[str, int]]]  # feature -> (notes, {code: notes})
    attribution: str
    _top: list[int] = field(default_factory=list, repr=False)
    _values: dict[str, list[tuple[str, float]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._top.append(max(self.prior.values(), default=1))
        for feature, (df, codes) in self.features.items():
            values = []
            for code, n in codes.items():
                p = n / (df + SMOOTHING)
                base = self.prior.get(code, 0) / self.notes
                lift = p / base if base else 1.0
                values.append((code, p * min(lift, 20.0) ** 0.5))
            self._values[feature] = values

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


def note_features(text: str) -> set[str]:
    """Word stems and adjacent stem pairs of the note's coded findings."""
    out: set[str] = set()
    for finding in coded_findings(find_findings(text)):
        words = [w for w in stems(finding.text) if not _DIGITS.match(w) and len(w) > 1]
        out.update(words)
        out.update(f"{a} {b}" for a, b in itertools.pairwise(words))
    return out


def norm_code(code: str) -> str:
    return code.upper().replace(".", "").replace(" ", "")


def learn(path: Path, *, split: str = "train") -> dict[str, Any]:
    """The learned file's content from a CodiEsp-style JSON lines file (id, split, text_en,
    dx_codes), using the rows of `split` only."""
    prior: Counter[str] = Counter()
    df: Counter[str] = Counter()
    pairs: dict[str, Counter[str]] = defaultdict(Counter)
    notes = 0
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LearnedFileError(f"{path}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if row.get("split") != split:
                continue
            text, codes = row["text_en"], {norm_code(c) for c in row["dx_codes"]}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise LearnedFileError(
                BAD_LINE.format(path=path, line=number, problem=f"not a labelled note ({exc})")
            ) from exc
        notes += 1
        prior.update(codes)
        found = note_features(text)
        df.update(found)
        for feature in found:
            pairs[feature].update(codes)
    if not notes:
        raise LearnedFileError(f"{path}: no notes in split {split!r}")
    features: dict[str, list[Any]] = {}
    for feature, n in df.items():
        if n < MIN_NOTES:
            continue
        given = {c: k for c, k in pairs[feature].items() if k >= MIN_PAIR}
        if given:
            features[feature] = [n, dict(sorted(given.items()))]
    return {
        "attribution": ATTRIBUTION,
        "split": split,
        "notes": notes,
        "prior": dict(sorted(prior.items())),
        "features": dict(sorted(features.items())),
    }


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
            raw = json.load(fh)
        return Learned(
            notes=int(raw["notes"]),
            prior={str(k): int(v) for k, v in raw["prior"].items()},
            features={
                str(f): (int(v[0]), {str(c): int(n) for c, n in v[1].items()})
                for f, v in raw["features"].items()
            },
            attribution=str(raw["attribution"]),
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise LearnedFileError(f"{path}: not a learned file ({exc})") from exc


@lru_cache(maxsize=1)
def load_learned() -> Learned | None:
    """The shipped learned file, or None when it is absent."""
    if not LEARNED_FILE.exists():
        return None
    return read_learned(LEARNED_FILE)
