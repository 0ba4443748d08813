"""CasePilot's curated knowledge base: short entries written by us, each naming its sources.

One Markdown file per entry in this folder, with YAML front matter::

    ---
    title: Modifier 59 or XE, XS, XP, XU
    topics: [modifier, ptp_pair]          # intents the entry answers
    keywords: ["59", "XS", "distinct"]     # words and codes that point to it
    summary: >                             # the short answer, in our words
      ...
    sources:                               # public documents, by name (url when stable)
      - name: "Medicare NCCI Policy Manual, Chapter 1"
        url: https://www.cms.gov/...
    reviewed: 2026-11-23
    ---
    - One supporting fact per bullet.

The text is our own summary of public CMS and CDC guidance; no AMA or ADA text.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent
REQUIRED = ("title", "topics", "keywords", "summary", "sources", "reviewed")
BAD_ENTRY = "{path}: {problem}"


class KnowledgeError(ValueError):
    pass


@dataclass(frozen=True)
class Source:
    name: str
    url: str = ""


@dataclass(frozen=True)
class Entry:
    slug: str
    title: str
    topics: tuple[str, ...]
    keywords: tuple[str, ...]
    summary: str
    sources: tuple[Source, ...]
    reviewed: dt.date
    points: tuple[str, ...]

    @property
    def citation(self) -> str:
        names = "; ".join(s.name for s in self.sources)
        return f"medcode knowledge base, reviewed {self.reviewed.isoformat()} (sources: {names})"


def parse_entry(path: Path) -> Entry:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.DOTALL)
    if not match:
        raise KnowledgeError(BAD_ENTRY.format(path=path.name, problem="no front matter"))
    meta = yaml.safe_load(match.group(1)) or {}
    missing = [f for f in REQUIRED if not meta.get(f)]
    if missing:
        problem = f"missing {', '.join(missing)}"
        raise KnowledgeError(BAD_ENTRY.format(path=path.name, problem=problem))
    sources = []
    for item in meta["sources"]:
        if not isinstance(item, dict) or not item.get("name"):
            problem = "each source needs a name"
            raise KnowledgeError(BAD_ENTRY.format(path=path.name, problem=problem))
        sources.append(Source(str(item["name"]), str(item.get("url") or "")))
    points = tuple(
        " ".join(p.split()) for p in re.split(r"\n- ", "\n" + match.group(2).strip()) if p.strip()
    )
    reviewed = meta["reviewed"]
    if not isinstance(reviewed, dt.date):
        problem = "reviewed must be a date (YYYY-MM-DD)"
        raise KnowledgeError(BAD_ENTRY.format(path=path.name, problem=problem))
    return Entry(
        slug=path.stem,
        title=str(meta["title"]),
        topics=tuple(str(t) for t in meta["topics"]),
        keywords=tuple(str(k).lower() for k in meta["keywords"]),
        summary=" ".join(str(meta["summary"]).split()),
        sources=tuple(sources),
        reviewed=reviewed,
        points=tuple(p.lstrip("- ").strip() for p in points),
    )


@functools.cache
def entries() -> tuple[Entry, ...]:
    return tuple(parse_entry(p) for p in sorted(ROOT.glob("*.md")))


def entry(slug: str) -> Entry | None:
    return next((e for e in entries() if e.slug == slug), None)


def find_entries(text: str, *, topic: str | None = None, limit: int = 2) -> list[Entry]:
    """Entries whose keywords the text names, best first; entries of `topic` break ties."""
    lowered = f" {text.lower()} "
    scored: list[tuple[float, str, Entry]] = []
    for item in entries():
        score = 0.0
        for keyword in item.keywords:
            if re.search(rf"(?<![\w]){re.escape(keyword)}(?![\w])", lowered):
                score += 1.0 + len(keyword) / 20
        if topic is not None and topic in item.topics:
            score += 0.5 if score else 0.25
        if score > 0:
            scored.append((score, item.slug, item))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [item for _, _, item in scored[:limit]]


def by_topic(topic: str) -> Sequence[Entry]:
    return [e for e in entries() if topic in e.topics]
