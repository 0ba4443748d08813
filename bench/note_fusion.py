"""Note mode re-ranked over cached signals: the word and vector hits of each note's findings
are computed once (as search_note computes them) and kept in a pickle, so weights and the
learned parts can be compared in seconds. The ranking is note_coder.code_note, the same
function the API uses; the answer is cut at the API's default depth.

    DATABASE_URL=sqlite:////path/full.sqlite3 .venv/bin/python bench/note_fusion.py \
        --set /work/shared/eval/codiesp_en_train_dev.jsonl --split dev
    ... --set medcode/search/eval/notes_independent.jsonl            # US notes (whole file)
    ... --set /work/shared/eval/codiesp_en_train_dev.jsonl --split train --folds 5
        # each train fold scored with a learned file built from the other four (no dev)

Prints MAP (learned and zero-shot) and category recall@10 as bench/search_quality.py does.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import pickle
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medcode.settings")

CACHE = Path(os.environ.get("MEDCODE_NOTE_CACHE", "/tmp/medcode_note_signals"))


def signals(text: str) -> tuple[Any, Any]:
    """(meaning, words) per coded finding, as search_note computes them."""
    from medcode.codes.models import CodeSystem
    from medcode.search import facade
    from medcode.search.note_coder import with_phrases
    from medcode.search.notes_findings import coded_findings, find_findings

    key = hashlib.sha1(text.encode()).hexdigest()
    path = CACHE / f"{key}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    dx = facade.make_filters(system=CodeSystem.ICD10CM, billable=True, on=None)
    texts = [with_phrases(f.text) for f in coded_findings(find_findings(text))]
    meaning = facade.note_meaning(texts, dx) if texts else None
    words = facade.note_words(texts, dx, scaled=True) if texts and meaning is not None else None
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps((meaning, words)))
    return meaning, words


def ranked_codes(text: str, weights: Any, learned: Any, valid: set[str], depth: int) -> list[str]:
    from medcode.search import note_search
    from medcode.search.note_coder import code_note

    meaning, words = signals(text)
    original = note_search.load_learned
    note_search.load_learned = lambda: learned  # type: ignore[assignment]
    try:
        evidence, prior, origins = note_search.learned_parts(text, weights)
    finally:
        note_search.load_learned = original  # type: ignore[assignment]
    coded = code_note(
        text,
        weights=weights,
        meaning=meaning,
        words=words,
        learned=evidence,
        prior=prior,
        origins=origins,
    )
    return [e.code for e in coded.ranked if e.score > 0 and e.code in valid][:depth]


def score(notes: list[dict[str, Any]], weights: Any, learned: Any, valid: set[str], depth: int):
    from search_quality import add_note_scores, norm, summarise

    rows: dict[str, dict[str, list[float]]] = {"all": defaultdict(list), "valid": defaultdict(list)}
    per_note = []
    for note in notes:
        ranked = ranked_codes(note["text_en"], weights, learned, valid, depth)
        gold = {norm(c) for c in note["dx_codes"]}
        add_note_scores(rows, [norm(c) for c in ranked], gold, valid)
        per_note.append(rows["all"]["map"][-1] if gold else 0.0)
    return summarise(rows["all"]), per_note


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", type=Path, required=True)
    parser.add_argument("--split", default=None)
    parser.add_argument("--folds", type=int, default=0)
    parser.add_argument("--depth", type=int, default=None)
    parser.add_argument("--weights", default="", help="Weights overrides, JSON")
    parser.add_argument("--per-note", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from medcode.search.learned import from_content, learn_rows, load_learned
    from medcode.search.models import Document
    from medcode.search.note_coder import ZERO_SHOT
    from medcode.search.note_search import DEFAULT_WEIGHTS, NOTE_DEFAULT_LIMIT

    depth = args.depth or NOTE_DEFAULT_LIMIT
    valid = set(
        Document.objects.current()
        .filter(system="ICD10CM", is_billable=True)
        .values_list("code", flat=True)
    )
    notes = [json.loads(line) for line in args.set.open() if line.strip()]
    if args.split:
        notes = [n for n in notes if n.get("split") == args.split]
    learned_weights = dataclasses.replace(DEFAULT_WEIGHTS, **json.loads(args.weights or "{}"))
    out: dict[str, Any] = {"set": str(args.set), "split": args.split, "notes": len(notes)}
    if args.folds:
        learned_rows: list[float] = []
        zero_rows: list[float] = []
        for fold in range(args.folds):
            held = [n for i, n in enumerate(notes) if i % args.folds == fold]
            rest = [n for i, n in enumerate(notes) if i % args.folds != fold]
            learned = from_content(learn_rows(rest))
            _, per = score(held, learned_weights, learned, valid, depth)
            learned_rows += per
            _, per = score(held, ZERO_SHOT, None, valid, depth)
            zero_rows += per
        out["learned_map"] = round(statistics.mean(learned_rows), 4)
        out["zero_shot_map"] = round(statistics.mean(zero_rows), 4)
    else:
        learned = load_learned()
        summary, per_l = score(notes, learned_weights, learned, valid, depth)
        out["learned"] = {k: summary[k] for k in ("map", "r@10_cat", "r@10")}
        summary, per_z = score(notes, ZERO_SHOT, None, valid, depth)
        out["zero_shot"] = {k: summary[k] for k in ("map", "r@10_cat", "r@10")}
        if args.per_note:
            out["per_note"] = [
                (n.get("id"), round(a, 3), round(b, 3))
                for n, a, b in zip(notes, per_l, per_z, strict=True)
            ]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
