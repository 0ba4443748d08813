"""CLI verbs for the code store: data import/status/sync/diff (`up` and `serve` are in
medcode.ops.commands)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console(stderr=True)


def report_error(message: object) -> None:
    """Errors go to stderr unwrapped and unstyled, so paths and line numbers stay intact."""
    print(f"error: {message}", file=sys.stderr, flush=True)


def register(subparsers: Any) -> None:
    data = subparsers.add_parser("data", help="import and inspect release files")
    verbs = data.add_subparsers(dest="data_command", required=True, metavar="VERB")
    imp = verbs.add_parser("import", help="import release files or folders")
    imp.add_argument("paths", nargs="+", type=Path)
    imp.add_argument(
        "--licensed-cpt", action="store_true", help="the files are licensed CPT descriptors"
    )
    imp.set_defaults(handler=cmd_import)
    status = verbs.add_parser("status", help="list loaded releases")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(handler=cmd_status)
    sync = verbs.add_parser("sync", help="download the current official releases and import them")
    sync.add_argument("--catalog", help="a catalog file (JSON) to use instead of the built-in one")
    sync.add_argument(
        "--dest", type=Path, help="where to keep downloads (default MEDCODE_DATA_DIR)"
    )
    sync.add_argument("--no-import", action="store_true", help="download only")
    sync.add_argument(
        "--dry-run",
        action="store_true",
        help="find each entry's newest release and print what would be fetched; download nothing",
    )
    sync.add_argument(
        "--today",
        type=_iso_date,
        help="count periods from this date (YYYY-MM-DD) instead of today",
    )
    sync.set_defaults(handler=cmd_sync)
    from medcode.changes.commands import register_diff

    register_diff(verbs)


def _iso_date(text: str) -> Any:
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def cmd_import(args: argparse.Namespace) -> int:
    if args.licensed_cpt:
        from medcode.codes.importers.cpt_licensed import LICENSED_DATASET

        return run_imports(args.paths, dataset=LICENSED_DATASET)
    return run_imports(args.paths)


def run_imports(
    paths: list[Path], *, dataset: Any = None, embed_in_background: bool = False
) -> int:
    """Import files and folders with a progress bar; print a summary; non-zero on any error.

    One import run: a file's companions may be found in another of the paths (base.import_run).
    """
    from medcode.codes.importers.base import import_run

    with import_run(paths):
        return _import_paths(paths, dataset=dataset, embed_in_background=embed_in_background)


def _import_paths(paths: list[Path], *, dataset: Any, embed_in_background: bool) -> int:
    from django.db import DatabaseError

    from medcode.codes.import_errors import write_error_message
    from medcode.codes.services import ImportResult, import_file, plan_imports
    from medcode.lib.errors import DataFileError

    try:
        planned = [(p, dataset) for p in paths] if dataset else plan_imports(paths)
    except DataFileError as exc:
        report_error(exc)
        return 2
    if not _migrated():
        return 1
    results: list[ImportResult] = []
    failed = 0
    started = time.monotonic()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
        disable=not console.is_terminal,
    ) as progress:
        for path, ds in planned:
            task = progress.add_task(path.name, total=None)

            def advance(n: int, task: Any = task) -> None:
                progress.advance(task, n)

            try:
                result = import_file(path, dataset=ds, progress=advance)
            except DataFileError as exc:
                failed += 1
                progress.update(task, description=f"[red]{path.name} failed[/red]")
                report_error(exc)
                continue
            except (DatabaseError, OSError) as exc:
                # Disk full, file too large, I/O error: the import's transaction is rolled
                # back, so what was loaded before stays as it was. Later files would fail too.
                progress.update(task, description=f"[red]{path.name} failed[/red]")
                report_error(write_error_message(path.name, exc))
                return 1
            progress.update(
                task, description=f"{path.name} ({result.status})", total=1, completed=1
            )
            results.append(result)
    _print_summary(results, time.monotonic() - started)
    if any(r.status != "unchanged" for r in results):
        from medcode.codes.services import analyze

        analyze()
        _rebuild_word_index(embed_in_background=embed_in_background)
    return 1 if failed else 0


def _migrated() -> bool:
    """Migrate a database that lacks medcode's tables (or newer ones) before importing."""
    from django.core.management import call_command
    from django.db import DatabaseError

    from medcode.codes import import_errors

    try:
        pending = import_errors.pending_migrations()
    except DatabaseError as exc:
        report_error(import_errors.UNREACHABLE.format(error=str(exc).strip()))
        return False
    if pending:
        console.print(import_errors.MIGRATING.format(count=pending))
        try:
            call_command("migrate", interactive=False, verbosity=0)
        except DatabaseError as exc:
            report_error(import_errors.MIGRATE_FAILED.format(error=str(exc).strip()))
            return False
    return True


