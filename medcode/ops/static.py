"""Static files: hashed, compressed copies in STATIC_ROOT that WhiteNoise serves with
year-long immutable cache headers.

`medcode serve` collects them when the sources changed since the last collection (a stamp
in STATIC_ROOT records which files were collected). A server started without collecting
(a test's server) still works: names missing from the manifest keep their plain URL and
WhiteNoise serves them from the source folders with a short cache lifetime.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import FileSystemStorage
from whitenoise.storage import (  # type: ignore[import-untyped]
    CompressedManifestStaticFilesStorage,
)

STAMP_NAME = ".medcode-collected"
MANIFEST_NAME = "staticfiles.json"


def private_dir() -> Path:
    """Beside STATIC_ROOT, not in it: the manifest and the stamp are not for the public (the
    manifest lists every static file, the stamp names the sources' state)."""
    root = Path(settings.STATIC_ROOT)
    return root.with_name(root.name + "-manifest")


class StaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """The manifest storage, falling back to the plain name when a file is not collected."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("manifest_storage", FileSystemStorage(location=private_dir()))
        super().__init__(*args, **kwargs)

    def stored_name(self, name: str) -> str:
        try:
            return str(super().stored_name(name))
        except ValueError:
            return name


def sources_fingerprint() -> str:
    """A digest of every static source file's path, size and modification time."""
    digest = hashlib.sha256()
    entries: list[str] = []
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            full = Path(storage.path(path))
            stat = full.stat()
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode())
    return digest.hexdigest()


def ensure_collected() -> bool:
    """Collect static files unless STATIC_ROOT already holds these sources; True if it ran."""
    from django.core.management import call_command

    stamp = private_dir() / STAMP_NAME
    fingerprint = sources_fingerprint()
    manifest = private_dir() / MANIFEST_NAME
    if manifest.exists() and stamp.exists() and stamp.read_text().strip() == fingerprint:
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint + "\n")
    return True
