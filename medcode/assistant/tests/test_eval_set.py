"""The evaluation set in the repository: large enough, every intent, every question gradable."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from medcode.assistant.intent import understand

REPO = Path(__file__).resolve().parents[3]
QUESTIONS = REPO / "medcode" / "assistant" / "eval" / "questions.yaml"
EXPECTATIONS = ("expect_codes", "expect_any_code", "forbid_codes", "expect_facts", "expect_regex")
# The kinds of question issue 6 names; each must be in the set.
INTENTS = {
    "code_lookup", "ptp_pair", "global_period", "mue", "find_code", "excludes", "modifier",
    "em_guidelines", "coverage", "place_of_service", "seventh_character", "severity", "payment",
    "off_topic", "addon", "indicator", "icd_notes", "claim_check", "knowledge",
}  # fmt: skip


def load() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(QUESTIONS.read_text())
    return document


def test_the_set_has_at_least_150_questions_with_unique_ids_across_every_intent() -> None:
    questions = load()["questions"]

    assert len(questions) >= 150
    assert len({q["id"] for q in questions}) == len(questions)
    assert set(Counter(q["intent"] for q in questions)) >= INTENTS


def test_every_question_has_a_gold_answer_and_says_where_it_came_from() -> None:
    for item in load()["questions"]:
        assert any(item.get(key) for key in EXPECTATIONS), item["id"]
        assert item["gold"] == "curated" or item["gold"].startswith("data: "), item["id"]


def test_the_set_holds_bad_input_invalid_codes_and_prompt_injection() -> None:
    questions = load()["questions"]
    ids = [q["id"] for q in questions]

    assert sum(i.startswith("invalid-") for i in ids) >= 10
    assert sum(i.startswith("injection-") for i in ids) >= 5
    assert sum(i.startswith("offtopic-") for i in ids) >= 5
    for item in questions:
        if item["id"].startswith("injection-"):
            assert understand(item["question"]).is_injection, item["question"]
