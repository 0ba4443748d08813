"""Read a Maildir (`medcode consult maildir PATH`): record each message in new/, then move it
to cur/ (flag S) — only after it is recorded, so a crash leaves it in new/ for the next run."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from medcode.consult.parsing import MailError, address_of

log = logging.getLogger(__name__)


class MaildirError(ValueError):
    """The folder is not a Maildir; the message says what is missing."""


def _check(path: Path) -> None:
    missing = [name for name in ("new", "cur") if not (path / name).is_dir()]
    if missing:
        raise MaildirError(f"{path} is not a Maildir: it has no {' or '.join(missing)}/ folder")


def _envelope_sender(raw: bytes) -> str | None:
    """The Return-Path the delivering MTA wrote (the envelope sender), if there is one."""
    head = raw.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    for line in head.splitlines():
        if line.lower().startswith(b"return-path:"):
            value = line.split(b":", 1)[1].strip().decode("ascii", errors="replace")
            return "<>" if value in {"<>", ""} else address_of(value)
    return None


def process_maildir(path: Path) -> dict[str, int]:
    from medcode.consult.intake import record_inquiry

    _check(path)
    counts = {"recorded": 0, "duplicates": 0, "failed": 0}
    for entry in sorted((path / "new").iterdir()):
        if not entry.is_file() or entry.name.startswith("."):
            continue
        try:
            raw = entry.read_bytes()
            recorded = record_inquiry(raw, channel="maildir", envelope_sender=_envelope_sender(raw))
        except (MailError, OSError) as exc:
            log.warning("consult maildir: %s left in new/: %s", entry.name, exc)
            counts["failed"] += 1
            continue
        counts["recorded" if recorded.created else "duplicates"] += 1
        name = entry.name.split(":", 1)[0]
        os.replace(entry, path / "cur" / f"{name}:2,S")
    return counts


def watch_maildir(path: Path, *, interval: float) -> None:
    _check(path)
    while True:
        counts = process_maildir(path)
        if counts["recorded"] or counts["duplicates"]:
            log.info("consult maildir: %s", counts)
        time.sleep(interval)
