"""CLI verb for CasePilot: `medcode ask "QUESTION" [--date YYYY-MM-DD] [--json]`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

EXIT_ANSWERED, EXIT_UNSURE, EXIT_INVALID = 0, 1, 2


def register(subparsers: Any) -> None:
    ask = subparsers.add_parser(
        "ask",
        help="ask CasePilot a coding question",
        description="Answer a coding question from the loaded data, with citations. Exit "
        "status: 0 answered, 1 the data did not settle it, 2 the question was not valid.",
    )
    ask.add_argument("question", help="the question, in quotes")
    ask.add_argument("--date", type=dt.date.fromisoformat, help="date of service (YYYY-MM-DD)")
    ask.add_argument("--setting", choices=("office", "facility"), help="place of service kind")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.set_defaults(handler=cmd_ask)


def cmd_ask(args: argparse.Namespace) -> int:
    from medcode.assistant.answer import QuestionError, answer_question, validate_question

    try:
        question = validate_question(args.question)
    except QuestionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    answer = answer_question(question, on=args.date, setting=args.setting)
    if args.json:
        print(json.dumps(answer.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(answer.summary)
        for number, fact in enumerate(answer.facts, 1):
            citation = fact.citation
            print(f"  [{number}] {fact.text}")
            print(f"      {citation.label} <{citation.url}> {citation.release}")
        for notice in answer.notices:
            print(f"  note: {notice}")
    return EXIT_UNSURE if answer.offers_consult else EXIT_ANSWERED