EMBED_LATER = (
    "new texts not embedded for meaning-aware search (MEDCODE_SEARCH_EMBED_ON_IMPORT=off): "
    "search ranks by words until `medcode search build` embeds them"
)


def _rebuild_word_index(*, embed_in_background: bool = False) -> None:
    """Bring the search word index up to date with what was just imported, then embed the new
    texts for meaning-aware search (`medcode up`: in the background, words meanwhile)."""
    from django.conf import settings

    from medcode.search import after_import
    from medcode.search.index import rebuild_index

    with console.status("updating the search word index"):
        report = rebuild_index()
    console.print(f"search word index {report.status}: {report.documents:,} documents")
    if embed_in_background:
        after_import.embed_in_background(console)
    elif settings.MEDCODE_SEARCH_EMBED_ON_IMPORT:
        after_import.embed_new_texts(console)
    else:
        console.print(EMBED_LATER)


def _print_summary(results: list[Any], seconds: float) -> None:
    table = Table(title=f"Import summary ({seconds:.1f} s)")
    for column in ("file", "dataset", "release", "status", "rows", "current"):
        table.add_column(column)
    for r in results:
        rows = ", ".join(f"{k} {v:,}" for k, v in r.row_counts.items())
        table.add_row(
            r.path.name, r.dataset, r.version_label, r.status, rows, "yes" if r.is_current else "no"
        )
        if r.message:
            console.print(f"{r.path.name}: {r.message}")
    Console(width=max(Console().width, 140)).print(table)


def cmd_status(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from medcode.codes import staleness
    from medcode.codes.queries import release_status

    status = release_status()
    datasets = staleness.status(timezone.localdate())
    if args.json:
        status["datasets"] = [d.as_dict() for d in datasets]
        print(json.dumps(status, indent=2, default=str))
        return 0
    table = Table(title="Loaded releases")
    for column in ("dataset", "release", "effective", "rows", "current", "file"):
        table.add_column(column)
    for item in status["releases"]:
        effective = f"{item['effective_from']} .. {item['effective_to'] or ''}"
        rows = ", ".join(f"{k} {v:,}" for k, v in item["row_counts"].items())
        table.add_row(
            item["dataset"],
            item["version_label"],
            effective,
            rows,
            "yes" if item["is_current"] else "no",
            item["source_file"],
        )
    Console(width=max(Console().width, 140)).print(table)
    Console(width=max(Console().width, 140)).print(_lag_table(datasets))
    return 0


def _lag_table(datasets: list[Any]) -> Table:
    """Each dataset's newest loaded release and how far it ends before today."""
    table = Table(title="Newest release of each dataset")
    for column in ("dataset", "newest", "effective", "behind today"):
        table.add_column(column)
    for d in datasets:
        if d.newest is None:
            table.add_row(d.label, "none loaded", "", "")
            continue
        behind = "covers today"
        if d.is_stale:
            unit = d.period.replace("_", " ") + ("s" if d.periods_behind != 1 else "")
            behind = f"{d.days_behind:,} days ({d.periods_behind} {unit} begun since)"
        effective = f"{d.effective_from.isoformat()} .. {d.effective_to.isoformat()}"
        table.add_row(d.label, d.newest, effective, behind)
    return table


def cmd_sync(args: argparse.Namespace) -> int:
    """Each entry on its own: one that fails keeps nothing and imports nothing; the others
    go ahead, and the exit status is 1."""
    import datetime as dt

    from django.conf import settings

    from medcode.codes.sync import SyncError, fetch_release, find_release, load_catalog

    today = args.today or dt.date.today()
    try:
        catalog = load_catalog(args.catalog)
    except SyncError as exc:
        report_error(exc)
        return 2
    dest = args.dest or (Path(settings.MEDCODE_DATA_DIR) if settings.MEDCODE_DATA_DIR else None)
    if dest is None and not args.dry_run:
        report_error("set MEDCODE_DATA_DIR or pass --dest")
        return 2
    failed = 0
    downloaded: list[Path] = []
    for entry in catalog:
        try:
            found = find_release(entry, today, log=console.print)
            if args.dry_run:
                release = f" {found.label}" if found.label else ""
                print(f"{entry.name}{release}: would fetch {' '.join(found.urls)}", flush=True)
                continue
            assert dest is not None
            dest.mkdir(parents=True, exist_ok=True)
            downloaded.extend(fetch_release(found, dest, log=console.print))
        except SyncError as exc:
            failed += 1
            report_error(exc)
    if not args.dry_run and downloaded and not args.no_import:
        failed += 1 if run_imports(downloaded) else 0
    return 1 if failed else 0
