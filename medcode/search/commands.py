"""CLI verbs for search: `medcode search build`, `medcode search query Q`, `medcode search status`.

They parse arguments, show progress and delegate to index.py, vectors.py and facade.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console(stderr=True)


def register(subparsers: Any) -> None:
    search = subparsers.add_parser("search", help="build the search index and query it")
    verbs = search.add_subparsers(dest="search_command", required=True, metavar="VERB")

    build = verbs.add_parser(
        "build", help="rebuild the word index, then embed new texts (resumable)"
    )
    build.add_argument(
        "--force", action="store_true", help="rebuild the word index even if current"
    )
    build.add_argument("--lexical-only", action="store_true", help="skip the embeddings step")
    build.add_argument("--limit", type=int, help="embed at most this many new texts in this run")
    build.add_argument("--recluster", action="store_true", help="choose new vector cells")
    build.set_defaults(handler=cmd_build)

    query = verbs.add_parser("query", help="search from the command line")
    query.add_argument("q", nargs="?", default="", help="a code, a range or words")
    query.add_argument("--system", help="code set: icd10cm, icd10pcs, hcpcs, modifier, cpt")
    query.add_argument("--billable", action="store_true", help="billable codes only")
    query.add_argument("--date", type=dt.date.fromisoformat, help="codes in force on this date")
    query.add_argument("--limit", type=int, default=10)
    query.add_argument("--note", type=Path, help="a case note file ('-' for stdin): case mode")
    query.add_argument("--json", action="store_true", help="print JSON")
    query.set_defaults(handler=cmd_query)

    learn = verbs.add_parser(
        "learn", help="rebuild note mode's learned file from coder-labelled notes (JSON lines)"
    )
    learn.add_argument("--from", dest="source", type=Path, required=True, help="labelled notes")
    learn.add_argument("--split", default="train", help="learn from the rows of this split")
    learn.add_argument("--out", type=Path, help="where to write (default: the shipped file)")
    learn.set_defaults(handler=cmd_learn)

    status = verbs.add_parser("status", help="what the index and the vectors hold")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(handler=cmd_status)


def cmd_build(args: argparse.Namespace) -> int:
    from medcode.search.after_import import embedding_progress
    from medcode.search.embeddings import EmbeddingModelMissing
    from medcode.search.index import rebuild_index
    from medcode.search.vectors import build_vectors

    with console.status("building the word index"):
        report = rebuild_index(force=args.force, progress=lambda m: console.log(m))
    console.print(
        f"word index {report.status}: {report.documents:,} documents"
        + (f", {report.entries:,} texts, {report.seconds} s" if report.status == "built" else "")
    )
    if args.lexical_only:
        return 0
    with embedding_progress(console, "embedding new texts", remaining=True) as advance:
        try:
            vectors = build_vectors(limit=args.limit, recluster=args.recluster, progress=advance)
        except EmbeddingModelMissing as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    console.print(
        f"vectors: {vectors.embedded:,} embedded ({vectors.texts_per_second}/s),"
        f" {vectors.cached:,} already cached, {vectors.cells} cells, {vectors.seconds} s"
        f" ({vectors.model})"
    )
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from medcode.search.facade import SearchInputError, search, search_note

    try:
        if args.note:
            text = sys.stdin.read() if str(args.note) == "-" else args.note.read_text()
            found: Any = search_note(
                text, system=args.system or "icd10cm", on=args.date, limit=args.limit
            )
        else:
            found = search(
                args.q,
                system=args.system,
                billable=True if args.billable else None,
                on=args.date,
                limit=args.limit,
            )
    except (SearchInputError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(asdict(found), indent=2, default=str))
        return 0
    for line in [found.message, *found.notices]:
        if line:
            console.print(line)
    table = Table(show_header=True)
    for column in ("code", "set", "title", "match", "score"):
        table.add_column(column)
    for r in found.results:
        title = r.title if not hasattr(r, "evidence") else f"{r.title}\n  ← {r.evidence.text}"
        table.add_row(r.display, r.system_label, title, r.match, f"{r.score:.3f}")
    Console(width=max(Console().width, 120)).print(table)
    return 0


def cmd_learn(args: argparse.Namespace) -> int:
    from medcode.search.learned import LEARNED_FILE, LearnedFileError, learn, write_learned

    try:
        content = learn(args.source, split=args.split)
    except LearnedFileError as exc:
        console.print(f"[red]{exc}[/red]")
        return 1
    target = args.out or LEARNED_FILE
    write_learned(content, target)
    console.print(
        f"learned from {content['notes']} notes: {len(content['prior'])} codes,"
        f" {len(content['features'])} word features, {content['sentences']} sentences with"
        f" {len(content['sentence_features'])} sentence features -> {target}"
    )
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from medcode.search.models import Document, IndexState
    from medcode.search.vectors import vector_status

    lexical = IndexState.objects.filter(name="lexical").first()
    status = {
        "documents": Document.objects.count(),
        "built_at": lexical.built_at.isoformat() if lexical and lexical.built_at else None,
        "vectors": vector_status(),
    }
    if args.json:
        print(json.dumps(status, indent=2))
    else:
        for key, value in status.items():
            console.print(f"{key}: {value}")
    return 0
