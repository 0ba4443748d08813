"""What an answer is made of: a short answer, supporting facts with citations, code checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from medcode.assistant.guard import CodeCheck


@dataclass(frozen=True)
class Citation:
    """Where a fact comes from: a link (code page or source) and the release it was read from."""

    label: str
    url: str
    release: str

    def as_dict(self) -> dict[str, str]:
        return {"label": self.label, "url": self.url, "release": self.release}


@dataclass(frozen=True)
class Fact:
    text: str
    citation: Citation

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "citation": self.citation.as_dict()}


@dataclass
class Draft:
    """An answer before the guard: what a builder (or the language model) wrote."""

    summary: str
    facts: list[Fact] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    # The data did not support a full answer: say so and offer the consult.
    is_unsure: bool = False


@dataclass(frozen=True)
class Answer:
    question: str
    intent: str
    on: dt.date
    summary: str
    facts: tuple[Fact, ...]
    codes: tuple[CodeCheck, ...]
    notices: tuple[str, ...]
    offers_consult: bool
    removed: tuple[str, ...]  # code-shaped tokens whose statements the guard removed
    phrased_by: str = "medcode"

    @property
    def citations(self) -> tuple[Citation, ...]:
        seen: dict[tuple[str, str], Citation] = {}
        for fact in self.facts:
            seen.setdefault((fact.citation.label, fact.citation.url), fact.citation)
        return tuple(seen.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "intent": self.intent,
            "date": self.on.isoformat(),
            "answer": self.summary,
            "facts": [f.as_dict() for f in self.facts],
            "codes": [c.as_dict() for c in self.codes],
            "notices": list(self.notices),
            "consult_url": CONSULT_URL if self.offers_consult else None,
            "removed": list(self.removed),
            "phrased_by": self.phrased_by,
            "citations": [c.as_dict() for c in self.citations],
        }


CONSULT_URL = "/consult/"
