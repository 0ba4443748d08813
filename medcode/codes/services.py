"""Writes to the code store: importing a release file, one transaction per release."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from django.db import connection, transaction
from django.db.models import F

from medcode.codes.importers.base import Dataset, LoadContext, ReleaseInfo, import_run
from medcode.codes.importers.registry import detect, is_ignored
from medcode.codes.models import Release
from medcode.lib.datafiles import sha256_of
from medcode.lib.errors import DataFileError
from medcode.ops import generation

logger = logging.getLogger(__name__)

ALREADY_IMPORTED = "already imported as {release} (same sha256); nothing to do"
NO_ROWS = "the file holds no rows"
NOT_A_FILE = "no such file or folder"


@dataclass(frozen=True)
class ImportResult:
    path: Path
    dataset: str
    status: Literal["imported", "replaced", "unchanged"]
    release_id: int
    version_label: str
    row_counts: dict[str, int] = field(default_factory=dict)
    is_current: bool = False
    message: str = ""


def find_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders (recursively) into the data files they hold, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(p for p in sorted(path.rglob("*")) if p.is_file() and not is_ignored(p))
        elif path.is_file():
            files.append(path)
        else:
            raise DataFileError(path, NOT_A_FILE)
    return files


def plan_imports(paths: Iterable[Path]) -> list[tuple[Path, Dataset]]:
    """Detect every file's dataset before anything is written; codes load before the rest.

    Two files of one release (e.g. the official XML and a normalised CSV of the same table
    and year) would replace each other on every run, so only one is kept: files that write a
    release of the same label are copies of one release, and the one that writes more
    releases (an April update read with its addenda also dates the October release) wins,
    then the fuller one (ReleaseInfo.fullness: a PCS order file over the codes file);
    otherwise the first. Files are described knowing all the paths (base.import_run): the
    companions of a file may sit in another of them. Import the planned files in the same
    `import_run(paths)`, so that they are read as planned.
    """
    paths = list(paths)
    planned: dict[Path, tuple[Dataset, tuple[int, int]]] = {}
    owner: dict[tuple[str, str], Path] = {}
    with import_run(paths):
        described = [(path, detect(path)) for path in find_files(paths)]
        infos = [dataset.describe(path) for path, dataset in described]
    for (path, dataset), info in zip(described, infos, strict=True):
        keys = [(dataset.name, label) for label in info.labels]
        rank = (len(keys), info.fullness)
        rivals = {owner[k] for k in keys if k in owner}
        if any(planned[r][1] >= rank for r in rivals):
            first = next(iter(sorted(rivals)))
            logger.info("%s: skipped, same release as %s (%s)", path, first, dataset.name)
            continue
        for rival in rivals:
            logger.info("%s: skipped, same release as %s (%s)", rival, path, dataset.name)
            del planned[rival]
        owner = {k: p for k, p in owner.items() if p not in rivals}
        owner.update(dict.fromkeys(keys, path))
        planned[path] = (dataset, rank)
    return sorted(
        ((p, d) for p, (d, _) in planned.items()), key=lambda item: (item[1].order, str(item[0]))
    )


def release_digest(path: Path, info: ReleaseInfo) -> str:
    """The file's sha256, or, when the release is also read from companions, one over all."""
    if not info.companions:
        return sha256_of(path)
    parts = [sha256_of(p) for p in (path, *info.companions)]
    return hashlib.sha256(" ".join(parts).encode()).hexdigest()


def import_file(
    path: Path,
    *,
    dataset: Dataset | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import one release file (and the earlier releases it implies) in one transaction.

    Re-importing the same file is a no-op that says so.
    """
    dataset = dataset or detect(path)
    info = dataset.describe(path)
    digest = release_digest(path, info)
    existing = Release.objects.filter(dataset=dataset.name, sha256=digest).first()
    if existing is not None:
        return ImportResult(
            path=path,
            dataset=dataset.name,
            status="unchanged",
            release_id=existing.pk,
            version_label=existing.version_label,
            row_counts=dict(existing.row_counts),
            is_current=existing.is_current,
            message=ALREADY_IMPORTED.format(release=existing),
        )
    with transaction.atomic():
        replaced = Release.objects.filter(
            dataset=dataset.name, version_label__in=info.labels
        ).delete()[0]
        release = _load_release(dataset, path, info, digest, path.name, dataset.load, progress)
        for earlier in info.earlier:
            # Its own sha256 (one per release and dataset), derived from the file's.
            earlier_digest = hashlib.sha256(f"{digest} {earlier.info.version_label}".encode())
            _load_release(
                dataset,
                path,
                earlier.info,
                earlier_digest.hexdigest(),
                earlier.source_file,
                earlier.load,
                progress,
            )
        current = mark_current(dataset.name)
        # What changed against the neighbouring releases, stored with the import.
        from medcode.changes.services import record_changes

        record_changes(release=release)
        # A new data generation: cached pages and search results of the old one are not read.
        transaction.on_commit(generation.bump)
    return ImportResult(
        path=path,
        dataset=dataset.name,
        status="replaced" if replaced else "imported",
        release_id=release.pk,
        version_label=release.version_label,
        row_counts=dict(release.row_counts),
        is_current=current == release.pk,
        message=info.notes,
    )


def _load_release(
    dataset: Dataset,
    path: Path,
    info: ReleaseInfo,
    digest: str,
    source_file: str,
    load: Callable[[LoadContext], dict[str, int]],
    progress: Callable[[int], None] | None,
) -> Release:
    release = Release.objects.create(
        dataset=dataset.name,
        code_system=dataset.code_system,
        version_label=info.version_label,
        effective_from=info.effective_from,
        effective_to=info.effective_to,
        source_file=source_file,
        source_url=info.source_url,
        sha256=digest,
    )
    counts = load(LoadContext(path=path, release=release, progress=progress or _noop))
    if sum(counts.values()) == 0:
        raise DataFileError(path, NO_ROWS)
    release.row_counts = counts
    release.save(update_fields=["row_counts"])
    return release


def mark_current(dataset_name: str) -> int | None:
    """The newest release by effective date is current; older imports stay as history."""
    releases = Release.objects.filter(dataset=dataset_name)
    newest = releases.order_by(F("effective_from").desc(), "-pk").first()
    if newest is None:
        return None
    releases.exclude(pk=newest.pk).filter(is_current=True).update(is_current=False)
    if not newest.is_current:
        Release.objects.filter(pk=newest.pk).update(is_current=True)
    return newest.pk


def analyze() -> None:
    """Refresh PostgreSQL's planner statistics of the code store after a batch of imports.

    Bulk loads leave the tables without statistics until autovacuum gets to them, and the
    planner then guesses (e.g. hundreds of rows for one code), which slows every page until
    it does. SQLite keeps the plans its indexes give without statistics; nothing to do there.
    """
    if connection.vendor != "postgresql":
        return
    from django.apps import apps

    with connection.cursor() as cursor:
        for model in apps.get_app_config("codes").get_models():
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _noop(_: int) -> None:
    return None


def today() -> dt.date:
    return dt.date.today()
