"""Search quality on the loaded releases: our query set and the CodiEsp notes. Prints JSON.

    DATABASE_URL=sqlite:////path/full.sqlite3 .venv/bin/python bench/search_quality.py
    ... --notes-only --split dev            # case mode on the dev notes (MAP, recall@k)
    ... --queries-only --grid               # search box: fusion parameters side by side
    ... --lexical-only                      # as if vectors were not built
    ... --lay-only                          # lay queries (search_lay_dev.jsonl), shared scorer
    ... --lay-only --lay medcode/search/eval/lay_independent2.jsonl   # another lay set
    MEDCODE_EVAL=medcode/search/eval/notes_independent.jsonl ... --notes-only   # US notes

Lay queries go through facade.search at the API's defaults (every code set, limit 20); the
ranked codes are written to --lay-pred and scored by the scorer beside the lay file
(score.py search), which prints top-1/3/10, exact code and category, per system.

Notes are scored as /work/shared/eval/README.md says: codes normalised (upper case, no
dots), AP per note over the ranked codes, MAP the mean; recall@5/10/20 exact and at the
3-character category; on all gold codes and on gold codes billable in the loaded release.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medcode.settings")

QUERIES = REPO / "tests" / "search_queries.yaml"
EVAL = Path(os.environ.get("MEDCODE_EVAL", "/work/shared/eval/codiesp_en_train_dev.jsonl"))
KS = (1, 3, 10)
LAY = Path(os.environ.get("MEDCODE_LAY_EVAL", "/work/shared/eval/search_lay_dev.jsonl"))
API_LIMIT = 20  # the search API's default depth


def norm(code: str) -> str:
    return code.upper().replace(".", "").replace(" ", "").rstrip("-")


# ---------------------------------------------------------------- the query set


def is_hit(code: str, item: dict[str, Any]) -> bool:
    return code in item.get("expect", []) or any(
        code.startswith(p) for p in item.get("expect_prefix", [])
    )


def score_queries(items: list[dict[str, Any]]) -> dict[str, Any]:
    from medcode.search.facade import search

    per_kind: dict[str, list[dict[str, float]]] = defaultdict(list)
    misses = []
    for item in items:
        found = search(item["q"], limit=10)
        codes = [r.code for r in found.results]
        rank = next((i for i, c in enumerate(codes, start=1) if is_hit(c, item)), None)
        row = {f"hit@{k}": float(rank is not None and rank <= k) for k in KS}
        row["mrr"] = 1.0 / rank if rank else 0.0
        per_kind[item["kind"]].append(row)
        per_kind["all"].append(row)
        if rank is None or rank > 3:
            misses.append({"q": item["q"], "rank": rank, "top3": codes[:3]})
    summary = {
        kind: {key: round(statistics.mean(r[key] for r in rows), 3) for key in rows[0]}
        | {"n": len(rows)}
        for kind, rows in per_kind.items()
    }
    return {"by_kind": summary, "misses_top3": misses}


def check_expectations(items: list[dict[str, Any]]) -> list[str]:
    """Expected codes that no loaded document has (a typo in the query set, or a gap)."""
    from medcode.search.models import Document

    problems = []
    for item in items:
        for code in item.get("expect", []):
            if not Document.objects.filter(code=code).exists():
                problems.append(f"{item['q']!r}: {code} is not loaded")
        for prefix in item.get("expect_prefix", []):
            if not Document.objects.filter(code__startswith=prefix).exists():
                problems.append(f"{item['q']!r}: nothing starts with {prefix}")
    return problems


def fusion_grid(items: list[dict[str, Any]]) -> dict[str, Any]:
    from medcode.search import facade
    from medcode.search.hybrid import Fusion

    original = facade.WORD_FUSION
    results = {}
    try:
        for k in (5, 20, 60):
            for semantic in (0.0, 0.4, 0.7, 1.0, 1.5):
                facade.WORD_FUSION = Fusion(k=k, lexical=1.0, semantic=semantic, depth=100)
                scored = score_queries(items)["by_kind"]
                results[f"k={k} semantic={semantic}"] = {
                    kind: {"mrr": v["mrr"], "hit@3": v["hit@3"]} for kind, v in scored.items()
                }
    finally:
        facade.WORD_FUSION = original
    return results


# ---------------------------------------------------------------- lay queries


def score_lay(path: Path, pred: Path) -> dict[str, Any]:
    """Rank every lay query as the API does, then score with the shared scorer."""
    import subprocess

    from medcode.search.facade import search

    items = [json.loads(line) for line in path.open() if line.strip()]
    seconds = []
    misses = []
    with pred.open("w") as out:
        for item in items:
            started = time.perf_counter()
            found = search(item["query"], limit=API_LIMIT)
            seconds.append(time.perf_counter() - started)
            ranked = [r.display for r in found.results]
            out.write(json.dumps({"id": item["id"], "ranked": ranked}) + "\n")
            gold = {norm(c) for c in item["gold_codes"]}
            top3 = [norm(c) for c in ranked[:3]]
            if not gold & set(top3):
                rank = next((i for i, c in enumerate(ranked, 1) if norm(c) in gold), None)
                misses.append(
                    {
                        "q": item["query"],
                        "gold": item["gold_codes"][:3],
                        "rank": rank,
                        "top3": ranked[:3],
                    }
                )
    scorer = path.parent / "score.py"
    if not scorer.exists():  # a set kept elsewhere is scored by the shared scorer
        scorer = LAY.parent / "score.py"
    run = subprocess.run(
        [sys.executable, str(scorer), "search", "--pred", str(pred), "--gold", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return {
        "file": str(path),
        "queries": len(items),
        "scores": json.loads(run.stdout),
        "ms_p50": round(statistics.median(seconds) * 1000, 1) if seconds else None,
        "misses_top3": misses,
    }


# ---------------------------------------------------------------- notes (CodiEsp)


def average_precision(ranked: Sequence[str], gold: set[str]) -> float:
    hits, total = 0, 0.0
    for r, code in enumerate(ranked, start=1):
        if code in gold:
            hits += 1
            total += hits / r
    return total / len(gold) if gold else 0.0


def recall_at(ranked: Sequence[str], gold: set[str], k: int) -> float:
    return len(gold & set(ranked[:k])) / len(gold) if gold else 0.0


def score_notes(split: str, limit: int, depth: int | None) -> dict[str, Any]:
    """Each note ranked as the API ranks it (depth: the API's default unless given), with
    the learned parts (the default) and zero-shot (no learned prior or associations)."""
    from medcode.search.models import Document
    from medcode.search.note_coder import ZERO_SHOT
    from medcode.search.note_search import DEFAULT_WEIGHTS, NOTE_DEFAULT_LIMIT, search_note

    valid = set(
        Document.objects.current()
        .filter(system="ICD10CM", is_billable=True)
        .values_list("code", flat=True)
    )
    notes = [json.loads(line) for line in EVAL.open()]
    # A set without splits (medcode/search/eval/notes_independent.jsonl) is scored whole.
    notes = [n for n in notes if split in (n.get("split", split), "all")][: limit or None]
    variants = {"learned": DEFAULT_WEIGHTS, "zero_shot": ZERO_SHOT}
    rows = {v: {"all": defaultdict(list), "valid": defaultdict(list)} for v in variants}
    seconds: list[float] = []
    cpu: list[float] = []  # this process's CPU time: load on a shared machine inflates wall time
    semantic = 0
    for note in notes:
        gold_all = {norm(c) for c in note["dx_codes"]}
        for variant, weights in variants.items():
            started, cpu_started = time.perf_counter(), time.process_time()
            found = search_note(note["text_en"], limit=depth or NOTE_DEFAULT_LIMIT, weights=weights)
            if variant == "learned":
                seconds.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
                semantic += found.is_semantic
            ranked = [s.code for s in found.suggestions]
            add_note_scores(rows[variant], ranked, gold_all, valid)
    out: dict[str, Any] = {
        variant: {subset: summarise(row) for subset, row in rows[variant].items()}
        for variant in variants
    }
    out["depth"] = depth or NOTE_DEFAULT_LIMIT
    out["notes"] = len(notes)
    out["semantic_notes"] = semantic
    out["seconds_per_note"] = {
        "p50": round(statistics.median(seconds), 3) if seconds else None,
        "max": round(max(seconds), 3) if seconds else None,
        "cpu_p50": round(statistics.median(cpu), 3) if cpu else None,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    return out


def add_note_scores(
    rows: dict[str, dict[str, list[float]]], ranked: list[str], gold_all: set[str], valid: set[str]
) -> None:
    categories = list(dict.fromkeys(c[:3] for c in ranked))
    for subset, gold in (("all", gold_all), ("valid", gold_all & valid)):
        if not gold:
            continue
        cat_gold = {c[:3] for c in gold}
        row = rows[subset]
        row["map"].append(average_precision(ranked, gold))
        row["map_cat"].append(average_precision(categories, cat_gold))
        for k in (5, 10, 20):
            row[f"r@{k}"].append(recall_at(ranked, gold, k))
            row[f"r@{k}_cat"].append(recall_at(categories, cat_gold, k))


def summarise(row: dict[str, list[float]]) -> dict[str, float]:
    return {key: round(statistics.mean(v), 4) for key, v in row.items()} | {"docs": len(row["map"])}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--queries-only", action="store_true")
    parser.add_argument("--notes-only", action="store_true")
    parser.add_argument("--lay", type=Path, default=LAY, help="lay query set (JSON lines)")
    parser.add_argument("--lay-pred", type=Path, default=Path("/tmp/lay_ranked.jsonl"))
    parser.add_argument("--lay-only", action="store_true", help="only the lay query set")
    parser.add_argument("--split", default="dev", choices=["dev", "train", "all"])
    parser.add_argument("--limit", type=int, default=0, help="first N notes only")
    parser.add_argument(
        "--depth", type=int, default=None, help="suggestions per note (default: the API's)"
    )
    parser.add_argument("--grid", action="store_true", help="search-box fusion grid")
    parser.add_argument("--lexical-only", action="store_true", help="ignore built vectors")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from medcode.search import hybrid, vectors

    if args.lexical_only:
        vectors.get_vector_index = lambda: None  # type: ignore[assignment]
    index = vectors.get_vector_index()
    report: dict[str, Any] = {
        "database": os.environ.get("DATABASE_URL", "default"),
        "vectors": None if index is None else {"rows": index.size, "cells": len(index.centroids)},
        "word_fusion": vars(hybrid.WORD_FUSION)
        if hasattr(hybrid.WORD_FUSION, "__dict__")
        else str(hybrid.WORD_FUSION),
        "note_scoring": str(hybrid.NOTE_SCORING),
    }
    if not args.notes_only and args.lay.exists():
        report["lay"] = score_lay(args.lay, args.lay_pred)
    if args.lay_only:
        print(json.dumps(report, indent=1, default=str))
        return
    if not args.notes_only:
        items = yaml.safe_load(args.queries.read_text())
        report["query_set"] = {"file": str(args.queries), "queries": len(items)}
        report["query_set"]["problems"] = check_expectations(items)
        report["query_set"] |= score_queries(items)
        if args.grid:
            report["fusion_grid"] = fusion_grid(items)
    if not args.queries_only:
        report["codiesp"] = {"split": args.split}
        report["codiesp"] |= score_notes(args.split, args.limit, args.depth)
    print(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()
