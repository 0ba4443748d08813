"""Errors that name what went wrong and where."""

from __future__ import annotations

from pathlib import Path


class DataFileError(Exception):
    """A data file could not be read: names the file and, where known, the line."""

    def __init__(self, path: str | Path, message: str, *, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}, line {line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class ImportRefused(Exception):
    """An import was refused before anything was written (unknown file, duplicate, ...)."""
