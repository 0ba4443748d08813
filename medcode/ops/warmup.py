"""What a web worker loads before its first request, so no reader waits for it.

Measured on a fresh process, the first code page, search and CasePilot answer cost about a
second more than the next ones: editorial articles parsed (~0.45 s for the titles, up to
0.1 s per article rendered), the importer registry (~0.2 s), the semantic search module with
numpy (~0.35 s), medcode's file stamp for HTTP validators, template compilation, the URL
resolver, the release catalog, drgpy's MS-DRG tables for today (~1.4 s, read by every ICD-10
page's MS-DRG panels). `warm_worker` does all of that once per worker at start-up
(gunicorn's post_worker_init); it never raises: a failure only
means the first request does the work instead.

With the application preloaded (`medcode serve`'s default), `warm_master` does it once in
gunicorn's master before the workers are forked (its when_ready hook), note mode's tables
included, and each worker starts with them loaded (shared with the master until written to):
every worker is ready to accept the moment it is forked, as is each one that replaces a
worker later (--max-requests). A worker that warmed itself after the fork joined late: in
bench/load.py the first worker took all 64 connections while the second was still loading,
and kept them (keep-alive), so one worker served everything and the other sat idle.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

TEMPLATES = (
    "codes/detail.html",
    "codes/_body_before_gate.html",
    "codes/_body_from_gate.html",
    "codes/not_found.html",
    "search/search.html",
    "search/_results.html",
)


def warm_worker(*, note_mode: bool = True) -> float:
    """Load the process-wide caches; returns the seconds it took. `note_mode` False leaves out
    the background build of note mode's tables (a benchmark of pages that should not share
    the CPU with it)."""
    seconds = _warm(_STEPS + ((_note_mode,) if note_mode else ()))
    log.info("worker warmed up in %.2f s", seconds)
    return seconds


def warm_master() -> float:
    """`warm_worker` in the process the workers are forked from, note mode's tables built
    in this thread (a thread does not survive a fork), and no database connection left open;
    returns the seconds it took."""
    from django.db import connections

    try:
        seconds = _warm((*_STEPS, _note_tables))
    finally:
        connections.close_all()
    log.info("caches loaded before forking the workers in %.2f s", seconds)
    return seconds


def _warm(steps: tuple[Callable[[], None], ...]) -> float:
    started = time.perf_counter()
    for step in steps:
        try:
            step()
        except Exception as exc:  # a warm-up must never keep a worker from serving
            log.warning("warm-up step %s failed: %s", step.__name__, exc)
    return time.perf_counter() - started


def _files() -> None:
    from medcode.codes.importers.registry import all_datasets
    from medcode.codes.page.reads import _article_titles
    from medcode.content.articles import load_article
    from medcode.content.cpt_titles import reviewed_cpt_titles
    from medcode.ops.conditional import code_stamp

    for system, code in _article_titles():
        load_article(system, code)  # parsed and rendered once per process (lru_cache)
    reviewed_cpt_titles()  # the CPT titles file, read once per process
    all_datasets()
    code_stamp()


def _templates() -> None:
    from django.template.loader import get_template
    from django.urls import resolve, reverse

    for name in TEMPLATES:
        get_template(name)
    reverse("codes:detail", args=["A00"])  # builds the URL resolver's reverse tables
    resolve("/codes/A00/")


def _modules() -> None:
    import medcode.search.vectors  # noqa: F401  (numpy and the vector index code)


def _data() -> None:
    from django.db import connection

    from medcode.codes.catalog import release_catalog
    from medcode.ops import generation

    try:
        release_catalog()
        generation.current()
    finally:
        connection.close()


def _msdrg() -> None:
    import datetime as dt

    from medcode.codes.page.drg import definitions_level

    definitions_level("I5021", dt.date.today())  # loads the version in force (or the latest)


def _note_tables() -> None:
    from medcode.search.note_coder import load_note_tables

    load_note_tables()


def _note_mode() -> None:
    """Note mode's tables take seconds to build: a background thread builds them, so the
    worker serves at once and the first pasted note rarely waits (the first note builds them
    if this fails)."""
    import threading

    def load() -> None:
        from django.db import connection

        try:
            _warm((_note_tables,))
        finally:
            connection.close()

    threading.Thread(target=load, name="note-mode-warm-up", daemon=True).start()


_STEPS = (_files, _templates, _modules, _data, _msdrg)
