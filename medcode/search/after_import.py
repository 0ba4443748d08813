"""Making meaning-aware search ready after an import, with no operator step.

`medcode data import` calls `embed_new_texts` once the word index is rebuilt: new texts are
embedded in the foreground with a progress bar (cached by text, so a re-import embeds only
what changed). `medcode up` calls `embed_in_background`: the server starts at once and
search ranks by words until the vectors are in (the vector index reloads by itself).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

MODEL_MISSING = "meaning-aware search is off: {error}"
BACKGROUND = "embedding texts for meaning-aware search in the background (log: {log})"


@contextmanager
def embedding_progress(
    console: Console, label: str, *, remaining: bool = False
) -> Iterator[Callable[[int, int], None]]:
    """A progress bar for embedding (off when the console is not a terminal); yields the
    `progress` callback that build_vectors calls with (done, total)."""
    columns: list[ProgressColumn] = [
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ]
    if remaining:
        columns.append(TimeRemainingColumn())
    with Progress(*columns, console=console, disable=not console.is_terminal) as progress:
        task = progress.add_task("embed", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield advance


def embed_new_texts(console: Console) -> None:
    """Embed what the last import added (foreground, with progress)."""
    from medcode.search.embeddings import EmbeddingModelMissing
    from medcode.search.vectors import build_vectors

    with embedding_progress(console, "embedding texts for meaning-aware search") as advance:
        try:
            report = build_vectors(progress=advance)
        except EmbeddingModelMissing as exc:
            console.print(MODEL_MISSING.format(error=exc))
            return
    console.print(
        f"meaning-aware search ready: {report.embedded:,} texts embedded"
        f" ({report.texts_per_second}/s), {report.cached:,} already cached, {report.seconds} s"
    )


def embed_in_background(console: Console) -> subprocess.Popen[bytes]:
    """Start `medcode search build` as a child process writing to var/search-build.log."""
    log = Path(settings.VAR_DIR) / "search-build.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    console.print(BACKGROUND.format(log=log))
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "medcode.cli", "search", "build"],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
