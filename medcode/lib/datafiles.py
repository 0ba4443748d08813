"""Open release files (plain or gzip) and read CSV/TSV rows with their line numbers."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from medcode.lib.errors import DataFileError

csv.field_size_limit(50_000_000)

GZIP_MAGIC = b"\x1f\x8b"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def open_text(path: Path, *, encoding: str = "utf-8") -> IO[str]:
    """Open a release file as text, gunzipping when it is gzip whatever its name."""
    if not path.exists():
        raise DataFileError(path, "file not found")
    if path.stat().st_size == 0:
        raise DataFileError(path, "the file is empty")
    if is_gzip(path):
        return io.TextIOWrapper(
            gzip.open(path, "rb"), encoding=encoding, errors="strict", newline=""
        )
    return path.open("r", encoding=encoding, errors="strict", newline="")


def _guard(path: Path, lines: Iterator[str]) -> Iterator[str]:
    """Turn gzip/encoding failures into DataFileError with the line reached."""
    line_no = 0
    try:
        for line in lines:
            line_no += 1
            yield line
    except (EOFError, OSError, zlib.error, gzip.BadGzipFile) as exc:
        raise DataFileError(
            path, f"the gzip data is truncated or corrupt ({exc})", line=line_no + 1
        ) from exc
    except UnicodeDecodeError as exc:
        raise DataFileError(path, f"not valid text ({exc.reason})", line=line_no + 1) from exc


def iter_lines(path: Path, *, encoding: str = "utf-8") -> Iterator[tuple[int, str]]:
    """Yield (line number, line without its newline), 1-based."""
    with open_text(path, encoding=encoding) as fh:
        for number, line in enumerate(_guard(path, iter(fh)), start=1):
            yield number, line.rstrip("\r\n")


def read_header(path: Path, *, encoding: str = "utf-8") -> list[str]:
    """The first CSV row of a file, lower-cased and stripped; [] for a file that is no CSV."""
    try:
        with open_text(path, encoding=encoding) as fh:
            first = fh.readline()
    except (DataFileError, OSError, UnicodeDecodeError, EOFError, zlib.error):
        return []
    try:
        row = next(csv.reader([first]))
    except (StopIteration, csv.Error):
        return []
    return [c.strip().lower().lstrip("\ufeff") for c in row]


def iter_csv_dicts(
    path: Path,
    *,
    required: Sequence[str],
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) for a CSV with one header row, checking required columns.

    The line number is the physical line where the record starts (header is line 1).
    """
    with open_text(path, encoding=encoding) as fh:
        guarded = _LineCounter(path, fh)
        reader = csv.reader(guarded, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            raise DataFileError(path, "the file is empty", line=1) from None
        except csv.Error as exc:
            raise DataFileError(path, f"malformed CSV header ({exc})", line=1) from exc
        names = [h.strip().lower().lstrip("\ufeff") for h in header]
        missing = [c for c in required if c not in names]
        if missing:
            raise DataFileError(
                path, f"missing column(s): {', '.join(missing)}; found: {', '.join(names)}", line=1
            )
        width = len(names)
        start = guarded.lines_read + 1
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise DataFileError(path, f"malformed CSV ({exc})", line=start) from exc
            if record and len(record) != width:
                raise DataFileError(
                    path, f"expected {width} fields, found {len(record)}", line=start
                )
            if record:
                yield start, dict(zip(names, record, strict=True))
            start = guarded.lines_read + 1


class _LineCounter:
    """An iterator over a text file's lines that counts them and reports corruption."""

    def __init__(self, path: Path, fh: IO[str]) -> None:
        self.path = path
        self.lines_read = 0
        self._lines = _guard(path, iter(fh))

    def __iter__(self) -> _LineCounter:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.lines_read += 1
        return line
