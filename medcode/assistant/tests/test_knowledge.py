"""The curated knowledge base: well-formed entries, named sources, only real codes."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from medcode.assistant.knowledge import KnowledgeError, entries, find_entries, parse_entry
from medcode.assistant.tests.test_eval_set import REPO


def test_every_entry_has_a_summary_points_and_named_public_sources() -> None:
    found = entries()

    assert len(found) >= 20
    for entry in found:
        assert entry.summary and entry.points, entry.slug
        assert entry.sources and all(s.name for s in entry.sources), entry.slug
        assert all(s.url.startswith(("https://", "/")) for s in entry.sources if s.url), entry.slug
        assert entry.citation.startswith("medcode knowledge base, reviewed ")


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("59 vs XS", "modifier-59-vs-x"),
        ("which modifier for a bilateral procedure", "bilateral-surgery"),
        ("what is a global surgery period", "global-surgery"),
        ("excludes1 or excludes2", "excludes1-excludes2"),
        ("is it covered by an LCD", "coverage-ncd-lcd"),
        ("what is an MUE", "ncci-mue"),
    ],
)
def test_questions_find_the_entry_that_answers_them(question: str, slug: str) -> None:
    assert find_entries(question)[0].slug == slug


def test_an_entry_without_sources_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.md"
    path.write_text(
        "---\ntitle: Broken\ntopics: [x]\nkeywords: [x]\nsummary: s\nreviewed: 2026-11-23\n---\n- a point\n"
    )

    with pytest.raises(KnowledgeError, match=r"broken\.md: missing sources"):
        parse_entry(path)


@pytest.mark.fulldata
def test_every_code_the_knowledge_base_names_is_in_the_shared_data(shared_data_dir: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "assistant_eval", REPO / "bench" / "assistant_eval.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    universe = module.load_universe(shared_data_dir)
    unknown = []
    for entry in entries():
        text = " ".join([entry.title, entry.summary, *entry.points])
        for token in module.TOKEN.findall(text) + re.findall(r"\bmodifiers? ([0-9A-Z]{2})\b", text):
            if token.replace(".", "") not in universe and token not in module.NOT_CODES:
                unknown.append((entry.slug, token))
    assert unknown == []
