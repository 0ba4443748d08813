"""CasePilot latency: time to a complete answer, without a language model; prints JSON.

    DATABASE_URL=sqlite:////tmp/pilot.sqlite3 .venv/bin/python bench/assistant.py \
        [--questions medcode/assistant/eval/questions.yaml] [--set ../shared/eval/pilot_dev.jsonl]
        [--repeat 1]

Each question of the evaluation set is answered once (or --repeat times) in this process, in
file order, through `answer_question` exactly as the API calls it (understanding, tools, the
guard), and timed from the call to the finished answer. Before timing, a few questions that
are not in the set warm the process up (the release catalog, SQLite's page cache), as a
running server would be. The first, cold answer is reported apart. Targets (issue 6):
p50 under 150 ms, p99 under 600 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_QUESTIONS = ROOT / "medcode" / "assistant" / "eval" / "questions.yaml"
WARM_UP = (
    "What is A00.0?",
    "What is HCPCS A4550?",
    "What does modifier 26 mean?",
    "MUE for 20610?",
    "What is POS 12?",
    # Loads the search's typo vocabulary (a running server does this on its first search).
    "Which ICD-10-CM code for diabetis with neuropathy?",
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument(
        "--set",
        type=Path,
        action="append",
        default=[],
        help="a set in the shared JSONL format (pilot_dev.jsonl); repeat for several. "
        "Its questions are timed after the --questions set's.",
    )
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medcode.settings")
    import django

    django.setup()
    from django.db import connection

    from medcode.assistant.answer import answer_question

    document = yaml.safe_load(args.questions.read_text())
    on = dt.date.fromisoformat(str(document["date"]))
    questions = list(document["questions"])
    for path in args.set:
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        questions += [
            {"id": r["id"], "intent": r["intent"], "question": r["question"]} for r in rows
        ]

    started = time.perf_counter()
    answer_question(WARM_UP[0], today=on, use_llm=False)
    cold_ms = (time.perf_counter() - started) * 1000
    for text in WARM_UP[1:]:
        answer_question(text, today=on, use_llm=False)

    times: list[float] = []
    by_intent: dict[str, list[float]] = defaultdict(list)
    slowest: list[tuple[float, str]] = []
    for _ in range(args.repeat):
        for item in questions:
            started = time.perf_counter()
            answer_question(item["question"], today=on, use_llm=False)
            elapsed = (time.perf_counter() - started) * 1000
            times.append(elapsed)
            by_intent[item["intent"]].append(elapsed)
            slowest.append((elapsed, item["id"]))
    slowest.sort(reverse=True)
    result = {
        "questions": len(questions),
        "answers_timed": len(times),
        "database": connection.vendor,
        "cpu_count": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cold_first_answer_ms": round(cold_ms, 1),
        "p50_ms": round(percentile(times, 0.50), 1),
        "p90_ms": round(percentile(times, 0.90), 1),
        "p99_ms": round(percentile(times, 0.99), 1),
        "max_ms": round(max(times), 1),
        "mean_ms": round(statistics.fmean(times), 1),
        "targets": {"p50_ms": 150, "p99_ms": 600},
        "p50_by_intent_ms": {
            intent: round(percentile(values, 0.5), 1)
            for intent, values in sorted(by_intent.items())
        },
        "slowest": [{"id": qid, "ms": round(ms, 1)} for ms, qid in slowest[:10]],
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
